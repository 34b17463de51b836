"""Environment variables given as ``KEY=VALUE`` lines or as a table."""

from __future__ import annotations

import re

ENV_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class EnvLineError(ValueError):
    """A bad environment line; ``line`` is 1-based within the text."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line = line
        super().__init__(message)


def parse_env_text(text: str) -> dict[str, str]:
    """Parse ``KEY=VALUE`` lines, split at the first ``=``.

    Blank lines and lines starting with ``#`` are skipped; a duplicate key is an
    error rather than a silent overwrite.
    """
    env: dict[str, str] = {}
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removesuffix("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key = key.strip()
        if not sep:
            raise EnvLineError(number, f"{_clip(line)!r} is not KEY=VALUE")
        check_env_item(key, value, line=number)
        if key in env:
            raise EnvLineError(number, f"duplicate key {key!r}")
        env[key] = value
    return env


def check_env_item(key: str, value: str, *, line: int | None = None) -> None:
    """Refuse a key the shell cannot assign, or a value no process can receive."""
    if not ENV_KEY.match(key):
        raise EnvLineError(
            line, f"key {_clip(key)!r} must match [A-Za-z_][A-Za-z0-9_]*"
        )
    if "\0" in value:
        raise EnvLineError(line, f"value of {key} holds a NUL byte")


def _clip(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
