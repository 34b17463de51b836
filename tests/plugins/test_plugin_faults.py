"""A broken plugin is named with its reason; every other style keeps working.

The first half registers small inline plugins on a fresh host; the second installs a
distribution of faulty plugins with pip and runs ``infralens`` on it, as a user
would meet them.
"""

import json
import textwrap

import pytest
from helpers import run_infralens

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.errors import PluginError
from infralens_core.manager import PluginHost, build_host
from infralens_core.render import render_plan
from plugins.packages import env_with, pip_install, write_package
from plugins.support import DGX_A100, config, topology, workload


class Good:
    STYLES = ("good",)

    @hookimpl
    def render_command(self, style):
        return Command(argv=["echo", style])


def host_with(**plugins) -> PluginHost:
    host = PluginHost()
    host.add("good", Good())
    for name, plugin in plugins.items():
        host.add(name, plugin)
    return host


def reasons(host: PluginHost) -> dict[str, str]:
    return {b.name: b.reason for b in host.broken}


def render(host: PluginHost, *styles: str):
    return render_plan(host, config(), [workload("job", 0)], topology(DGX_A100), styles)


def test_plugin_without_styles_is_refused_by_name():
    class NoStyles:
        @hookimpl
        def render_command(self):
            return Command(argv=["true"])

    host = host_with(nostyles=NoStyles())
    assert reasons(host) == {
        "nostyles": "ValueError: declares no STYLES (a tuple of style names)"
    }
    assert list(host.styles) == ["good"]


def test_second_claim_on_a_style_is_refused_and_the_first_kept():
    """Pins a plugin silently taking over a style another plugin renders."""

    class Thief(Good):
        pass

    host = host_with(thief=Thief())
    assert reasons(host) == {
        "thief": "ValueError: claims style 'good', which plugin 'good' already renders"
    }
    assert host.styles["good"].name == "good"


def test_misspelt_hook_is_refused_not_ignored():
    """Pins pluggy accepting ``render_comand``, which no spec names, in silence."""

    class Typo:
        STYLES = ("typo",)

        @hookimpl
        def render_command(self):
            return Command(argv=["true"])

        @hookimpl
        def render_comand(self):
            return Command(argv=["true"])

    host = host_with(typo=Typo())
    assert reasons(host)["typo"].startswith(
        "ValueError: implements unknown hook 'render_comand'; infralens hooks are "
        "render_command, validate_config"
    )
    assert "typo" not in host.styles and host.pm.get_plugin("typo") is None


def test_plugin_without_render_command_is_refused():
    class Mute:
        STYLES = ("mute",)

    host = host_with(mute=Mute())
    assert reasons(host) == {"mute": "ValueError: implements no render_command hook"}


def test_hook_asking_for_an_argument_the_spec_lacks_is_refused():
    class Greedy:
        STYLES = ("greedy",)

        @hookimpl
        def render_command(self, workload, gpu_list):
            return Command(argv=["true"])

        @hookimpl
        def validate_config(self, config):
            return []

    host = host_with(greedy=Greedy())
    assert "gpu_list" in reasons(host)["greedy"]
    assert "greedy" not in host.styles


def test_raising_render_command_fails_its_style_alone():
    class Crash:
        STYLES = ("crash",)

        @hookimpl
        def render_command(self, workload):
            raise KeyError(workload.name)

    result = render(host_with(crash=Crash()), "crash", "good")
    assert [r.style for r in result.commands] == ["good"]
    assert [str(e) for e in result.errors] == [
        "plugin 'crash' failed in render_command for style 'crash': KeyError: 'job'"
    ]


def test_wrong_return_type_is_named_with_the_plugin_and_hook():
    class Stringly:
        STYLES = ("stringly",)

        @hookimpl
        def render_command(self):
            return "echo hi"

        @hookimpl
        def validate_config(self):
            return {"workdir": "bad"}

    host = host_with(stringly=Stringly())
    assert [str(e) for e in render(host, "stringly", "good").errors] == [
        "plugin 'stringly' returned str from render_command for style 'stringly'; "
        "expected a Command"
    ]
    with pytest.raises(PluginError, match=r"'stringly' returned dict from validate"):
        host.validate("stringly", config(), topology(DGX_A100))


