"""Read a launch command back: what CPUs, NUMA nodes and GPUs its argv asks for.

``infralens check`` works from the argv, not from the binding that produced it, so
it also catches a line that was edited by hand or came from elsewhere. Options are
read as the tools themselves read them: numactl and taskset with getopt (long
options may be abbreviated, short ones clustered, parsing stops at the program),
docker with its own flag set (``--opt=value`` or ``--opt value``; the first word
that is not an option is the image).
"""

from __future__ import annotations

import csv
import os
import re
import shlex
from dataclasses import dataclass, field

from infralens_core.errors import InputError

# What each value names: CPUs, NUMA nodes for CPUs, nodes for memory (must hold
# memory), a preferred memory node (may fall back), host GPUs, GPUs as numbered
# inside a container.
CPUS, CPU_NODES, MEM_NODES, PREFERRED = "cpus", "cpu_nodes", "mem_nodes", "preferred"
HOST_GPUS, CONTAINER_GPUS, TASKSET_MASK = "gpus", "container_gpus", "taskset_mask"
# Variables that select GPUs by host index or UUID on a bare-metal line.
HOST_GPU_VARS = (
    "CUDA_VISIBLE_DEVICES",
    "NVIDIA_VISIBLE_DEVICES",
    "ROCR_VISIBLE_DEVICES",
)
# Values that select no particular GPU (the runtime's "all"/"none" spellings).
NO_GPU_LIST = ("", "all", "none", "void", "NoDevFiles", "-1")
_ENV_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
_CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")


@dataclass(frozen=True, slots=True)
class Ask:
    """One value of a line: ``--physcpubind=2-3`` reads as ("--physcpubind", "2-3")."""

    option: str
    value: str
    kind: str

    @property
    def shown(self) -> str:
        sep = " " if self.option.startswith("taskset") else "="
        return f"{self.option}{sep}{self.value}"


