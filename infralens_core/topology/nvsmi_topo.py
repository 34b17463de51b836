"""Read `nvidia-smi topo -m` (and the PCIe-only `-mp`) into a Topology.

The matrix is easy to misread: column widths change with the driver, the output is
tab-separated but often pasted with the tabs turned into spaces, blank cells vanish
when a line is split on whitespace, and the legend, the NIC legend or a later
`nvidia-smi topo -c` block follow the matrix. Every cell we cannot place for certain
is refused with its line number rather than shifted into a neighbouring column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from infralens_core.errors import InputError
from infralens_core.topology._common import (
    NOT_AVAILABLE,
    cpus_or_error,
    node_text_or_error,
    source_label,
    strip_ansi,
)
from infralens_core.topology.model import Gpu, Node, Topology

# The link types nvidia-smi prints in the matrix (see its legend).
_LINKS = ("X", "SYS", "NODE", "PHB", "PXB", "PIX")
_CELL = re.compile(r"(?:X|SYS|NODE|PHB|PXB|PIX|NV\d+)\Z")
_NV = re.compile(r"NV(\d+)")
_TAIL_COLUMNS = {
    ("CPU", "Affinity"): "CPU Affinity",
    ("NUMA", "Affinity"): "NUMA Affinity",
    ("GPU", "NUMA", "ID"): "GPU NUMA ID",
}
_WORD = re.compile(r"\S+")
# Six digits is far past any GPU count, and keeps int() off thousand-digit names.
_GPU_NAME = re.compile(r"GPU[0-9]{1,6}\Z")
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_.:-]*\Z")
# One node id. nvidia-smi prints a single node or N/A here; anything else (a CPU
# list above all) means a cell slid over from its neighbour, so it is refused.
_NUMA_VALUE = re.compile(r"\d+\Z")
_CPUS_VALUE = re.compile(r"\d+(?:-\d+)?(?:,\d+(?:-\d+)?)*\Z")
# nvidia-smi separates cells with tabs; positions are compared after expanding them.
_TAB = 8


@dataclass
class _Header:
    line_no: int
    matrix: list[str]  # GPU0.., then NIC0.. or mlx5_0..
    tail: list[str]  # "CPU Affinity", "NUMA Affinity", "GPU NUMA ID" as present
    tail_pos: list[int]  # where each tail header starts, tabs expanded


def looks_like_topo(text: str) -> bool:
    """True when the text holds a `nvidia-smi topo -m` header line."""
    lines = strip_ansi(text).splitlines()
    return _header_index(lines) is not None


def parse_nvsmi_topo(text: str, source_name: str = "") -> Topology:
    """Read GPU rows (index, NUMA node, CPUs) and NVLink pairs from the matrix."""
    lines = strip_ansi(text).splitlines()
    idx = _header_index(lines)
    if idx is None:
        raise InputError(source_name, None, "no `nvidia-smi topo -m` header line")
    header = _parse_header(lines[idx], idx + 1, source_name)
    rows, end = _matrix_rows(lines, header)

    topo = Topology()
    links: dict[tuple[int, int], str] = {}
    for line_no, label, line in rows:
        cells, tail = _split_row(line, label, header, line_no, source_name)
        if not label.startswith("GPU"):
            continue  # NIC rows only say how NICs reach GPUs
        gpu = _gpu_from_row(label, tail, line_no, source_name)
        topo.gpus[gpu.index] = gpu
        _collect_links(gpu.index, cells, header, links, line_no, source_name)
    _require_gpu_rows(topo, header, source_name)

    pci_only = _is_pci_only(lines[:idx], lines[end:], links)
    kind = "nvidia-smi topo -mp" if pci_only else "nvidia-smi topo -m"
    topo.sources.append(source_label(kind, source_name))
    topo.nvlink = (
        None if pci_only else [(a, b, v) for (a, b), v in sorted(links.items())]
    )
    # A node the GPUs point at exists; its CPUs stay unknown here, because the CPU
    # Affinity column is cut to the caller's cgroup and is not the node's CPU list.
    for gpu in topo.gpus.values():
        if gpu.numa_node is not None:
            topo.nodes.setdefault(gpu.numa_node, Node(gpu.numa_node))
    return topo


def _header_index(lines: list[str]) -> int | None:
    """The header starts with GPU0 and holds only column names, never link cells."""
    for i, line in enumerate(lines):
        words = line.split()
        if words[:1] == ["GPU0"] and not any(_CELL.match(w) for w in words[1:]):
            if len(words) == 1 or _is_column_word(words[1]):
                return i
    return None


def _is_column_word(word: str) -> bool:
    return bool(re.match(r"(?:GPU\d+|NIC\d+|mlx\d+_\w+|CPU)\Z", word))


def _parse_header(line: str, line_no: int, source: str) -> _Header:
    """Split the header into matrix column names and the affinity columns."""
    words = [(m.start(), m.group()) for m in _WORD.finditer(line.expandtabs(_TAB))]
    header = _Header(line_no, [], [], [])
    i = 0
    while i < len(words):
        name = _tail_name_at(words, i)
        if name is not None:
            header.tail.append(name)
            header.tail_pos.append(words[i][0])
            i += len(name.split())
        elif header.tail:
            raise InputError(
                source, line_no, f"unknown column {words[i][1]!r} after the matrix"
            )
        else:
            header.matrix.append(_matrix_name(words[i][1], header, line_no, source))
            i += 1
    return header


def _matrix_name(word: str, header: _Header, line_no: int, source: str) -> str:
    """A GPU column is GPU<n>; anything else is a NIC (NIC<n>, mlx5_<n>, …)."""
    bad = word in header.matrix or _CELL.match(word) or not _NAME.match(word)
    if bad or (word.startswith("GPU") and not _GPU_NAME.match(word)):
        raise InputError(source, line_no, f"{word!r} is not a column name")
    return word


def _tail_name_at(words: list[tuple[int, str]], i: int) -> str | None:
    for parts, name in _TAIL_COLUMNS.items():
        if tuple(w for _, w in words[i : i + len(parts)]) == parts:
            return name
    return None


def _matrix_rows(
    lines: list[str], header: _Header
) -> tuple[list[tuple[int, str, str]], int]:
    """The rows after the header, up to the first line that is not a row.

    The matrix ends at a blank line in every driver's output; the legend, the NIC
    legend and anything pasted after them are never rows.
    """
    rows = []
    i = header.line_no  # the line after the header, 0-based
    while i < len(lines):
        words = lines[i].split()
        if not words or words[0] not in header.matrix:
            break
        rows.append((i + 1, words[0], lines[i]))
        i += 1
    return rows, i


def _split_row(
    line: str, label: str, header: _Header, line_no: int, source: str
) -> tuple[list[str], dict[str, str]]:
    """Return the row's matrix cells and its affinity values by column name."""
    expanded = line.expandtabs(_TAB)
    tokens = [(m.start(), m.group()) for m in _WORD.finditer(expanded)][1:]
    need = len(header.matrix)
    plain = [t for _, t in tokens[:need]]
    if len(plain) == need and all(_CELL.match(t) for t in plain):
        cells, rest = plain, tokens[need:]
    else:
        cells, rest = _unglue_row(tokens, header, label, line_no, source)
    if not label.startswith("GPU"):
        return cells, {}
    return cells, _place_tail(rest, header, line_no, source)


