"""Test helpers: real topology dumps, a plugin host, the CLI as users run it."""

from __future__ import annotations

import re
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
        [*infralens_argv(), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
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


# A strict reader of rendered shell lines, for the property tests. shlex.split alone
# cannot tell a quoted ``;`` from an unquoted one, nor a quoted ``A=b`` from an
# assignment; this accepts only words of shlex.quote output joined by single
# spaces, and keeps what a shell would make of each word.
_SEGMENT = re.compile(r"([\w@%+=:,./-]+)|'([^']*)'|\"'\"", re.ASCII)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=", re.ASCII)
# Words bash treats as syntax in command position when they are not quoted.
SHELL_RESERVED = frozenset(
    "if then else elif fi case esac for select while until do done in function "
    "time coproc { } ! [[ ]]".split()
)


class ShellReadError(ValueError):
    """A line the renderer should never have written."""


def read_shell_line(line: str) -> tuple[str | None, dict[str, str], list[str]]:
    """Read ``[cd -- DIR && ][KEY=VALUE ...] WORD ...`` as bash would: (cwd, env, argv).

    Raises ShellReadError for anything but that shape, an unquoted character a
    shell would treat as syntax, or a command word bash would read as an
    assignment or a reserved word.
    """
    cwd = None
    pos = 0
    if line.startswith("cd -- "):
        (cwd, _), pos = _shell_word(line, len("cd -- "))
        if not line.startswith(" && ", pos):
            raise ShellReadError(f"expected ' && ' after cd at {pos}: {line!r}")
        pos += len(" && ")
    words = []
    while True:
        word, pos = _shell_word(line, pos)
        words.append(word)
        if pos == len(line):
            break
        if line[pos] != " ":
            raise ShellReadError(f"unexpected {line[pos]!r} at {pos}: {line!r}")
        pos += 1
    env: dict[str, str] = {}
    while words and _ASSIGNMENT.match(words[0][1]):
        key, _, value = words.pop(0)[0].partition("=")
        env[key] = value
    if not words:
        raise ShellReadError(f"no command word: {line!r}")
    if words[0][0] == words[0][1] and words[0][0] in SHELL_RESERVED:
        raise ShellReadError(f"bare reserved word {words[0][0]!r}: {line!r}")
    return cwd, env, [text for text, _ in words]


def _shell_word(line: str, pos: int) -> tuple[tuple[str, str], int]:
    """One word at ``pos``: (its text, its unquoted leading part), and the end."""
    parts: list[str] = []
    bare_prefix = ""
    quoted = False
    start = pos
    while (match := _SEGMENT.match(line, pos)) is not None:
        if match.group(1) is not None:
            parts.append(match.group(1))
            if not quoted:
                bare_prefix += match.group(1)
        else:
            parts.append("'" if match.group(2) is None else match.group(2))
            quoted = True
        pos = match.end()
    if pos == start:
        raise ShellReadError(f"no shell word at {pos}: {line!r}")
    return ("".join(parts), bare_prefix), pos