@dataclass
class LaunchLine:
    """A command as run: the launcher (None for a bare program) and what it asks."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    launcher: str | None = None
    program: list[str] = field(default_factory=list)
    asks: list[Ask] = field(default_factory=list)
    # Faults found while reading, as sentences: an unknown option, a --gpus value
    # docker would refuse; and what was not read at all.
    problems: list[str] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)
    # The number of GPUs a container is given, when its --gpus names them.
    container_gpu_count: int | None = None


def read_line(
    argv: list[str], env: dict[str, str], cwd: str | None = None
) -> LaunchLine:
    """Read what ``argv`` (run with ``env`` added) asks of the host."""
    line = LaunchLine(list(argv), dict(env), cwd)
    tool = os.path.basename(argv[0]) if argv else ""
    reader = {
        "numactl": _read_numactl,
        "taskset": _read_taskset,
        "docker": _read_docker,
    }.get(tool)
    if reader is None:
        line.program = list(argv)
    else:
        line.launcher = tool
        reader(line, argv)
        # An image may bring its own command; numactl and taskset need one.
        if tool != "docker" and not line.program and not line.problems:
            line.problems.append(f"{tool} is given no program to start")
    if line.launcher != "docker":
        line.asks += _env_gpu_asks(env, HOST_GPUS, "")
    return line


def split_shell_line(
    text: str, source: str
) -> tuple[list[str], dict[str, str], str | None]:
    """argv, environment and directory of one line as ``render`` prints it.

    Understood: an optional ``cd -- DIR &&`` in front, then ``KEY=value`` words,
    then the command. Shell operators elsewhere are taken as plain words.
    """
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise InputError(source, None, f"cannot split the line: {exc}") from None
    cwd = None
    if words[:2] == ["cd", "--"] and len(words) > 3 and words[3] == "&&":
        cwd, words = words[2], words[4:]
    elif words[:1] == ["cd"] and len(words) > 2 and words[2] == "&&":
        cwd, words = words[1], words[3:]
    env: dict[str, str] = {}
    while words and _ENV_WORD.match(words[0]):
        key, _, value = words.pop(0).partition("=")
        env[key] = value
    if not words:
        raise InputError(source, None, "names no command")
    return words, env, cwd


def _env_gpu_asks(env: dict[str, str], kind: str, option: str) -> list[Ask]:
    return [
        Ask(f"{option}{key}", value, kind)
        for key, value in env.items()
        if key in HOST_GPU_VARS and value.strip() not in NO_GPU_LIST
    ]


# numactl 2.0.x: long name -> (short letter, takes a value). getopt accepts any
# unambiguous prefix of a long name.
_NUMACTL_LONG = {
    "all": ("a", False),
    "interleave": ("i", True),
    "preferred": ("p", True),
    "preferred-many": ("P", True),
    "cpubind": ("c", True),
    "cpunodebind": ("N", True),
    "physcpubind": ("C", True),
    "membind": ("m", True),
    "show": ("s", False),
    "localalloc": ("l", False),
    "hardware": ("H", False),
    "shm": ("S", True),
    "file": ("f", True),
    "offset": ("o", True),
    "length": ("L", True),
    "strict": ("t", False),
    "shmmode": ("M", True),
    "dump": ("d", False),
    "dump-nodes": ("D", False),
    "shmid": ("I", True),
    "huge": ("u", False),
    "touch": ("T", False),
    "verify": ("V", False),
    "balancing": ("b", False),
    "version": ("v", False),
    "weighted-interleave": ("w", True),
}
_NUMACTL_SHORT = {short: (name, arg) for name, (short, arg) in _NUMACTL_LONG.items()}
_NUMACTL_KINDS = {
    "C": CPUS,
    "N": CPU_NODES,
    "c": CPU_NODES,
    "m": MEM_NODES,
    "i": MEM_NODES,
    "w": MEM_NODES,
    "P": PREFERRED,
    "p": PREFERRED,
}


def _read_numactl(line: LaunchLine, argv: list[str]) -> None:
    i = 1
    while i < len(argv):
        word = argv[i]
        if word == "--":
            i += 1
            break
        if not word.startswith("-") or word == "-":
            break
        pairs, i = _getopt_word(
            argv, i, _NUMACTL_LONG, _NUMACTL_SHORT, "numactl", line.problems
        )
        for letter, name, value in pairs:
            kind = _NUMACTL_KINDS.get(letter)
            if kind is not None and value is not None:
                line.asks.append(Ask(f"--{name}", value, kind))
    line.program = argv[i:]


def _getopt_word(argv, i, longs, shorts, tool, problems):
    """The (letter, long name, value) options in ``argv[i]``, and the next index."""
    word = argv[i]
    if word.startswith("--"):
        name, eq, value = word[2:].partition("=")
        matches = [n for n in longs if n == name] or [
            n for n in longs if n.startswith(name)
        ]
        if len(matches) != 1:
            problems.append(f"{tool} does not know the option {word!r}")
            return [], i + 1
        letter, takes = longs[matches[0]]
        if takes and not eq:
            value, i = (argv[i + 1] if i + 1 < len(argv) else None), i + 1
        return [(letter, matches[0], value if takes else None)], i + 1
    found = []
    for j, letter in enumerate(word[1:], 1):
        if letter not in shorts:
            problems.append(f"{tool} does not know the option -{letter}")
            continue
        name, takes = shorts[letter]
        if takes:
            rest = word[j + 1 :]
            if not rest:
                rest, i = (argv[i + 1] if i + 1 < len(argv) else None), i + 1
            found.append((letter, name, rest))
            break
        found.append((letter, name, None))
    return found, i + 1


_TASKSET_LONG = {
    "all-tasks": ("a", False),
    "pid": ("p", False),
    "cpu-list": ("c", False),
    "help": ("h", False),
    "version": ("V", False),
}
_TASKSET_SHORT = {short: (name, arg) for name, (short, arg) in _TASKSET_LONG.items()}


def _read_taskset(line: LaunchLine, argv: list[str]) -> None:
    """``taskset [-a] -c LIST CMD`` or ``taskset MASK CMD``; ``-c`` is a flag."""
    letters: set[str] = set()
    i = 1
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
        if argv[i] == "--":
            i += 1
            break
        pairs, i = _getopt_word(
            argv, i, _TASKSET_LONG, _TASKSET_SHORT, "taskset", line.problems
        )
        letters |= {letter for letter, _name, _value in pairs}
    if "p" in letters:
        line.unread.append("taskset -p changes a running process; nothing starts")
    if i >= len(argv):
        line.problems.append("taskset is given no CPU list and no command")
        return
    if "c" in letters:
        line.asks.append(Ask("taskset -c", argv[i], CPUS))
    else:
        line.asks.append(Ask("taskset", argv[i], TASKSET_MASK))
    line.program = argv[i + 1 :]


# docker run flags that take no value; every other flag takes one.
_DOCKER_BOOL = {
    "--detach",
    "--interactive",
    "--tty",
    "--rm",
    "--privileged",
    "--init",
    "--publish-all",
    "--read-only",
    "--sig-proxy",
    "--no-healthcheck",
    "--oom-kill-disable",
    "--disable-content-trust",
    "--quiet",
    "--help",
}
_DOCKER_SHORT_BOOL = set("ditPq")
_DOCKER_SHORT = {
    "e": "--env",
    "w": "--workdir",
    "v": "--volume",
    "p": "--publish",
    "u": "--user",
    "h": "--hostname",
    "l": "--label",
    "m": "--memory",
    "c": "--cpu-shares",
    "a": "--attach",
}
# docker's own options before the subcommand that take a value.
_DOCKER_GLOBAL = {
    "--config",
    "--context",
    "-c",
    "--host",
    "-H",
    "--log-level",
    "-l",
    "--tlscacert",
    "--tlscert",
    "--tlskey",
}


def _read_docker(line: LaunchLine, argv: list[str]) -> None:
    i = _skip_docker_globals(argv)
    if argv[i : i + 1] == ["run"]:
        i += 1
    elif argv[i : i + 2] == ["container", "run"]:
        i += 2
    else:
        line.unread.append("not a `docker run` line; only those are checked")
        return
    options, i = _docker_options(argv, i)
    for name, value in options:
        _docker_ask(line, name, value)
    line.program = argv[i + 1 :]  # argv[i] is the image


def _skip_docker_globals(argv: list[str]) -> int:
    i = 1
    while i < len(argv) and argv[i].startswith("-"):
        takes = argv[i] in _DOCKER_GLOBAL
        i += 2 if takes else 1
    return i


def _docker_options(argv: list[str], i: int) -> tuple[list[tuple[str, str]], int]:
    """(long name, value) pairs up to the image, and the image's index."""
    found: list[tuple[str, str]] = []
    while i < len(argv) and argv[i].startswith("-") and argv[i] != "-":
        word = argv[i]
        if word == "--":
            return found, i + 1
        if word.startswith("--"):
            name, eq, value = word.partition("=")
            if not eq and name not in _DOCKER_BOOL:
                value, i = (argv[i + 1] if i + 1 < len(argv) else ""), i + 1
            found.append((name, value))
            i += 1
            continue
        for j, letter in enumerate(word[1:], 1):
            if letter in _DOCKER_SHORT_BOOL:
                continue
            value = word[j + 1 :].removeprefix("=")
            if not value:
                value, i = (argv[i + 1] if i + 1 < len(argv) else ""), i + 1
            found.append((_DOCKER_SHORT.get(letter, f"-{letter}"), value))
            break
        i += 1
    return found, i