def _unglue_row(
    tokens: list[tuple[int, str]],
    header: _Header,
    label: str,
    line_no: int,
    source: str,
) -> tuple[list[str], list[tuple[int, str]]]:
    """Recover cells that ran together in a paste (`NV12NV12`, `SYSPIX`).

    Accepted only when exactly one reading gives the header's count of matrix
    cells and no more affinity values than there are affinity columns.
    """
    readings = {
        (tuple(cells), tuple(rest))
        for cells, rest in _readings(tokens, len(header.matrix))
        if len(rest) <= len(header.tail)
    }
    if len(readings) == 1:
        cells, rest = readings.pop()
        return list(cells), list(rest)
    shown = " ".join(t for _, t in tokens)
    if not readings:
        raise InputError(
            source,
            line_no,
            f"row {label} does not hold {len(header.matrix)} matrix cells "
            f"({shown!r}); refusing to guess which column is missing",
        )
    raise InputError(
        source,
        line_no,
        f"cells of row {label} ran together and split more than one way "
        f"({shown!r}); re-run nvidia-smi topo -m and paste it unchanged",
    )


def _readings(
    tokens: list[tuple[int, str]], need: int
) -> list[tuple[list[str], list[tuple[int, str]]]]:
    """Every way to read ``need`` matrix cells off the front of ``tokens``."""
    if need == 0:
        return [([], tokens)]
    if not tokens:
        return []
    pos, tok = tokens[0]
    out = []
    for cells, rem in _token_splits(tok, first=True):
        if len(cells) > need or (rem is not None and len(cells) != need):
            continue
        if rem is not None:
            rest = [(pos + len(tok) - len(rem), rem), *tokens[1:]]
            out.append((cells, rest))
            continue
        for more, rest in _readings(tokens[1:], need - len(cells)):
            out.append((cells + more, rest))
    return out


def _token_splits(tok: str, first: bool) -> list[tuple[list[str], str | None]]:
    """Split a token into link cells, optionally ending in an affinity value."""
    if not tok:
        return [([], None)]
    out: list[tuple[list[str], str | None]] = []
    if not first and _is_tail_value(tok):
        out.append(([], tok))
    prefixes = [w for w in _LINKS if tok.startswith(w)]
    nv = _NV.match(tok)
    if nv:
        digits = nv.group(1)
        prefixes += ["NV" + digits[:k] for k in range(1, len(digits) + 1)]
    for prefix in prefixes:
        for cells, rem in _token_splits(tok[len(prefix) :], first=False):
            out.append(([prefix, *cells], rem))
    return out


