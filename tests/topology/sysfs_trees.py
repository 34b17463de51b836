"""Build fake sysfs/proc trees from a compact description, for tests on any host.

``build_tree(tmp_path, DGX_A100)`` writes the files `topology/sysfs.py` reads and
returns the root to pass as ``sysfs_root``. Other tests (rendering, binding) use the
ready specs below; vary one with ``dataclasses.replace``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from infralens_core.cpulist import format_cpulist, parse_cpulist

NVIDIA = "0x10de"
AMD = "0x1002"


@dataclass(frozen=True)
class NodeSpec:
    cpus: str  # kernel CPU list; "" for a node without CPUs
    memory_mb: int  # 0 for a node without memory


@dataclass(frozen=True)
class PciSpec:
    bdf: str  # "0000:07:00.0"
    vendor: str = NVIDIA
    pci_class: str = "0x030200"  # 3D controller; NICs are 0x02xxxx
    numa_node: int = -1  # -1 is what the kernel shows when firmware does not say
    local_cpulist: str | None = None


@dataclass(frozen=True)
class SysfsSpec:
    nodes: dict[int, NodeSpec]
    sockets: dict[int, str]  # socket id -> its CPUs, offline ones included
    smt_offset: int | None = None  # CPU n and n + offset share a core
    offline: str = ""  # CPUs that are present but offline
    distances: dict[int, list[int]] = field(default_factory=dict)
    pci: list[PciSpec] = field(default_factory=list)
    allowed_cpus: str | None = None  # Cpus_allowed_list in proc/self/status
    allowed_mems: str | None = None


def build_tree(root: Path, spec: SysfsSpec) -> Path:
    """Write ``spec`` as a sysfs/proc tree under ``root`` and return ``root``."""
    offline = parse_cpulist(spec.offline)
    every = frozenset().union(*(parse_cpulist(c) for c in spec.sockets.values()))
    online = every - offline
    cpu_root = root / "sys/devices/system/cpu"
    _write(cpu_root / "online", format_cpulist(online))
    _write(cpu_root / "possible", format_cpulist(every))
    for socket, cpus in spec.sockets.items():
        for cpu in parse_cpulist(cpus) & online:
            _write_cpu(cpu_root / f"cpu{cpu}", cpu, socket, online, spec.smt_offset)
    _write_nodes(root / "sys/devices/system/node", spec, online)
    for dev in spec.pci:
        _write_pci(root / "sys/bus/pci/devices" / dev.bdf, dev)
    _write_status(root / "proc/self/status", spec, online)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n")


def _write_cpu(
    path: Path, cpu: int, socket: int, online: frozenset[int], offset: int | None
) -> None:
    siblings = {cpu}
    if offset:
        siblings |= {cpu + offset, cpu - offset} & online
    _write(path / "topology/physical_package_id", str(socket))
    _write(path / "topology/thread_siblings_list", format_cpulist(siblings))


def _write_nodes(node_root: Path, spec: SysfsSpec, online: frozenset[int]) -> None:
    ids = sorted(spec.nodes)
    for nid, node in spec.nodes.items():
        path = node_root / f"node{nid}"
        # The kernel drops offline CPUs from a node's cpulist.
        _write(path / "cpulist", format_cpulist(parse_cpulist(node.cpus) & online))
        kb = node.memory_mb * 1024
        _write(
            path / "meminfo",
            f"Node {nid} MemTotal:       {kb} kB\n"
            f"Node {nid} MemFree:        {kb // 2} kB",
        )
        row = spec.distances.get(nid) or [10 if o == nid else 20 for o in ids]
        _write(path / "distance", " ".join(map(str, row)))
    _write(node_root / "online", format_cpulist(ids))


def _write_pci(path: Path, dev: PciSpec) -> None:
    _write(path / "class", dev.pci_class)
    _write(path / "vendor", dev.vendor)
    _write(path / "numa_node", str(dev.numa_node))
    if dev.local_cpulist is not None:
        _write(path / "local_cpulist", dev.local_cpulist)


def _write_status(path: Path, spec: SysfsSpec, online: frozenset[int]) -> None:
    cpus = spec.allowed_cpus or format_cpulist(online)
    mems = spec.allowed_mems or format_cpulist(spec.nodes)
    _write(
        path,
        f"Name:\tpython3\nCpus_allowed:\tffff\nCpus_allowed_list:\t{cpus}\n"
        f"Mems_allowed_list:\t{mems}\nvoluntary_ctxt_switches:\t1",
    )


def _dgx_distance(a: int, b: int) -> int:
    return 10 if a == b else 12 if a // 4 == b // 4 else 32


# DGX A100: 2x EPYC 7742 in NPS4, so 8 NUMA nodes of 16 cores; CPU n and n+128 are
# SMT siblings. GPU bus ids, nodes (3,3,1,1,7,7,5,5) and CPU lists as on the real
# machine (tests/data/topologies/nv-dgx-a100-nps4-mlx5cols-tabs.txt).
_DGX_GPUS = [
    ("0000:07:00.0", 3),
    ("0000:0f:00.0", 3),
    ("0000:47:00.0", 1),
    ("0000:4e:00.0", 1),
    ("0000:87:00.0", 7),
    ("0000:90:00.0", 7),
    ("0000:b7:00.0", 5),
    ("0000:bd:00.0", 5),
]


def _dgx_cpus(node: int) -> str:
    return f"{16 * node}-{16 * node + 15},{128 + 16 * node}-{128 + 16 * node + 15}"


DGX_A100 = SysfsSpec(
    nodes={n: NodeSpec(_dgx_cpus(n), 128_915) for n in range(8)},
    sockets={0: "0-63,128-191", 1: "64-127,192-255"},
    smt_offset=128,
    distances={a: [_dgx_distance(a, b) for b in range(8)] for a in range(8)},
    pci=[
        PciSpec(bdf, numa_node=node, local_cpulist=_dgx_cpus(node))
        for bdf, node in _DGX_GPUS
    ]
    + [
        # A ConnectX port and the BMC's VGA: neither is a GPU to bind to.
        PciSpec("0000:0c:00.0", "0x15b3", "0x020700", 3, _dgx_cpus(3)),
        PciSpec("0000:c2:00.0", "0x1a03", "0x030000", 6, _dgx_cpus(6)),
    ],
)

# Grace-Hopper-like: node 0 holds all 72 CPUs and LPDDR; node 1 is the GPU's HBM
# (memory, no CPUs); nodes 2-3 are empty placeholders for MIG memory (no CPUs, 0 MB).
MEMORY_ONLY_NODES = SysfsSpec(
    nodes={
        0: NodeSpec("0-71", 491_520),
        1: NodeSpec("", 97_280),
        2: NodeSpec("", 0),
        3: NodeSpec("", 0),
    },
    sockets={0: "0-71"},
    distances={
        0: [10, 80, 80, 80],
        1: [80, 10, 255, 255],
        2: [80, 255, 10, 255],
        3: [80, 255, 255, 10],
    },
    pci=[PciSpec("0009:01:00.0", numa_node=0, local_cpulist="0-71")],
)

# Threadripper 3960X in NPS4 (tests/data/.../numactl-threadripper-*.txt): every node
# has CPUs, but nodes 0 and 3 have no memory. One GPU hangs off memory-less node 3.
MEMORYLESS_CPU_NODES = SysfsSpec(
    nodes={
        0: NodeSpec("0-5,24-29", 0),
        1: NodeSpec("6-11,30-35", 64_307),
        2: NodeSpec("12-17,36-41", 64_472),
        3: NodeSpec("18-23,42-47", 0),
    },
    sockets={0: "0-47"},
    smt_offset=24,
    distances={a: [10 if a == b else 12 for b in range(4)] for a in range(4)},
    pci=[PciSpec("0000:41:00.0", numa_node=3, local_cpulist="18-23,42-47")],
)
