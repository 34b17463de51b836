"""Reading numactl, taskset and docker options back out of an argv, as they do."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError
from infralens_core.launch_line import (
    CONTAINER_GPUS,
    CPU_NODES,
    CPUS,
    HOST_GPUS,
    MEM_NODES,
    PREFERRED,
    TASKSET_MASK,
    Ask,
    read_line,
    split_shell_line,
)


def asks(argv: list[str], env: dict | None = None) -> list[tuple[str, str, str]]:
    return [(a.option, a.value, a.kind) for a in read_line(argv, env or {}).asks]


@pytest.mark.parametrize(
    "argv",
    [
        ["numactl", "--physcpubind=1-2", "--membind=0", "prog", "-m", "9"],
        ["numactl", "--phys", "1-2", "--mem=0", "prog", "-m", "9"],
        ["numactl", "-C1-2", "-m", "0", "prog", "-m", "9"],
        ["/usr/bin/numactl", "-C", "1-2", "-m0", "--", "prog", "-m", "9"],
    ],
)
def test_numactl_options_read_as_getopt_reads_them(argv):
    """Abbreviated long options, glued and separate values; parsing stops at the
    program, so its own -m is not numactl's."""
    line = read_line(argv, {})
    assert [(a.value, a.kind) for a in line.asks] == [("1-2", CPUS), ("0", MEM_NODES)]
    assert line.program == ["prog", "-m", "9"]
    assert line.launcher == "numactl" and line.problems == []


def test_numactl_node_options_and_unknown_ones():
    line = read_line(
        [
            "numactl",
            "-N",
            "0,1",
            "--interleave=all",
            "-p",
            "2",
            "--bogus",
            "-l",
            "prog",
        ],
        {},
    )
    assert [(a.option, a.value, a.kind) for a in line.asks] == [
        ("--cpunodebind", "0,1", CPU_NODES),
        ("--interleave", "all", MEM_NODES),
        ("--preferred", "2", PREFERRED),
    ]
    assert line.problems == ["numactl does not know the option '--bogus'"]
    assert line.program == ["prog"]


def test_ambiguous_numactl_abbreviation_is_a_problem():
    # --pre matches --preferred and --preferred-many.
    assert read_line(["numactl", "--pre=0", "prog"], {}).problems == [
        "numactl does not know the option '--pre=0'"
    ]


@pytest.mark.parametrize(
    "argv, ask",
    [
        (["taskset", "-c", "0-3", "prog"], ("taskset -c", "0-3", CPUS)),
        (["taskset", "--cpu-list", "0-3", "prog"], ("taskset -c", "0-3", CPUS)),
        (["taskset", "-ac", "0-3", "prog"], ("taskset -c", "0-3", CPUS)),
        (["taskset", "0x0f", "prog"], ("taskset", "0x0f", TASKSET_MASK)),
    ],
)
def test_taskset_reads_list_or_mask(argv, ask):
    line = read_line(argv, {})
    assert [(a.option, a.value, a.kind) for a in line.asks] == [ask]
    assert line.program == ["prog"]


def test_taskset_pid_mode_is_not_a_launch():
    assert read_line(["taskset", "-p", "3", "1234"], {}).unread == [
        "taskset -p changes a running process; nothing starts"
    ]


def test_docker_run_options_up_to_the_image():
    argv = [
        "docker",
        "--context",
        "x",
        "run",
        "--rm",
        "-it",
        "--name",
        "n",
        "--gpus",
        '"device=0,GPU-a"',
        "--cpuset-cpus=2-3",
        "--cpuset-mems",
        "1",
        "-w",
        "/w",
        "-eCUDA_VISIBLE_DEVICES=0,1",
        "-e",
        "NVIDIA_VISIBLE_DEVICES=4",
        "--env=A=1",
        "image:tag",
        "prog",
        "--cpuset-cpus=9",
    ]
    line = read_line(argv, {})
    assert [(a.option, a.value, a.kind) for a in line.asks] == [
        ("--gpus device", "0,GPU-a", HOST_GPUS),
        ("--cpuset-cpus", "2-3", CPUS),
        ("--cpuset-mems", "1", MEM_NODES),
        ("-e CUDA_VISIBLE_DEVICES", "0,1", CONTAINER_GPUS),
        ("-e NVIDIA_VISIBLE_DEVICES", "4", HOST_GPUS),
    ]
    assert line.container_gpu_count == 2
    assert line.program == ["prog", "--cpuset-cpus=9"]


def test_docker_container_run_and_other_subcommands():
    assert asks(["docker", "container", "run", "--cpuset-cpus=1", "i"]) == [
        ("--cpuset-cpus", "1", CPUS)
    ]
    assert read_line(["docker", "ps"], {}).unread == [
        "not a `docker run` line; only those are checked"
    ]


@pytest.mark.parametrize(
    "value, fine",
    [
        ('"device=0,1"', True),
        ("device=0", True),
        ("all", True),
        ("2", True),
        ("device=0,1", False),
    ],
)
def test_docker_gpus_value_is_csv(value, fine):
    """Fault pinned: `--gpus device=0,1` without inner quotes (DOMAIN rule 7)."""
    line = read_line(["docker", "run", "--gpus", value, "i"], {})
    assert (line.problems == []) is fine


def test_host_gpu_variables_of_a_bare_line():
    env = {
        "CUDA_VISIBLE_DEVICES": "0,GPU-x",
        "ROCR_VISIBLE_DEVICES": "",
        "NVIDIA_VISIBLE_DEVICES": "all",
        "OTHER": "1",
    }
    assert asks(["prog"], env) == [("CUDA_VISIBLE_DEVICES", "0,GPU-x", HOST_GPUS)]


def test_shown_value_reads_like_the_line():
    assert Ask("--membind", "0", MEM_NODES).shown == "--membind=0"
    assert Ask("taskset -c", "0-3", CPUS).shown == "taskset -c 0-3"


def test_split_shell_line_as_render_prints_it():
    line = "cd -- '/srv/a b' && A='x y' B=2 numactl --membind=0 prog 'C=3'"
    assert split_shell_line(line, "--command 1") == (
        ["numactl", "--membind=0", "prog", "C=3"],
        {"A": "x y", "B": "2"},
        "/srv/a b",
    )


@pytest.mark.parametrize(
    "text, message",
    [
        ("numactl 'open", "cannot split the line: No closing quotation"),
        ("A=1 B=2", "names no command"),
    ],
)
def test_split_shell_line_refuses_what_it_cannot_read(text, message):
    with pytest.raises(InputError) as caught:
        split_shell_line(text, "--command 2")
    assert str(caught.value) == f"--command 2: {message}"