def test_raising_validate_config_names_plugin_and_hook():
    class Doubter(Good):
        STYLES = ("doubter",)

        @hookimpl
        def validate_config(self, config):
            raise RuntimeError("cannot\nread preset")

    host = host_with(doubter=Doubter())
    with pytest.raises(PluginError) as caught:
        host.validate("doubter", config(), topology(DGX_A100))
    assert str(caught.value) == (
        "plugin 'doubter' failed in validate_config for "
        "style 'doubter': RuntimeError: cannot read preset"
    )
    assert host.validate("good", config(), topology(DGX_A100)) == []


def test_disabled_plugin_is_not_loaded_and_its_style_says_why(monkeypatch):
    monkeypatch.setenv("INFRALENS_DISABLE_PLUGINS", " docker , nothing-such")
    host = build_host()
    assert host.disabled == {"docker", "nothing-such"}
    assert "docker" not in host.styles and "numactl" in host.styles
    with pytest.raises(Exception, match="switched off by INFRALENS_DISABLE_PLUGINS"):
        host.plugin_for("docker")


# A distribution whose entry points fail in every way a plugin can, installed
# with pip so that `infralens` meets them as it would meet a user's plugins.
FAULTY = {
    "fault_import": "import infralens_no_such_module\n",
    "fault_syntax": "STYLES = ('syntax',)\ndef render_command(:\n",
    "fault_exit": "raise SystemExit('plugin gave up')\n",
    "fault_nostyles": "",
    "fault_taken": """
        from infralens_core import hookimpl
        from infralens_core.command import Command
        STYLES = ("numactl",)
        @hookimpl
        def render_command():
            return Command(argv=["false"])
    """,
    "fault_typo": """
        from infralens_core import hookimpl
        STYLES = ("typo",)
        @hookimpl
        def render_comand():
            pass
    """,
    "fault_render": """
        from infralens_core import hookimpl
        STYLES = ("fault-render",)
        @hookimpl
        def render_command():
            raise ZeroDivisionError("render broke")
    """,
    "fault_validate": """
        from infralens_core import hookimpl
        from infralens_core.command import Command
        STYLES = ("fault-validate",)
        @hookimpl
        def validate_config():
            raise LookupError("validate broke")
        @hookimpl
        def render_command():
            return Command(argv=["true"])
    """,
}
FAILED = {
    "fault-import": "ModuleNotFoundError: No module named 'infralens_no_such_module'",
    "fault-syntax": "SyntaxError: ",
    "fault-exit": "SystemExit: plugin gave up",
    "fault-nostyles": "ValueError: declares no STYLES",
    "fault-taken": "ValueError: claims style 'numactl', which plugin 'numactl'",
    "fault-typo": "ValueError: implements unknown hook 'render_comand'",
}


@pytest.fixture(scope="module")
def faulty(tmp_path_factory):
    """A folder holding the installed faulty distribution, for PYTHONPATH."""
    root = tmp_path_factory.mktemp("faulty")
    src = write_package(
        root / "src",
        "infralens-faulty",
        {name: textwrap.dedent(body) for name, body in FAULTY.items()},
        {name.replace("_", "-"): name for name in FAULTY},
    )
    return pip_install(src, root / "site")


def infralens(faulty, *args, **env):
    done = run_infralens(list(args), faulty, env=env_with(faulty, **env))
    assert "Traceback" not in done.stderr, done.stderr
    return done


