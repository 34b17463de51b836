"""Reading a user's text file (preset, plan, topology) safely and in one place.

Refuses what is missing, a directory, a device, more than the size limit (checked
before and during the read, since pipes and /proc files report size 0), bytes
that are not UTF-8, and NUL bytes; each as one InputError naming the file.
"""

from __future__ import annotations

import os
import stat
import sys

# Presets, plans and topology dumps are a few kB; a bigger file is a wrong path.
MAX_BYTES = 8 * 1024 * 1024


def read_text(path: str) -> str:
    """The UTF-8 text of ``path``, or of stdin when ``path`` is ``-``."""
    from infralens_core.errors import InputError

    if not path:
        raise InputError("(empty path)", None, "give a file name")
    name = "<stdin>" if path == "-" else path
    data = _read_stdin() if path == "-" else _read_file(path)
    return decode(data, name)


def _read_file(path: str) -> bytes:
    from infralens_core.errors import InputError

    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(path, None, "is a directory, not a file")
        if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode):
            raise InputError(path, None, "is a device, not a file")
        if info.st_size > MAX_BYTES:
            raise InputError(path, None, _too_big(info.st_size))
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(path, None, "no such file") from None
    except OSError as exc:
        raise InputError(path, None, exc.strerror or str(exc)) from None
    if len(data) > MAX_BYTES:
        raise InputError(path, None, _too_big(len(data)))
    return data


def _read_stdin() -> bytes:
    from infralens_core.errors import InputError

    data = sys.stdin.buffer.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InputError("<stdin>", None, _too_big(len(data)))
    return data


def _too_big(size: int) -> str:
    return f"is {size} bytes or more, over the {MAX_BYTES // (1024 * 1024)} MiB limit"


def decode(data: bytes, name: str) -> str:
    """UTF-8 text with a leading BOM dropped; bad bytes named by line and offset."""
    from infralens_core.errors import InputError

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError(
            name,
            line,
            f"invalid UTF-8 byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
        ) from None
    if "\0" in text:
        line = text[: text.index("\0")].count("\n") + 1
        raise InputError(name, line, "holds a NUL byte; this is not a text file")
    return text.removeprefix("\ufeff")
