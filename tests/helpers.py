"""Shared test helpers: real topology dumps, a plugin host, and the CLI as users run it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TOPOLOGIES = TESTS / "data" / "topologies"
# Real captured dumps the tests render against.
H100_DUMP = TOPOLOGIES / "nv-h100-8gpu-nv18-2numa-nonic.txt"
MIG_DUMP = TOPOLOGIES / "nvidia-smi-L-mig-a100-80gb-7x1g.txt"
NUMACTL_DUMP = TOPOLOGIES / "numactl-aws-c5n18xl-2node-ht-split.txt"


def read_topology(path: Path):
    """A topology read through the same loader ``--topology FILE`` uses."""
    from infralens_core.topology.load import read_source

    return read_source(str(path))


def builtin_host():
    """A plugin host with the three built-in styles registered directly.

    Registering the modules, not the entry points, keeps the test independent of
    what else is installed in the environment.
    """
    import infralens_docker
    import infralens_numactl
    import infralens_taskset

    from infralens_core.manager import PluginHost

    host = PluginHost()
    for module in (infralens_numactl, infralens_taskset, infralens_docker):
        host.add(module.__name__.removeprefix("infralens_"), module)
    assert not host.broken, host.broken
    return host


def infralens_argv() -> list[str]:
    """How to start the installed CLI: the venv's script, else ``python -m``."""
    script = Path(sys.executable).parent / "infralens"
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "infralens_core"]


def run_infralens(
    args: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run ``infralens ARGS`` in a child process, as a user at a terminal would."""
    return subprocess.run(
        [*infralens_argv(), *args], cwd=cwd, env=env, capture_output=True,
        text=True, timeout=60, stdin=subprocess.DEVNULL,
    )


def split_shell_line(line: str) -> tuple[str | None, dict[str, str], list[str]]:
    """Split a line from ``shell_line`` back into (cwd, env, argv) as a shell would.

    Only the shape ``shell_line`` writes is accepted: an optional ``cd -- DIR &&``,
    then ``KEY=value`` words, then the argv; anything else fails the test.
    """
    import shlex

    words = shlex.split(line)
    cwd = None
    if words[:2] == ["cd", "--"]:
        assert words[3] == "&&", line
        cwd, words = words[2], words[4:]
    env: dict[str, str] = {}
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        key, value = words.pop(0).split("=", 1)
        assert key not in env, f"{key} set twice in {line!r}"
        env[key] = value
    return cwd, env, words
