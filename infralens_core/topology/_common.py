"""Small helpers every topology reader shares: ANSI stripping, CPU lists, node ids."""

from __future__ import annotations

import re

from infralens_core.cpulist import CpuListError, parse_cpulist
from infralens_core.errors import InputError
from infralens_core.topology.model import Node

# Colour and cursor sequences that terminals (and `watch -c`, `script`) leave in
# captured output; they would otherwise glue onto the first cell of a line.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-Z\\-_]")

# nvidia-smi, rocm-smi and lscpu all print this for a value the tool cannot tell.
NOT_AVAILABLE = frozenset({"N/A", "n/a", "-", ""})

# Linux allows at most MAX_NUMNODES = 1 << NODES_SHIFT nodes, and NODES_SHIFT is at
# most 10; a larger id is a typo or a mangled paste, never a node to bind to.
MAX_NODE_ID = 1023


def strip_ansi(text: str) -> str:
    """Remove terminal escape sequences, keeping every other character."""
    return _ANSI.sub("", text)


def cpus_or_error(value: str, source: str, where: int | str) -> frozenset[int]:
    """Parse a kernel CPU list, turning a syntax error into an InputError."""
    try:
        return parse_cpulist(value)
    except CpuListError as exc:
        raise InputError(source, where, f"bad CPU list {value!r}: {exc}") from None
    except ValueError:  # int() refuses more than 4300 digits; cpulist lets it out
        raise InputError(source, where, "bad CPU list: an id is too long") from None


def int_or_error(value: str, source: str, where: int | str, what: str) -> int:
    """Parse a non-negative decimal integer, naming ``what`` on failure."""
    if not (value.isascii() and value.isdigit()):
        raise InputError(source, where, f"{what} {value!r} is not a number")
    # No real count or id has this many digits, and int() refuses strings past
    # 4300 digits with a ValueError that would escape as a traceback.
    if len(value) > 18:
        raise InputError(source, where, f"{what} {value[:20]}... is too large")
    return int(value)


def node_id_or_error(
    value: int, source: str, where: int | str | None, what: str = "NUMA node"
) -> int:
    """Return ``value`` when it is a NUMA node id Linux can have, else refuse it."""
    if not 0 <= value <= MAX_NODE_ID:
        raise InputError(source, where, f"{what} {value} is outside 0-{MAX_NODE_ID}")
    return value


def node_text_or_error(
    value: str, source: str, where: int | str | None, what: str = "NUMA node"
) -> int:
    """Parse a NUMA node id written in decimal (a sign allowed) and range-check it."""
    digits = value.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()):
        raise InputError(source, where, f"{what} {value!r} is not a number")
    # Length first: int() of thousands of digits is slow, and past 4300 it raises.
    if value.startswith("-") or len(digits.lstrip("0")) > 4:
        shown = value if len(value) <= 20 else value[:20] + "..."
        raise InputError(source, where, f"{what} {shown} is outside 0-{MAX_NODE_ID}")
    return node_id_or_error(int(digits), source, where, what)


def nodes_or_error(value: str, source: str, where: int | str | None) -> frozenset[int]:
    """Parse a list of NUMA node ids in CPU-list syntax (Mems_allowed_list)."""
    try:
        return parse_cpulist(value, max_id=MAX_NODE_ID)
    except CpuListError as exc:
        raise InputError(source, where, f"bad node list {value!r}: {exc}") from None
    except ValueError:  # as in cpus_or_error
        raise InputError(source, where, "bad node list: an id is too long") from None


def refuse_cpus_elsewhere(
    nodes: dict[int, Node],
    node: int,
    cpus: frozenset[int],
    source: str,
    where: int | str | None,
) -> None:
    """Refuse ``cpus`` for ``node`` when another node already holds one of them.

    The kernel puts each CPU on exactly one NUMA node, so a CPU on two is a paste
    of two hosts or a hand edit; picking either would bind to the wrong memory.
    """
    for other in nodes.values():
        shared = (other.cpus or frozenset()) & cpus if other.id != node else None
        if shared:
            raise InputError(
                source,
                where,
                f"CPU {min(shared)} is in NUMA node {other.id} and NUMA node {node}",
            )


def source_label(kind: str, source_name: str | None) -> str:
    """How a source is named in Topology.sources: the command, then the file."""
    return f"{kind} ({source_name})" if source_name else kind