def _docker_ask(line: LaunchLine, name: str, value: str) -> None:
    if name == "--cpuset-cpus":
        line.asks.append(Ask(name, value, CPUS))
    elif name == "--cpuset-mems":
        line.asks.append(Ask(name, value, MEM_NODES))
    elif name == "--gpus":
        _docker_gpus(line, value)
    elif name == "--name" and not _CONTAINER_NAME.match(value):
        line.problems.append(
            f"--name {value!r}: docker refuses it; names match "
            "[a-zA-Z0-9][a-zA-Z0-9_.-]*"
        )
    elif name == "--env" and "=" in value:
        key, _, item = value.partition("=")
        if key == "CUDA_VISIBLE_DEVICES" and item.strip() not in NO_GPU_LIST:
            line.asks.append(Ask("-e CUDA_VISIBLE_DEVICES", item, CONTAINER_GPUS))
        else:
            # NVIDIA_VISIBLE_DEVICES and ROCR_VISIBLE_DEVICES name host GPUs: the
            # NVIDIA runtime reads the first, and ROCm containers get every device.
            line.asks += _env_gpu_asks({key: item}, HOST_GPUS, "-e ")


def _docker_gpus(line: LaunchLine, value: str) -> None:
    """``--gpus`` is CSV: ``"device=0,1"`` is one field, bare ``device=0,1`` two."""
    fields = next(csv.reader([value]), [])
    devices = [f for f in fields if f.startswith("device=")]
    if (
        devices
        and len(fields) > len(devices)
        and any(f.strip().isdigit() for f in fields)
    ):
        line.problems.append(
            f"--gpus {value} splits into {fields}: docker refuses it (cannot set both "
            "Count and DeviceIDs); a list needs inner double quotes"
        )
        return
    for item in devices:
        ids = item.removeprefix("device=")
        line.asks.append(Ask("--gpus device", ids, HOST_GPUS))
        line.container_gpu_count = len(ids.split(","))