def _is_tail_value(tok: str) -> bool:
    return tok in NOT_AVAILABLE or bool(_CPUS_VALUE.match(tok))


def _place_tail(
    tokens: list[tuple[int, str]], header: _Header, line_no: int, source: str
) -> dict[str, str]:
    """Map affinity values to their columns, allowing for blank cells.

    With as many values as columns they map in order (position cannot be trusted:
    a short cell such as `64-71` ends a tab stop early, so `1` sits under neither
    header). With fewer, a blank cell dropped out; each value then belongs to the
    first free column whose header starts at or up to one tab stop right of it,
    because blank and short cells only ever pull a row leftwards of its header.
    (Nearest-header matching ties on `blank, blank, N/A` rows and is not used.)
    """
    if len(tokens) > len(header.tail):
        raise InputError(
            source, line_no, f"{len(tokens)} values for {len(header.tail)} columns"
        )
    if len(tokens) == len(header.tail):
        placed = dict(zip(header.tail, (t for _, t in tokens), strict=True))
    else:
        placed = _place_by_position(tokens, header, line_no, source)
    _check_tail_types(placed, line_no, source)
    return placed


def _place_by_position(
    tokens: list[tuple[int, str]], header: _Header, line_no: int, source: str
) -> dict[str, str]:
    placed: dict[str, str] = {}
    col = 0
    for pos, tok in tokens:
        while col < len(header.tail) - 1 and header.tail_pos[col] < pos:
            col += 1
        if col >= len(header.tail) or header.tail_pos[col] - pos > _TAB:
            raise InputError(
                source,
                line_no,
                f"cannot tell which column the value {tok!r} belongs to "
                f"(blank cells and misaligned columns); refusing to guess",
            )
        placed[header.tail[col]] = tok
        col += 1
    return placed


def _check_tail_types(placed: dict[str, str], line_no: int, source: str) -> None:
    """A CPU list under a NUMA column (or the reverse) means a shifted cell."""
    for name, value in placed.items():
        if value in NOT_AVAILABLE:
            continue
        pattern = _CPUS_VALUE if name == "CPU Affinity" else _NUMA_VALUE
        if not pattern.match(value):
            raise InputError(
                source,
                line_no,
                f"{name} {value!r} is not a valid value there "
                f"(a cell shifted from its column?)",
            )
        if name != "CPU Affinity":
            node_text_or_error(value, source, line_no, name)


def _gpu_from_row(label: str, tail: dict[str, str], line_no: int, source: str) -> Gpu:
    gpu = Gpu(index=int(label[3:]))
    cpus = tail.get("CPU Affinity", "")
    if cpus not in NOT_AVAILABLE:
        gpu.cpus = cpus_or_error(cpus, source, line_no)
    numa = tail.get("NUMA Affinity", "")
    # `N/A` means the device's numa_node is -1: firmware did not say. Unknown, so
    # never node 0 and never `--membind=N/A`.
    if numa not in NOT_AVAILABLE:
        gpu.numa_node = int(numa)
    return gpu


def _collect_links(
    index: int,
    cells: list[str],
    header: _Header,
    links: dict[tuple[int, int], str],
    line_no: int,
    source: str,
) -> None:
    """Record NV# cells between GPUs once per pair, lower index first."""
    for name, cell in zip(header.matrix, cells, strict=True):
        if not (name.startswith("GPU") and cell.startswith("NV")):
            continue
        pair = (min(index, int(name[3:])), max(index, int(name[3:])))
        seen = links.setdefault(pair, cell)
        if seen != cell:
            raise InputError(
                source,
                line_no,
                f"GPU{pair[0]}-GPU{pair[1]} is {seen} one way and {cell} the other",
            )


def _require_gpu_rows(topo: Topology, header: _Header, source: str) -> None:
    for name in header.matrix:
        if name.startswith("GPU") and int(name[3:]) not in topo.gpus:
            raise InputError(source, header.line_no, f"column {name} has no row")


def _is_pci_only(
    before: list[str], after: list[str], links: dict[tuple[int, int], str]
) -> bool:
    """True for `topo -mp`, which cannot show NVLink (so NVLink is unknown).

    Told by the command line when it was pasted, else by a legend that runs to its
    PIX line without the `NV#` line every `-m` legend carries.
    """
    for line in before:
        if re.search(r"topo\s+(?:-mp|--matrix_pci)\b", line):
            return True
        if re.search(r"topo\s+(?:-m|--matrix)\b", line):
            return False
    if links:
        return False
    legend = [line.strip() for line in after]
    has_pix = any(line.startswith("PIX") and "=" in line for line in legend)
    return has_pix and not any(line.startswith("NV#") for line in legend)
