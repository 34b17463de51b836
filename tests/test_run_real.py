"""Rendered lines run for real on this host: the program gets exactly the binding.

The topology is this host's own sysfs (so every CPU it names exists here) with two
GPUs added on NUMA node 0: GPU 0 near only the highest allowed CPU (rendered as
``--physcpubind``/``taskset -c`` of that CPU), GPU 1 near the whole node (rendered
as ``--cpunodebind``). The entry command is tests/engines/probe.py, which reports
what the kernel gave it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
from itertools import takewhile
from pathlib import Path

import pytest
from engines import (
    IMAGE,
    IMAGE_PROBE,
    docker_shim,
    podman_service,
    probe_command,
    require,
)

from infralens_core.cpulist import parse_cpulist
from infralens_core.execute import StartError, exit_status, run_argv
from infralens_core.topology.sysfs import read_sysfs

INFRALENS = [sys.executable, "-m", "infralens_core"]
# Values a shell line must carry through unchanged (DOMAIN rule 10).
TRICKY = "a b 'q' \"d\" $HOME `x`; ü"
ENV_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def host_topology(tmp_path: Path) -> tuple[Path, frozenset[int], frozenset[int]]:
    """This host's topology plus two GPUs; returns (file, GPU 0 CPUs, node 0 CPUs)."""
    topo = read_sysfs("/")
    if 0 not in topo.nodes or not topo.nodes[0].has_memory:
        pytest.skip("this host has no NUMA node 0 with memory")
    node_cpus = topo.nodes[0].cpus & (topo.allowed_cpus or topo.nodes[0].cpus)
    near = frozenset({max(node_cpus)})
    data = topo.to_json()
    cpus = ",".join(map(str, sorted(near)))
    data["gpus"] = [
        {"index": 0, "numa_node": 0, "cpus": cpus, "pci_bus_id": "0000:07:00.0"},
        {
            "index": 1,
            "numa_node": 0,
            "cpus": data["nodes"][0]["cpus"],
            "pci_bus_id": "0000:0f:00.0",
        },
    ]
    path = tmp_path / "topology.json"
    path.write_text(json.dumps(data))
    return path, near, node_cpus


@pytest.fixture
def host(tmp_path):
    return host_topology(tmp_path)


@pytest.fixture
def workdir(tmp_path):
    path = tmp_path / "work dir"
    path.mkdir()
    return path


def write_preset(tmp_path: Path, **fields: str) -> str:
    body = "[execution]\n" + "".join(
        f"{k} = {json.dumps(v)}\n" for k, v in fields.items()
    )
    path = tmp_path / "preset.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


@pytest.fixture
def bare_preset(tmp_path, workdir):
    return write_preset(
        tmp_path,
        entry_command=probe_command(),
        workdir=str(workdir),
        extra_args="--epochs 2",
        env_vars=f"TRICKY={TRICKY}\nOMP_NUM_THREADS=1",
    )


