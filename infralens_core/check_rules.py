"""Checks across a whole launch line: do its CPUs, memory and GPUs agree?

Single values are checked in ``check.py``; these rules of shared/DOMAIN.md need the
line as a whole: CPUs and memory next to the line's GPUs (rules 1-3), and
nvidia-smi indices read in PCI order (rule 5).
"""

from __future__ import annotations

from infralens_core.cpulist import CpuListError, format_cpulist, parse_cpulist
from infralens_core.launch_line import CPU_NODES, CPUS, HOST_GPUS, MEM_NODES

WARNING = "warning"


def rule_findings(line, facts) -> list[tuple[str, str, str]]:
    """(severity, value, message) for each rule the line breaks."""
    return _device_order(line) + _locality(line, facts.topology)


def _device_order(line) -> list[tuple[str, str, str]]:
    if line.launcher == "docker":
        return []  # the container's own variables are not in the host env
    value = line.env.get("CUDA_VISIBLE_DEVICES", "")
    indices = [item for item in value.split(",") if item.strip().isdigit()]
    if not indices or line.env.get("CUDA_DEVICE_ORDER") == "PCI_BUS_ID":
        return []
    return [
        (
            WARNING,
            f"CUDA_VISIBLE_DEVICES={value}",
            "nvidia-smi indices without CUDA_DEVICE_ORDER=PCI_BUS_ID: CUDA numbers "
            "GPUs fastest first and may open other GPUs",
        )
    ]


def _locality(line, topology) -> list[tuple[str, str, str]]:
    gpus = _line_gpus(line, topology)
    if not gpus:
        return []
    nodes = {gpu.numa_node for gpu in gpus}
    local = _local_cpus(gpus, topology)
    names = ",".join(str(gpu.index) for gpu in gpus)
    found = []
    for ask in line.asks:
        if ask.kind in (CPUS, CPU_NODES) and local is not None:
            cpus = _ask_cpus(ask, topology)
            if cpus and (far := cpus - local):
                found.append(
                    (
                        WARNING,
                        ask.shown,
                        f"CPUs {format_cpulist(far)} are not next to GPU {names} "
                        f"(NUMA node {format_cpulist(nodes)}: {format_cpulist(local)})",
                    )
                )
        elif ask.kind == MEM_NODES:
            found += _far_memory(ask, nodes, names, topology)
    return found


def _line_gpus(line, topology) -> list:
    """The line's GPUs, when every one is a known index with a known NUMA node."""
    refs = [r for a in line.asks if a.kind == HOST_GPUS for r in a.value.split(",")]
    gpus = [topology.gpus.get(int(r)) if r.strip().isdigit() else None for r in refs]
    if not gpus or any(g is None or g.numa_node is None for g in gpus):
        return []
    return gpus


def _local_cpus(gpus, topology) -> frozenset[int] | None:
    local: set[int] = set()
    for gpu in gpus:
        node = topology.nodes.get(gpu.numa_node)
        cpus = node.cpus if node is not None and node.cpus else gpu.cpus
        if cpus is None:
            return None
        local |= cpus
    return frozenset(local)


def _ask_cpus(ask, topology) -> frozenset[int] | None:
    try:
        ids = parse_cpulist(ask.value)
    except CpuListError:
        return None  # check.py reports the malformed list itself
    if ask.kind == CPUS:
        return ids
    nodes = [topology.nodes.get(n) for n in ids]
    if any(n is None or n.cpus is None for n in nodes):
        return None
    return frozenset().union(*(n.cpus for n in nodes))


def _far_memory(ask, nodes, names, topology) -> list[tuple[str, str, str]]:
    try:
        asked = parse_cpulist(ask.value)
    except CpuListError:
        return []
    # A node without memory must borrow from another; only then is far memory meant.
    if not asked - nodes or not all(
        topology.nodes.get(n) is None or topology.nodes[n].has_memory for n in nodes
    ):
        return []
    return [
        (
            WARNING,
            ask.shown,
            f"memory on NUMA node {format_cpulist(asked - nodes)} is not next to GPU "
            f"{names} (NUMA node {format_cpulist(nodes)})",
        )
    ]
