"""Plugins installed with pip are found through the ``infralens`` entry-point group."""

import json
import textwrap

import pytest
from helpers import run_infralens

from plugins.packages import copy_example, env_with, pip_install, write_package

HELLO = '''
    """Renders ``hello``: the workload's name and CPUs, to prove it was called."""

    from infralens_core import hookimpl
    from infralens_core.command import Command

    STYLES = ("hello", "hello-again")


    @hookimpl
    def render_command(style, workload, binding):
        return Command(argv=["echo", style, workload.name, binding.cpulist])
'''


@pytest.fixture(scope="module")
def hello(tmp_path_factory):
    """A one-module plugin distribution, built and installed with pip."""
    root = tmp_path_factory.mktemp("hello")
    src = write_package(
        root / "src",
        "infralens-hello",
        {"infralens_hello": textwrap.dedent(HELLO)},
        {"hello": "infralens_hello"},
    )
    return pip_install(src, root / "site")


@pytest.fixture(scope="module")
def podman(tmp_path_factory):
    """examples/infralens-podman, installed with pip as a plugin author would."""
    root = tmp_path_factory.mktemp("podman")
    return pip_install(copy_example(root / "src"), root / "site")


def infralens(site, *args, **env):
    done = run_infralens(list(args), site, env=env_with(site, **env))
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_installed_plugin_is_listed_with_its_version_and_styles(hello):
    done = infralens(hello, "plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    plugins = {p["name"]: p for p in json.loads(done.stdout)["plugins"]}
    assert plugins["hello"] == {
        "name": "hello",
        "version": "1.2.3",
        "styles": ["hello", "hello-again"],
    }
    assert {"numactl", "taskset", "docker"} <= set(plugins)


def test_installed_plugin_renders_its_styles(hello):
    done = infralens(
        hello, "render", "--example", "--style", "hello-again", "--workload", "w1=6"
    )
    assert done.returncode == 0, done.stderr
    assert "echo hello-again w1 48-95,144-191" in done.stdout.splitlines()


def test_without_the_install_the_style_is_unknown(hello):
    done = run_infralens(
        ["render", "--example", "--style", "hello"], hello, env=env_with()
    )
    assert done.returncode == 2
    assert "unknown style; installed styles: docker, numactl, taskset" in done.stderr


def test_example_podman_package_installs_and_renders(podman):
    listed = infralens(podman, "plugins").stdout.splitlines()
    assert "podman 0.1.0: podman" in listed
    done = infralens(
        podman, "render", "--example", "--style", "podman", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)["commands"][0]
    assert first["argv"][:12] == [
        "podman",
        "run",
        "--rm",
        "--name",
        "infralens-job-training-01",
        "--device",
        "nvidia.com/gpu=0",
        "--device",
        "nvidia.com/gpu=1",
        "--device",
        "nvidia.com/gpu=2",
        "--device",
    ]
    assert "--cpuset-cpus=0-47,96-143" in first["argv"]
    assert "--cpuset-mems=0" in first["argv"]


def test_example_podman_can_be_switched_off(podman):
    done = infralens(
        podman, "plugins", "--format", "json", INFRALENS_DISABLE_PLUGINS="podman"
    )
    report = json.loads(done.stdout)
    assert report["disabled"] == ["podman"]
    assert "podman" not in {p["name"] for p in report["plugins"]}
