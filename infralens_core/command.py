"""The structured command a style renders, and the shell text derived from it."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache

# Most words recur in every command of a plan (program, options, preset values):
# remembering how each is quoted spares a regex scan per word per command.
_quote = lru_cache(maxsize=4096)(shlex.quote)


@dataclass(slots=True)
class Command:
    """What a ``render_command`` hook returns for one workload in one style.

    ``argv`` runs with ``env`` added to the environment, in ``cwd`` when set.
    ``preamble`` lists argv lists to run first (a MIG layout, a directory to make);
    ``warnings`` say what the style decided that the user may not expect.
    """

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    cwd: str | None = None
    preamble: list[list[str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def command_fault(command: Command) -> str | None:
    """What makes a plugin's Command unsafe to print or run, or None.

    Shell text is derived by quoting, which holds only for lists of strings and
    environment keys a shell can assign; anything else is the plugin's fault.
    Checked for every command rendered, so the usual case costs two joins.
    """
    if not command.argv or not _words(command.argv):
        return "argv must be a non-empty list of strings without NUL bytes"
    if not isinstance(command.env, dict):
        return "env must be a dict of strings"
    bad_key = next((k for k in command.env if not _shell_name(k)), None)
    if bad_key is not None:
        return f"env key {bad_key!r} is not a shell variable name"
    if not _words(list(command.env.values())):
        return "env values must be strings without NUL bytes"
    if command.cwd is not None and not _words([command.cwd]):
        return "cwd must be a string without NUL bytes"
    if not isinstance(command.preamble, list) or not all(
        step and _words(step) for step in command.preamble
    ):
        return "preamble must be a list of non-empty argv lists"
    if not isinstance(command.warnings, list) or not _words(command.warnings):
        return "warnings must be a list of strings"
    return None


def _words(words: object) -> bool:
    """A list of str without NUL bytes; join() refuses any other item type."""
    if not isinstance(words, list):
        return False
    try:
        return "\0" not in "".join(words)
    except TypeError:
        return False


@lru_cache(maxsize=256)
def _shell_name(key: object) -> bool:
    from infralens_core.envlines import ENV_KEY

    return isinstance(key, str) and ENV_KEY.match(key) is not None


def quote_argv(argv: list[str]) -> str:
    return " ".join(map(_quote, argv))


# Unquoted in command position, a shell reads NAME=... as an assignment and these
# words as syntax, not as the program to run; only quoting keeps them a name.
_RESERVED = frozenset(
    "if then else elif fi case esac for select while until do done in function "
    "time coproc".split()
)
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")


def quote_command(argv: list[str]) -> str:
    """``argv`` as shell words whose first word a shell runs as the program."""
    line = quote_argv(argv)
    first = argv[0] if argv else ""
    if line.startswith(first) and (first in _RESERVED or _ASSIGNMENT.match(first)):
        # quote_argv left it bare, so it holds no quote character.
        line = f"'{first}'{line[len(first) :]}"
    return line


def shell_line(command: Command) -> str:
    """One POSIX shell line that runs exactly ``command``.

    Environment goes first as assignments (``KEY=value cmd``), which a shell applies
    to that command alone; keys were checked to be shell identifiers.
    """
    words = [f"{key}={_quote(value)}" for key, value in command.env.items()]
    words.append(quote_command(command.argv))
    line = " ".join(words)
    if command.cwd is not None:
        line = f"cd -- {_quote(command.cwd)} && {line}"
    return line


def preamble_lines(command: Command) -> list[str]:
    return [quote_command(argv) for argv in command.preamble]
