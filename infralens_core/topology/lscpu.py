"""Read `lscpu` in its three shapes: plain, `-e` (table) and `-p` (parsable CSV).

`-e` and `-p` name their columns in English whatever the locale (CPU, NODE, SOCKET,
CORE, ONLINE), so they are read by column name. Plain lscpu translates its labels;
only its per-node lines are read, recognised by structure: a label holding `NUMA`
and exactly one number, then a CPU list. That matches the English `NUMA node0
CPU(s):`, German `NUMA-Knoten0 CPU(s):`, French `Nœud NUMA 0 de processeur(s) :`,
Spanish `CPU(s) del nodo NUMA 0:`, Japanese `NUMA ノード 0 CPU:` and Chinese
`NUMA 节点0 CPU：` (full-width colon). `On-line CPU(s) list` is read in English only.
"""

from __future__ import annotations

import re

from infralens_core.errors import InputError
from infralens_core.topology._common import (
    NOT_AVAILABLE,
    cpus_or_error,
    int_or_error,
    node_text_or_error,
    refuse_cpus_elsewhere,
    source_label,
    strip_ansi,
)
from infralens_core.topology.model import Node, Topology

_LABEL_VALUE = re.compile(r"^(?P<label>[^:：]+?)\s*[:：]\s*(?P<value>.*?)\s*$")
_NUMBER = re.compile(r"\d+")
_CPULIST = re.compile(r"\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*\Z")
_E_HEADER = re.compile(r"^\s*CPU\s+.*\b(?:NODE|SOCKET|CORE|ONLINE)\b")
# lscpu -e translates the ONLINE column's yes/no; these are the locales we know.
_YES = frozenset({"yes", "ja", "oui", "sí", "si", "sim", "да", "是", "はい", "tak"})
_NO = frozenset({"no", "nein", "non", "não", "nao", "нет", "否", "いいえ", "nie"})


def looks_like_lscpu(text: str) -> str | None:
    """Which lscpu shape the text is ("lscpu", "lscpu -e", "lscpu -p"), or None."""
    lines = strip_ansi(text).splitlines()
    if _p_header(lines) is not None:
        return "lscpu -p"
    if any(_E_HEADER.match(line) for line in lines):
        return "lscpu -e"
    if any(_numa_line(line) for line in lines):
        return "lscpu"
    return None


def parse_lscpu(text: str, source_name: str = "") -> Topology:
    """Read whichever lscpu shape the text is."""
    kind = looks_like_lscpu(text)
    lines = strip_ansi(text).splitlines()
    if kind == "lscpu -p":
        topo = _parse_table(lines, _p_header(lines), ",", source_name)
    elif kind == "lscpu -e":
        start = next(i for i, ln in enumerate(lines) if _E_HEADER.match(ln))
        topo = _parse_table(lines, (start, lines[start].split()), None, source_name)
    elif kind == "lscpu":
        topo = _parse_plain(lines, source_name)
    else:
        raise InputError(source_name, None, "no lscpu NUMA node or column lines")
    topo.sources.append(source_label(kind, source_name))
    return topo


def _numa_line(line: str) -> tuple[str, str] | None:
    """(node id, CPU list) from a plain-lscpu per-node line, in any locale."""
    m = _LABEL_VALUE.match(line.strip())
    if not m or "numa" not in m["label"].lower():
        return None
    numbers = _NUMBER.findall(m["label"])
    if len(numbers) != 1 or not (m["value"] == "" or _CPULIST.match(m["value"])):
        return None
    return numbers[0], m["value"]


def _parse_plain(lines: list[str], source: str) -> Topology:
    topo = Topology()
    for line_no, line in enumerate(lines, 1):
        if found := _numa_line(line):
            _add_plain_node(topo, *found, line_no, source)
        elif line.strip().startswith("On-line CPU(s) list:"):
            value = line.split(":", 1)[1].strip()
            topo.online_cpus = cpus_or_error(value, source, line_no)
    return topo


def _add_plain_node(
    topo: Topology, number: str, value: str, line_no: int, source: str
) -> None:
    """One `NUMA node<N> CPU(s):` line; lscpu prints each node once."""
    node_id = node_text_or_error(number, source, line_no)
    if node_id in topo.nodes:
        raise InputError(source, line_no, f"NUMA node {node_id} is listed twice")
    cpus = cpus_or_error(value, source, line_no)
    refuse_cpus_elsewhere(topo.nodes, node_id, cpus, source, line_no)
    topo.nodes[node_id] = Node(node_id, cpus)


def _p_header(lines: list[str]) -> tuple[int, list[str]] | None:
    """The last `#` line before the data names the columns (`# CPU,Core,…`)."""
    last = None
    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            last = i
        elif stripped:
            break
    if last is None:
        return None
    names = [n.strip() for n in lines[last].strip().lstrip("#").split(",")]
    if "CPU" not in (n.upper() for n in names) or len(names) < 2:
        return None
    return last, names


def _parse_table(
    lines: list[str], header: tuple[int, list[str]], sep: str | None, source: str
) -> Topology:
    """Read one CPU per row, by column name; `-` or empty means not known."""
    start, names = header
    columns = [n.upper() for n in names]
    topo = Topology()
    by_core: dict[tuple[str, str], set[int]] = {}
    online: set[int] = set()
    for line_no, line in enumerate(lines[start + 1 :], start + 2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [c.strip() for c in line.split(sep)]
        if len(cells) < len(columns) and sep is None:
            raise InputError(source, line_no, f"{len(cells)} cells for {columns}")
        row = dict(zip(columns, cells, strict=False))
        cpu = int_or_error(row.get("CPU", ""), source, line_no, "CPU id")
        _place_cpu(topo, row, cpu, line_no, source)
        if row.get("CORE", "") not in NOT_AVAILABLE:
            key = (row.get("SOCKET", ""), row["CORE"])
            by_core.setdefault(key, set()).add(cpu)
        if "ONLINE" in row and _online(row["ONLINE"], line_no, source):
            online.add(cpu)
    for cpus in by_core.values():
        for cpu in cpus:
            topo.smt_siblings[cpu] = frozenset(cpus)
    if "ONLINE" in columns:
        topo.online_cpus = frozenset(online)
    return topo


def _place_cpu(
    topo: Topology, row: dict[str, str], cpu: int, line_no: int, source: str
) -> None:
    """Add the CPU to its NUMA node and its socket, where the row names them."""
    node_id = row.get("NODE", "")
    if node_id not in NOT_AVAILABLE:
        nid = node_text_or_error(node_id, source, line_no)
        refuse_cpus_elsewhere(topo.nodes, nid, frozenset({cpu}), source, line_no)
        node = topo.nodes.setdefault(nid, Node(nid, frozenset()))
        node.cpus = (node.cpus or frozenset()) | {cpu}
    socket = row.get("SOCKET", "")
    if socket not in NOT_AVAILABLE:
        sid = int_or_error(socket, source, line_no, "socket id")
        topo.sockets[sid] = topo.sockets.get(sid, frozenset()) | {cpu}


def _online(value: str, line_no: int, source: str) -> bool:
    word = value.lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise InputError(source, line_no, f"ONLINE value {value!r} is neither yes nor no")
