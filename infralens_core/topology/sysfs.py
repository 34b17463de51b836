"""Read the local host's topology from sysfs and /proc, under a configurable root.

Tests point ``root`` at a fixture tree; the CLI uses "/". Reads stay lean because
this runs at start-up: node CPU lists come from one file per node, and per-CPU files
are read once per core (every SMT sibling of a core shares its answers).
"""

from __future__ import annotations

import os
from pathlib import Path

from infralens_core.errors import InputError
from infralens_core.topology._common import (
    cpus_or_error,
    node_text_or_error,
    nodes_or_error,
    refuse_cpus_elsewhere,
    source_label,
)
from infralens_core.topology.model import Gpu, Node, Topology

_NODE_DIR = "sys/devices/system/node"
_CPU_DIR = "sys/devices/system/cpu"
_PCI_DIR = "sys/bus/pci/devices"
# PCI vendor ids of the GPUs we bind to, and the vendor name Gpu.vendor uses.
GPU_VENDORS = {"0x10de": "nvidia", "0x1002": "amd"}


def read_sysfs(
    root: str | os.PathLike = "/", *, status_path: str | None = None
) -> Topology:
    """Nodes, sockets, SMT siblings, online CPUs, GPUs and the allowed sets.

    ``status_path`` overrides ``<root>/proc/self/status`` (for reading another
    process's Cpus_allowed_list, or a fixture).
    """
    base = Path(root)
    online_file = base / _CPU_DIR / "online"
    if not online_file.is_file():
        raise InputError(str(online_file), None, "no sysfs CPU information here")
    label = source_label("sysfs", None if str(root) == "/" else str(root))
    topo = Topology(sources=[label])
    topo.online_cpus = _cpulist_file(online_file)
    topo.nodes = _read_nodes(base / _NODE_DIR)
    _read_cpu_topology(base / _CPU_DIR, topo)
    _assign_node_sockets(topo)
    topo.gpus = read_pci_gpus(base)
    status = Path(status_path) if status_path else base / "proc/self/status"
    _read_status(status, topo)
    return topo


def _read(path: Path) -> str:
    """A sysfs file's text; a missing or unreadable file is the input's fault."""
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read().strip()
    except OSError as exc:
        raise InputError(str(path), None, exc.strerror or str(exc)) from None


def _cpulist_file(path: Path) -> frozenset[int]:
    return cpus_or_error(_read(path), str(path), None)


def _node_dirs(node_root: Path) -> dict[int, Path]:
    if not node_root.is_dir():
        return {}  # a kernel without NUMA support has no node directory
    dirs = {}
    for entry in os.scandir(node_root):
        digits = entry.name[4:]
        if entry.name.startswith("node") and digits.isascii() and digits.isdigit():
            dirs[node_text_or_error(digits, entry.path, None)] = Path(entry.path)
    return dirs


def _read_nodes(node_root: Path) -> dict[int, Node]:
    """Each node's CPUs, MemTotal (kB -> MB) and distance row."""
    dirs = _node_dirs(node_root)
    ids = sorted(dirs)
    nodes = {}
    for nid in ids:
        path = dirs[nid]
        node = Node(nid, _cpulist_file(path / "cpulist"))
        refuse_cpus_elsewhere(nodes, nid, node.cpus, str(path / "cpulist"), None)
        node.memory_mb = _mem_total_mb(path / "meminfo")
        node.distances = _distances(path / "distance", ids)
        nodes[nid] = node
    return nodes


def _mem_total_mb(path: Path) -> int | None:
    if not path.is_file():
        return None
    for line in _read(path).splitlines():
        # "Node 0 MemTotal:       65846988 kB"
        words = line.split()
        if len(words) >= 4 and words[2] == "MemTotal:" and words[3].isdigit():
            return int(words[3]) // 1024
    raise InputError(str(path), None, "no MemTotal line")