def test_plugins_json_lists_each_fault_with_its_reason(faulty):
    done = infralens(faulty, "plugins", "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    failed = {f["name"]: f["reason"] for f in report["failed"]}
    assert sorted(failed) == sorted(FAILED)
    for name, start in FAILED.items():
        assert failed[name].startswith(start), (name, failed[name])
    assert {f["version"] for f in report["failed"]} == {"1.2.3"}
    loaded = {p["name"]: p["styles"] for p in report["plugins"]}
    assert loaded["numactl"] == ["numactl"]
    assert loaded["fault-render"] == ["fault-render"]


def test_plugins_text_names_each_failed_plugin(faulty):
    lines = infralens(faulty, "plugins").stdout.splitlines()
    for name, start in FAILED.items():
        assert any(line.startswith(f"{name} 1.2.3: FAILED: {start}") for line in lines)


def test_healthy_styles_render_and_exit_0_beside_broken_plugins(faulty):
    done = infralens(faulty, "render", "--example", "--style", "numactl")
    assert done.returncode == 0, done.stderr
    assert "numactl --physcpubind=0-47,96-143 --membind=0" in done.stdout


@pytest.mark.parametrize(
    ("style", "message"),
    [
        (
            "fault-render",
            "plugin 'fault-render' failed in render_command for style "
            "'fault-render': ZeroDivisionError: render broke",
        ),
        (
            "fault-validate",
            "plugin 'fault-validate' failed in validate_config for style "
            "'fault-validate': LookupError: validate broke",
        ),
        (
            "fault-import",
            "style 'fault-import' is unavailable: plugin 'fault-import' "
            "failed to load: ModuleNotFoundError",
        ),
        (
            "fault-exit",
            "plugin 'fault-exit' failed to load: SystemExit: plugin gave up",
        ),
    ],
)
def test_asking_for_a_broken_style_exits_1_naming_the_plugin(faulty, style, message):
    done = infralens(
        faulty, "render", "--example", "--style", "taskset", "--style", style
    )
    assert done.returncode == 1
    assert message in done.stderr
    assert "taskset -c 0-47,96-143" in done.stdout


def test_disabled_plugin_is_listed_as_disabled_not_failed(faulty):
    done = infralens(
        faulty,
        "plugins",
        "--format",
        "json",
        INFRALENS_DISABLE_PLUGINS="fault-exit,docker",
    )
    report = json.loads(done.stdout)
    assert report["disabled"] == ["docker", "fault-exit"]
    assert "fault-exit" not in {f["name"] for f in report["failed"]}
    assert "docker" not in {p["name"] for p in report["plugins"]}
    done = infralens(
        faulty,
        "render",
        "--example",
        "--style",
        "docker",
        INFRALENS_DISABLE_PLUGINS="fault-exit,docker",
    )
    assert done.returncode == 2
    assert "plugin 'docker' is switched off by INFRALENS_DISABLE_PLUGINS" in done.stderr


@pytest.mark.parametrize(
    ("command", "fault"),
    [
        (Command(argv=["echo", 1]), "argv must be a non-empty list of strings"),
        (Command(argv=[]), "argv must be a non-empty list"),
        (Command(argv=["echo"], env={"A;touch /tmp/x;B": "x"}), "not a shell variable"),
        (Command(argv=["echo"], env={"A": 5}), "env values must be strings"),
        (Command(argv=["echo"], cwd=5), "cwd must be a string"),
        (Command(argv=["echo"], preamble=[[]]), "preamble must be a list"),
    ],
)
def test_bad_command_fields_are_the_plugins_fault_not_a_crash(command, fault):
    """A plugin's non-string argv crashed the CLI; a bad env key broke quoting."""

    class Sloppy:
        STYLES = ("sloppy",)

        @hookimpl
        def render_command(self):
            return command

    host = PluginHost()
    host.add("sloppy", Sloppy())
    with pytest.raises(
        PluginError, match=f"plugin 'sloppy' rendered a bad Command.*{fault}"
    ):
        host.render("sloppy", None, None, None, None)


def test_plugin_calling_sys_exit_in_a_hook_fails_only_its_style():
    """raise SystemExit(0) in render_command ended infralens with status 0 and
    no output, the healthy styles' lines lost with it."""

    class Quitter:
        STYLES = ("quitter",)

        @hookimpl
        def render_command(self):
            raise SystemExit(0)

    host = PluginHost()
    host.add("quitter", Quitter())
    with pytest.raises(PluginError, match="plugin 'quitter' failed in render_command"):
        host.render("quitter", None, None, None, None)
