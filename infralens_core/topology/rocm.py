"""Read `rocm-smi --showtoponuma`: the NUMA node of each AMD GPU.

rocm-smi prints two lines per GPU, `GPU[n]<tabs>: (Topology) Numa Node: N` and
`… Numa Affinity: N`, between `=====` banners. It prints no CPU lists; those come
from numactl, lscpu or sysfs. A node of -1 means the firmware did not say.
"""

from __future__ import annotations

import re

from infralens_core.errors import InputError
from infralens_core.topology._common import (
    int_or_error,
    node_text_or_error,
    source_label,
    strip_ansi,
)
from infralens_core.topology.model import Gpu, Topology

_LINE = re.compile(
    r"^GPU\[(\d+)\]\s*:\s*(?:\(Topology\)\s*)?Numa (Node|Affinity):\s*(-?\d+|N/A)\s*$",
    re.IGNORECASE,
)


def looks_like_rocm(text: str) -> bool:
    """True when some line is a `GPU[n] : (Topology) Numa Node: N` line."""
    return any(_LINE.match(line.strip()) for line in strip_ansi(text).splitlines())


def parse_rocm(text: str, source_name: str = "") -> Topology:
    """Read each GPU's NUMA node; `Numa Node` wins over `Numa Affinity`."""
    topo = Topology(sources=[source_label("rocm-smi --showtoponuma", source_name)])
    from_node_line: set[int] = set()
    for line_no, raw in enumerate(strip_ansi(text).splitlines(), 1):
        m = _LINE.match(raw.strip())
        if not m:
            continue
        index = int_or_error(m.group(1), source_name, line_no, "GPU index")
        what = m.group(2).lower()
        node = _node(m.group(3), source_name, line_no)
        gpu = topo.gpus.setdefault(index, Gpu(index=index, vendor="amd"))
        if what == "node":
            gpu.numa_node = node
            from_node_line.add(index)
        elif index not in from_node_line and gpu.numa_node is None:
            gpu.numa_node = node
    if not topo.gpus:
        raise InputError(source_name, None, "no `GPU[n] : Numa Node` lines")
    return topo


def _node(value: str, source: str, line_no: int) -> int | None:
    """The node id; N/A and -1 (firmware did not say) are unknown."""
    if value.upper() == "N/A" or value == "-1":
        return None
    return node_text_or_error(value, source, line_no)
