"""The host topology every source is read into: NUMA nodes, sockets, CPUs and GPUs.

``None`` always means "this source does not say", never zero or empty: a node with
``memory_mb == 0`` has no memory, a node with ``memory_mb is None`` has an unknown
amount. Readers fill what their source shows; ``merge`` combines several.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infralens_core.cpulist import format_cpulist


@dataclass
class Node:
    """A NUMA node: a memory domain and the CPUs closest to it."""

    id: int
    cpus: frozenset[int] | None = None
    memory_mb: int | None = None
    socket: int | None = None
    # Node id -> ACPI SLIT distance (10 = local), as `numactl --hardware` prints.
    distances: dict[int, int] = field(default_factory=dict)

    @property
    def has_memory(self) -> bool:
        """False only when a source said the node holds no memory."""
        return self.memory_mb != 0


@dataclass
class MigSlice:
    """A MIG slice of a GPU, addressed by its ``MIG-…`` UUID."""

    uuid: str
    profile: str | None = None
    device: int | None = None


@dataclass
class Gpu:
    """A GPU as the vendor tool numbers it (nvidia-smi or rocm-smi index)."""

    index: int
    numa_node: int | None = None
    cpus: frozenset[int] | None = None
    pci_bus_id: str | None = None
    uuid: str | None = None
    name: str | None = None
    vendor: str = "nvidia"
    mig: list[MigSlice] = field(default_factory=list)


@dataclass
class Topology:
    """One host's topology, as far as its sources tell."""

    nodes: dict[int, Node] = field(default_factory=dict)
    gpus: dict[int, Gpu] = field(default_factory=dict)
    # Socket id -> its CPUs; empty when no source maps CPUs to sockets.
    sockets: dict[int, frozenset[int]] = field(default_factory=dict)
    # CPU -> the CPUs sharing its core, itself included.
    smt_siblings: dict[int, frozenset[int]] = field(default_factory=dict)
    # (a, b, "NV#") with a < b, once per pair; None when the source cannot show NVLink.
    nvlink: list[tuple[int, int, str]] | None = None
    online_cpus: frozenset[int] | None = None
    allowed_cpus: frozenset[int] | None = None
    allowed_mems: frozenset[int] | None = None
    # What was read, e.g. ["nvidia-smi topo -m", "numactl --hardware"].
    sources: list[str] = field(default_factory=list)
    # Disagreements found while merging sources, as sentences for the user.
    conflicts: list[str] = field(default_factory=list)

    def node_of_cpu(self, cpu: int) -> int | None:
        for node in self.nodes.values():
            if node.cpus and cpu in node.cpus:
                return node.id
        return None

    def all_cpus(self) -> frozenset[int] | None:
        """Every CPU any source names, or None when none does."""
        found: set[int] = set()
        for node in self.nodes.values():
            found |= node.cpus or frozenset()
        for cpus in self.sockets.values():
            found |= cpus
        found |= self.online_cpus or frozenset()
        return frozenset(found) if found else None

    def gpu_by_uuid(self, uuid: str) -> Gpu | None:
        for gpu in self.gpus.values():
            if gpu.uuid == uuid:
                return gpu
        return None

    def gpu_of_mig(self, uuid: str) -> tuple[Gpu, MigSlice] | None:
        for gpu in self.gpus.values():
            for mig in gpu.mig:
                if mig.uuid == uuid:
                    return gpu, mig
        return None

    def to_json(self) -> dict:
        """The stable JSON shape of ``infralens topology --format json``."""
        out: dict = {
            "sources": list(self.sources),
            "nodes": [_node_json(self.nodes[i]) for i in sorted(self.nodes)],
            "gpus": [_gpu_json(self.gpus[i]) for i in sorted(self.gpus)],
        }
        if self.sockets:
            out["sockets"] = {
                str(s): format_cpulist(cpus) for s, cpus in sorted(self.sockets.items())
            }
        if self.smt_siblings:
            # One CPU list per core, single-thread cores too: "no SMT" is a fact.
            groups = set(self.smt_siblings.values())
            out["smt_siblings"] = [format_cpulist(g) for g in sorted(groups, key=min)]
        if self.nvlink is not None:
            out["nvlink"] = [[a, b, kind] for a, b, kind in sorted(self.nvlink)]
        for key in ("online_cpus", "allowed_cpus", "allowed_mems"):
            value = getattr(self, key)
            if value is not None:
                out[key] = format_cpulist(value)
        if self.conflicts:
            out["conflicts"] = list(self.conflicts)
        return out


def _cpus_json(cpus: frozenset[int] | None) -> str | None:
    return None if cpus is None else format_cpulist(cpus)


def _node_json(node: Node) -> dict:
    out = {
        "id": node.id,
        "cpus": _cpus_json(node.cpus),
        "memory_mb": node.memory_mb,
        "socket": node.socket,
    }
    if node.distances:
        out["distances"] = {str(k): v for k, v in sorted(node.distances.items())}
    return out


def _gpu_json(gpu: Gpu) -> dict:
    return {
        "index": gpu.index,
        "numa_node": gpu.numa_node,
        "cpus": _cpus_json(gpu.cpus),
        "pci_bus_id": gpu.pci_bus_id,
        "uuid": gpu.uuid,
        "name": gpu.name,
        "vendor": gpu.vendor,
        "mig": [{"uuid": m.uuid, "profile": m.profile} for m in gpu.mig],
    }