def infralens(*args: str, env: dict | None = None, **kwargs):
    return subprocess.run(
        [*INFRALENS, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
        **kwargs,
    )


def run_args(preset: str, topology: Path, gpus: str, style: str) -> list[str]:
    return [
        "run",
        "w",
        "--preset",
        preset,
        "--workload",
        f"w={gpus}",
        "--topology",
        str(topology),
        "--style",
        style,
    ]


def probe_report(stdout: str) -> dict:
    return json.loads(stdout.splitlines()[0])


def dry_run(args: list[str]) -> dict:
    done = infralens(*args, "--dry-run", "--format", "json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def assert_started_as_meant(
    report: dict, cpus: frozenset[int], workdir: Path, gpus: str
) -> None:
    assert set(report["affinity"]) == cpus
    assert report["Mems_allowed_list"] == "0"
    assert report["argv"] == ["--workload", "w", "--epochs", "2"]
    assert report["cwd"] == str(workdir)
    env = report["env"]
    assert env["TRICKY"] == TRICKY
    assert env["CUDA_VISIBLE_DEVICES"] == gpus
    assert env["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"


@pytest.mark.parametrize(
    "style, gpus, option",
    [
        ("taskset", "0", "-c"),
        ("numactl", "0", "--physcpubind="),
        ("numactl", "1", "--cpunodebind="),
    ],
)
def test_run_starts_program_with_exactly_the_named_cpus(
    host, bare_preset, workdir, style, gpus, option
):
    require(style)
    topology, near, node_cpus = host
    args = run_args(bare_preset, topology, gpus, style)
    expected = near if gpus == "0" else node_cpus
    assert any(word.startswith(option) for word in dry_run(args)["argv"])

    done = infralens(*args)

    assert done.returncode == 0, done.stderr
    assert_started_as_meant(probe_report(done.stdout), expected, workdir, gpus)


@pytest.mark.parametrize("style", ["taskset", "numactl"])
def test_pasted_shell_line_starts_program_as_run_does(
    host, bare_preset, workdir, style
):
    """The printed line, run by sh and split by shlex, binds as `run` does."""
    require(style)
    topology, near, _ = host
    line = infralens(*run_args(bare_preset, topology, "0", style), "--dry-run")
    line = line.stdout.strip()

    by_shell = subprocess.run(["sh", "-c", line], capture_output=True, text=True)
    words = shlex.split(line)
    assert words[:2] == ["cd", "--"] and words[3] == "&&"
    assignments = list(takewhile(ENV_WORD.match, words[4:]))
    env = dict(w.split("=", 1) for w in assignments)
    by_argv = subprocess.run(
        words[4 + len(env) :],
        cwd=words[2],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
    )

    for done in (by_shell, by_argv):
        assert done.returncode == 0, done.stderr
        assert_started_as_meant(probe_report(done.stdout), near, workdir, "0")


def test_run_passes_the_exit_status_on(host, bare_preset):
    require("taskset")
    topology, _, _ = host
    done = infralens(
        *run_args(bare_preset, topology, "0", "taskset"), env={"PROBE_EXIT": "3"}
    )
    assert done.returncode == 3


def test_run_dies_of_the_signal_that_killed_the_program(host, bare_preset):
    """The program is exec'ed: a shell sees 128+N, as for the pasted line."""
    require("taskset")
    topology, _, _ = host
    words = " ".join(
        shlex.quote(w)
        for w in [*INFRALENS, *run_args(bare_preset, topology, "0", "taskset")]
    )
    done = subprocess.run(
        ["sh", "-c", f"{words}; echo status=$?"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PROBE_SIGNAL": str(int(signal.SIGKILL))},
    )
    assert f"status={128 + signal.SIGKILL}" in done.stdout


def test_run_hands_a_group_signal_to_the_program_once(host, bare_preset):
    """A SIGINT sent to the process group reached the program twice: once as a
    group member, once forwarded by infralens."""
    require("taskset")
    topology, _, _ = host
    proc = subprocess.Popen(
        [*INFRALENS, *run_args(bare_preset, topology, "0", "taskset")],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "PROBE_WAIT": "1"},
    )
    try:
        assert "affinity" in proc.stdout.readline()
        assert "ready" in proc.stdout.readline()
        os.killpg(proc.pid, signal.SIGINT)
        assert json.loads(proc.stdout.readline()) == {"signal": signal.SIGINT}
        os.killpg(proc.pid, signal.SIGTERM)
        assert json.loads(proc.stdout.readline()) == {"signal": signal.SIGTERM}
        assert proc.wait(timeout=30) == 0
        assert proc.stdout.read() == ""
    finally:
        proc.kill()
        proc.wait()


def test_run_reports_a_missing_entry_program_behind_numactl_as_127(host, tmp_path):
    """numactl's own status 1 came back for a program that is not installed."""
    require("numactl")
    topology, _, _ = host
    preset = write_preset(tmp_path, entry_command="no-such-program-xyz")
    done = infralens(*run_args(preset, topology, "0", "numactl"))
    assert done.returncode == 127
    assert "Error: no-such-program-xyz: command not found" in done.stderr


def test_run_forwards_a_signal_sent_to_it_exactly_once(host, bare_preset):
    """Fault pinned: a SIGINT sent with kill to `infralens run` never reaching the
    program, or reaching it twice."""
    require("taskset")
    topology, _, _ = host
    proc = subprocess.Popen(
        [*INFRALENS, *run_args(bare_preset, topology, "0", "taskset")],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PROBE_WAIT": "1"},
    )
    try:
        assert "affinity" in proc.stdout.readline()
        assert "ready" in proc.stdout.readline()
        proc.send_signal(signal.SIGINT)
        assert json.loads(proc.stdout.readline()) == {"signal": signal.SIGINT}
        proc.send_signal(signal.SIGTERM)
        assert json.loads(proc.stdout.readline()) == {"signal": signal.SIGTERM}
        assert proc.wait(timeout=30) == 0
        assert proc.stdout.read() == ""  # no second SIGINT or SIGTERM report
    finally:
        proc.kill()
        proc.wait()


def test_run_names_a_missing_workload_and_lists_the_plan(host, bare_preset):
    topology, _, _ = host
    done = infralens(
        "run",
        "nope",
        "--preset",
        bare_preset,
        "--workload",
        "w=0",
        "--workload",
        "x=1",
        "--topology",
        str(topology),
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "Error: --workload: no workload named 'nope'; the plan has w, x"
    )


def test_run_reports_a_missing_launcher_like_a_shell(host, bare_preset, tmp_path):
    """Fault pinned: a traceback instead of status 127 when numactl is absent."""
    topology, _, _ = host
    empty = tmp_path / "bin"
    empty.mkdir()
    done = infralens(
        *run_args(bare_preset, topology, "0", "numactl"), env={"PATH": str(empty)}
    )
    assert done.returncode == 127
    assert done.stderr.strip().endswith("Error: numactl: command not found")


def test_run_argv_refuses_a_missing_directory_before_starting(tmp_path):
    with pytest.raises(StartError) as caught:
        run_argv(["true"], dict(os.environ), str(tmp_path / "gone"))
    assert caught.value.exit_code == 1


def test_run_argv_gives_the_child_exactly_the_environment(tmp_path):
    out = tmp_path / "env.json"
    code = run_argv(
        [
            sys.executable,
            "-c",
            f"import json,os; json.dump(dict(os.environ), open({str(out)!r}, 'w'))",
        ],
        {"ONLY": "this", "PATH": os.environ["PATH"]},
        str(tmp_path),
    )
    assert code == 0
    env = json.loads(out.read_text())
    assert env.get("ONLY") == "this" and "HOME" not in env


def test_run_argv_restores_the_signal_mask():
    """Fault pinned: SIGINT left blocked in infralens after the child ended."""
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    run_argv(["true"], dict(os.environ))
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


def test_exit_status_follows_the_shell_convention():
    assert [exit_status(c) for c in (0, 3, -9, -15)] == [0, 3, 137, 143]


# --- docker lines, through the docker CLI and podman ------------------------


@pytest.fixture(scope="module")
def docker_env(tmp_path_factory):
    state = tmp_path_factory.mktemp("podman")
    bin_dir = tmp_path_factory.mktemp("bin")
    with podman_service(state) as env:
        docker_shim(bin_dir)
        yield {**env, "PATH": f"{bin_dir}:{os.environ['PATH']}"}


def image_report(stdout: str) -> dict:
    """The image probe's `key=value` lines; arg= and env= collect into lists."""
    report: dict = {"arg": [], "env": {}}
    for line in stdout.splitlines():
        key, _, value = line.partition("=")
        if key == "arg":
            report["arg"].append(value)
        elif key == "env":
            name, _, item = value.partition("=")
            report["env"][name] = item
        else:
            report[key] = value
    return report


@pytest.fixture
def docker_preset(tmp_path):
    return write_preset(
        tmp_path,
        environment="docker",
        image_name=IMAGE,
        entry_command=IMAGE_PROBE,
        workdir="/srv/jobs",
        extra_args="--epochs 2",
        env_vars=f"TRICKY={TRICKY}",
        gpu_visibility_style="cuda_visible_devices",
    )


@pytest.mark.parametrize("gpus", ["0", "1"])
def test_docker_line_starts_container_with_exactly_the_named_cpus(
    host, docker_preset, docker_env, gpus
):
    """`infralens run` of a docker line, run by podman behind the docker CLI.

    The `docker` shim drops the `--gpus` pair (no GPU runtime here) and `--rm`
    (this podman then reports 0 for failed containers); every other option of the
    rendered line reaches docker unchanged.
    """
    topology, near, node_cpus = host
    args = [
        "run",
        "w",
        "--preset",
        docker_preset,
        "--workload",
        f"w={gpus}",
        "--topology",
        str(topology),
    ]
    argv = dry_run(args)["argv"]
    cpuset = next(w for w in argv if w.startswith("--cpuset-cpus="))

    done = infralens(*args, env=docker_env)

    assert done.returncode == 0, done.stderr
    report = image_report(done.stdout)
    expected = near if gpus == "0" else node_cpus
    assert report["cpus"] == cpuset.removeprefix("--cpuset-cpus=")
    assert parse_cpulist(report["cpus"]) == expected
    assert report["mems"] == "0"
    assert report["cwd"] == "/srv/jobs"
    assert report["arg"] == ["--workload", "w", "--epochs", "2"]
    assert report["env"]["TRICKY"] == TRICKY
    # Inside the container its one GPU is GPU 0, whatever the host index.
    assert report["env"]["CUDA_VISIBLE_DEVICES"] == "0"


def test_docker_line_passes_the_container_status_on(
    host, docker_preset, docker_env, tmp_path
):
    topology, _, _ = host
    preset = write_preset(
        tmp_path,
        environment="docker",
        image_name=IMAGE,
        entry_command=IMAGE_PROBE,
        env_vars="PROBE_EXIT=5",
    )
    done = infralens(
        "run",
        "w",
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--topology",
        str(topology),
        env=docker_env,
    )
    assert done.returncode == 5, done.stderr
    left = subprocess.run(
        ["docker", "ps", "-a", "-q", "--filter", "name=infralens-job-w"],
        capture_output=True,
        text=True,
        env={**os.environ, **docker_env},
    )
    assert left.stdout.strip() == ""


def test_run_names_the_container_as_render_does(host, tmp_path):
    """Fault pinned: `run` rendering one workload alone and naming its container
    `infralens-job-a-b` where `render` of the plan says `infralens-job-a-b-2`."""
    topology, _, _ = host
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[workloads]]\nname = "a b"\ngpus = "0"\n\n'
        '[[workloads]]\nname = "a-b"\ngpus = "1"\n'
    )
    preset = write_preset(
        tmp_path, environment="docker", image_name=IMAGE, entry_command=IMAGE_PROBE
    )
    inputs = ["--preset", preset, "--plan", str(plan), "--topology", str(topology)]
    rendered = infralens("render", *inputs, "--format", "json")
    assert rendered.returncode == 0, rendered.stderr
    by_render = next(
        c["argv"]
        for c in json.loads(rendered.stdout)["commands"]
        if c["workload"] == "a-b"
    )
    assert dry_run(["run", "a-b", *inputs])["argv"] == by_render
    assert "infralens-job-a-b-2" in by_render
