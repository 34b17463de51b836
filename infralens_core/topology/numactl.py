"""Read `numactl --hardware` (`numactl -H`): node CPUs, memory sizes, distances.

numactl prints a node's CPUs as space-separated ids (`node 0 cpus: 0 1 2 … 128`), an
empty list for a memory-only node, sizes always in MB (`0 MB` for a node without
memory), then the ACPI SLIT distance matrix. Output is English in every locale.
"""

from __future__ import annotations

import re

from infralens_core.cpulist import MAX_CPU_ID
from infralens_core.errors import InputError
from infralens_core.topology._common import (
    int_or_error,
    node_text_or_error,
    refuse_cpus_elsewhere,
    source_label,
    strip_ansi,
)
from infralens_core.topology.model import Node, Topology

_AVAILABLE = re.compile(r"^available:\s+\d+\s+nodes?\b")
_NODE_LINE = re.compile(r"^node\s+(\d+)\s+(cpus|size|free):(.*)$")
_DIST_ROW = re.compile(r"^\s*(\d+):((?:\s+\d+)+)\s*$")


def looks_like_numactl(text: str) -> bool:
    """True when an `available: N nodes` line starts a numactl --hardware block."""
    return any(_AVAILABLE.match(line) for line in strip_ansi(text).splitlines())


def parse_numactl(text: str, source_name: str = "") -> Topology:
    """Read every node's CPUs, memory size and distances.

    Lines before `available:` (a prompt, a `Command:` label) are skipped.
    """
    lines = strip_ansi(text).splitlines()
    start = next((i for i, ln in enumerate(lines) if _AVAILABLE.match(ln)), None)
    if start is None:
        raise InputError(source_name, None, "no `available: N nodes` line")
    topo = Topology(sources=[source_label("numactl --hardware", source_name)])
    header: list[int] | None = None
    for line_no, line in enumerate(lines[start + 1 :], start + 2):
        if m := _NODE_LINE.match(line.strip()):
            _read_node_line(topo, m, line_no, source_name)
        elif line.strip().startswith("node distances:"):
            continue
        elif line.split()[:1] == ["node"]:
            header = _distance_header(line, line_no, source_name)
        elif m := _DIST_ROW.match(line):
            _read_distance_row(topo, header, m, line_no, source_name)
    if not topo.nodes:
        raise InputError(source_name, start + 1, "numactl printed no nodes")
    return topo


def _read_node_line(topo: Topology, m: re.Match, line_no: int, source: str) -> None:
    nid = node_text_or_error(m.group(1), source, line_no)
    node = topo.nodes.setdefault(nid, Node(nid))
    field, value = m.group(2), m.group(3).split()
    # numactl prints each line once per node; a second one is two dumps pasted
    # together, and letting the later one win would hide which host is meant.
    if (field == "cpus" and node.cpus is not None) or (
        field == "size" and node.memory_mb is not None
    ):
        raise InputError(source, line_no, f"node {nid} {field} is listed twice")
    if field == "cpus":
        cpus = frozenset(_cpu_id(v, line_no, source) for v in value)
        refuse_cpus_elsewhere(topo.nodes, nid, cpus, source, line_no)
        node.cpus = cpus
    elif field == "size":
        node.memory_mb = _megabytes(value, line_no, source)


def _cpu_id(value: str, line_no: int, source: str) -> int:
    cpu = int_or_error(value, source, line_no, "CPU id")
    if cpu > MAX_CPU_ID:
        raise InputError(source, line_no, f"CPU id {cpu} is above {MAX_CPU_ID}")
    return cpu


def _megabytes(value: list[str], line_no: int, source: str) -> int:
    if len(value) != 2 or value[1] != "MB":
        raise InputError(source, line_no, f"node size {' '.join(value)!r} is not N MB")
    return int_or_error(value[0], source, line_no, "node size")


def _distance_header(line: str, line_no: int, source: str) -> list[int]:
    return [node_text_or_error(v, source, line_no) for v in line.split()[1:]]


def _read_distance_row(
    topo: Topology, header: list[int] | None, m: re.Match, line_no: int, source: str
) -> None:
    values = [int_or_error(v, source, line_no, "distance") for v in m.group(2).split()]
    if header is None or len(values) != len(header):
        raise InputError(source, line_no, "distance row does not match its header")
    nid = node_text_or_error(m.group(1), source, line_no)
    node = topo.nodes.setdefault(nid, Node(nid))
    if node.distances:
        raise InputError(source, line_no, f"node {nid} distances are listed twice")
    node.distances = dict(zip(header, values, strict=True))
