"""Reading topologies: the largest real dump, and a 256-CPU, 8-node sysfs tree."""

from __future__ import annotations

import sys
from pathlib import Path

from infralens_core.topology.load import read_source
from infralens_core.topology.sysfs import read_sysfs

REPO = Path(__file__).resolve().parent.parent
DUMP_DIRS = (REPO.parent / "shared" / "topologies", REPO / "tests/data/topologies")


def largest_dump() -> Path:
    """The biggest dump (by bytes) of the shared set, else of the test data."""
    for folder in DUMP_DIRS:
        dumps = [
            p
            for p in folder.glob("*")
            if p.is_file()
            and p.name != "README.md"
            and not p.name.endswith(".expected.json")
        ]
        if dumps:
            return max(dumps, key=lambda p: (p.stat().st_size, p.name))
    raise RuntimeError(f"no topology dumps in {' or '.join(map(str, DUMP_DIRS))}")


def read_dump(path: Path) -> None:
    read_source(str(path))


def build_dgx_tree(root: Path) -> Path:
    """A DGX A100 sysfs tree: 2 sockets, 8 NUMA nodes, 256 CPUs, 8 GPUs."""
    sys.path.insert(0, str(REPO))
    try:
        from tests.topology.sysfs_trees import DGX_A100, build_tree
    except ImportError:
        return _own_dgx_tree(root)
    finally:
        sys.path.remove(str(REPO))
    return build_tree(root, DGX_A100)


def read_tree(root: Path) -> tuple[int, int]:
    """Read the tree as ``--topology local`` would; returns (CPUs, nodes) seen."""
    topo = read_sysfs(root)
    return len(topo.online_cpus or ()), len(topo.nodes)


def _own_dgx_tree(root: Path) -> Path:
    # Only when the tests' tree builder is missing: the same shape, fewer details.
    def write(rel: str, text: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text + "\n")

    def node_cpus(node: int) -> str:
        return f"{16 * node}-{16 * node + 15},{128 + 16 * node}-{128 + 16 * node + 15}"

    write("sys/devices/system/cpu/online", "0-255")
    for cpu in range(256):
        core = cpu % 128
        topo = f"sys/devices/system/cpu/cpu{cpu}/topology"
        write(f"{topo}/physical_package_id", str(core // 64))
        write(f"{topo}/thread_siblings_list", f"{core},{core + 128}")
    for node in range(8):
        base = f"sys/devices/system/node/node{node}"
        write(f"{base}/cpulist", node_cpus(node))
        write(f"{base}/meminfo", f"Node {node} MemTotal:       132008960 kB")
        row = [10 if o == node else 12 if o // 4 == node // 4 else 32 for o in range(8)]
        write(f"{base}/distance", " ".join(map(str, row)))
    for gpu, node in enumerate((3, 3, 1, 1, 7, 7, 5, 5)):
        dev = f"sys/bus/pci/devices/0000:{gpu + 7:02x}:00.0"
        write(f"{dev}/class", "0x030200")
        write(f"{dev}/vendor", "0x10de")
        write(f"{dev}/numa_node", str(node))
        write(f"{dev}/local_cpulist", node_cpus(node))
    write("proc/self/status", "Cpus_allowed_list:\t0-255\nMems_allowed_list:\t0-7")
    return root
