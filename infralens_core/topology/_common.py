"""Small helpers every topology reader shares: ANSI stripping, CPU lists, labels."""

from __future__ import annotations

import re

from infralens_core.cpulist import CpuListError, parse_cpulist
from infralens_core.errors import InputError

# Colour and cursor sequences that terminals (and `watch -c`, `script`) leave in
# captured output; they would otherwise glue onto the first cell of a line.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")

# nvidia-smi, rocm-smi and lscpu all print this for a value the tool cannot tell.
NOT_AVAILABLE = frozenset({"N/A", "n/a", "-", ""})


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences, keeping every other character."""
    return _ANSI.sub("", text)


def cpus_or_error(value: str, source: str, where: int | str) -> frozenset[int]:
    """Parse a kernel CPU list, turning a syntax error into an InputError."""
    try:
        return parse_cpulist(value)
    except CpuListError as exc:
        raise InputError(source, where, f"bad CPU list {value!r}: {exc}") from None


def int_or_error(value: str, source: str, where: int | str, what: str) -> int:
    """Parse a non-negative decimal integer, naming ``what`` on failure."""
    if not (value.isascii() and value.isdigit()):
        raise InputError(source, where, f"{what} {value!r} is not a number")
    return int(value)


def source_label(kind: str, source_name: str | None) -> str:
    """How a source is named in Topology.sources: the command, then the file."""
    return f"{kind} ({source_name})" if source_name else kind