def _distances(path: Path, ids: list[int]) -> dict[int, int]:
    # The kernel prints one distance per online node, in node id order.
    if not path.is_file():
        return {}
    values = _read(path).split()
    if len(values) != len(ids) or not all(v.isdigit() for v in values):
        raise InputError(str(path), None, f"expected {len(ids)} distances")
    return dict(zip(ids, map(int, values), strict=True))


def _read_cpu_topology(cpu_root: Path, topo: Topology) -> None:
    """Sockets and SMT siblings, reading one CPU per core.

    Offline CPUs have no topology directory, so only online ones are read.
    """
    for cpu in sorted(topo.online_cpus or ()):
        if cpu in topo.smt_siblings:
            continue
        tdir = cpu_root / f"cpu{cpu}" / "topology"
        if not tdir.is_dir():
            continue
        siblings = _cpulist_file(tdir / "thread_siblings_list") | {cpu}
        package = _read(tdir / "physical_package_id")
        if not package.lstrip("-").isdigit():
            raise InputError(str(tdir / "physical_package_id"), None, "not a number")
        for sibling in siblings:
            topo.smt_siblings[sibling] = siblings
        if int(package) >= 0:
            socket = topo.sockets.get(int(package), frozenset())
            topo.sockets[int(package)] = socket | siblings


def _assign_node_sockets(topo: Topology) -> None:
    """A node's socket is the one holding all its CPUs (none for CPU-less nodes)."""
    for node in topo.nodes.values():
        owners = {
            s for s, cpus in topo.sockets.items() if node.cpus and node.cpus & cpus
        }
        if len(owners) == 1:
            node.socket = owners.pop()


def read_pci_gpus(root: str | os.PathLike = "/") -> dict[int, Gpu]:
    """NVIDIA and AMD display controllers, numbered per vendor in PCI bus order.

    nvidia-smi's default order is PCI bus order, so this index matches its GPU index.
    """
    pci_root = Path(root) / _PCI_DIR
    if not pci_root.is_dir():
        return {}
    found: dict[str, list[Gpu]] = {}
    for entry in sorted(os.scandir(pci_root), key=lambda e: e.name.lower()):
        path = Path(entry.path)
        if not _read(path / "class").startswith("0x03"):
            continue  # not a display controller (class 0x03xxxx)
        vendor = GPU_VENDORS.get(_read(path / "vendor").lower())
        if vendor is None:
            continue
        gpus = found.setdefault(vendor, [])
        gpus.append(_pci_gpu(path, len(gpus), vendor))
    # Indices are per vendor; on a host with both, AMD GPUs follow the NVIDIA ones
    # so no two share a key (each tool still numbers its own from 0).
    result: dict[int, Gpu] = {}
    for gpu in found.get("nvidia", []) + found.get("amd", []):
        if gpu.index in result:
            gpu.index = max(result) + 1
        result[gpu.index] = gpu
    return result


def _pci_gpu(path: Path, index: int, vendor: str) -> Gpu:
    gpu = Gpu(index=index, pci_bus_id=path.name.lower(), vendor=vendor)
    gpu.numa_node = pci_numa_node(path)
    local = path / "local_cpulist"
    if local.is_file():
        gpu.cpus = _cpulist_file(local)
    return gpu


def pci_numa_node(path: Path) -> int | None:
    """The device's NUMA node; -1 (firmware did not say) becomes None."""
    node_file = path / "numa_node"
    if not node_file.is_file():
        return None
    value = _read(node_file)
    # The kernel writes -1 or a node id; any other value is not a node to bind to.
    if value == "-1":
        return None
    return node_text_or_error(value, str(node_file), None, "numa_node")


def _read_status(path: Path, topo: Topology) -> None:
    """Cpus_allowed_list and Mems_allowed_list: the cgroup/cpuset-cut sets."""
    if not path.is_file():
        return
    for line in _read(path).splitlines():
        key, _, value = line.partition(":")
        if key == "Cpus_allowed_list":
            topo.allowed_cpus = cpus_or_error(value, str(path), key)
        elif key == "Mems_allowed_list":
            topo.allowed_mems = nodes_or_error(value, str(path), key)
