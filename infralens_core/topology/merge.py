"""Combine several sources read on one host into a single Topology.

Each source knows part of the picture: `nvidia-smi topo -m` gives GPU affinity and
NVLink, `numactl --hardware` node CPUs and memory, `nvidia-smi -L` UUIDs and MIG
slices. A value one source leaves unknown (None) is filled from the next. When two
sources disagree the first one wins and the disagreement is kept in
``Topology.conflicts`` as a sentence naming both sources and both values, so the
user sees it rather than getting a binding built on a silent pick.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from infralens_core.cpulist import format_cpulist
from infralens_core.topology.model import Gpu, Node, Topology


def merge(topologies: list[Topology]) -> Topology:
    """Merge in order; the earlier source wins every conflict."""
    out = Topology()
    m = _Merger(out)
    for topo in topologies:
        m.add(topo)
    if len(topologies) > 1:
        out.conflicts.extend(_affinity_conflicts(out))
        out.conflicts.extend(_unlisted_node_conflicts(out, topologies))
    return out


def _affinity_conflicts(topo: Topology) -> list[str]:
    """GPU CPU affinities that do not fit their node: sources from two hosts.

    A GPU's affinity may be smaller than its node (a cgroup cuts it) but never
    holds CPUs of another node.
    """
    found = []
    for gpu in topo.gpus.values():
        node = topo.nodes.get(gpu.numa_node) if gpu.numa_node is not None else None
        if node is None or node.cpus is None or gpu.cpus is None:
            continue
        outside = gpu.cpus - node.cpus
        if outside:
            found.append(
                f"GPU {gpu.index} CPU affinity {_show(gpu.cpus)} holds CPUs "
                f"{_show(outside)} outside NUMA node {node.id} ({_show(node.cpus)}); "
                "are the sources from one host?"
            )
    return found


def _unlisted_node_conflicts(merged: Topology, sources: list[Topology]) -> list[str]:
    """GPUs on a node that a node-listing source does not have: two hosts' dumps.

    A source that lists nodes with their CPUs or memory (numactl, lscpu, sysfs,
    JSON) lists every node of its host. `nvidia-smi topo -m` only names the nodes
    its GPUs point at, with nothing known about them, so it lists none. (`lscpu -p`
    and `-e` name only nodes holding CPUs; a GPU on a CPU-less node would be
    reported against them wrongly, which no host we know of has.)
    """
    found = []
    for source in sources:
        if not _lists_nodes(source):
            continue
        name = _name(source)
        for gpu in merged.gpus.values():
            if gpu.numa_node is not None and gpu.numa_node not in source.nodes:
                found.append(
                    f"GPU {gpu.index} sits on NUMA node {gpu.numa_node}, which "
                    f"{name} does not list; are the sources from one host?"
                )
    return found


def _lists_nodes(topo: Topology) -> bool:
    return any(
        n.cpus is not None or n.memory_mb is not None for n in topo.nodes.values()
    )


def _name(topo: Topology) -> str:
    """How a source is named in a conflict sentence."""
    return " + ".join(topo.sources) or "an unnamed source"


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return format_cpulist(value) or "(none)"
    return str(value)


class _Merger:
    """Fills ``out`` field by field, remembering which source set each value."""

    def __init__(self, out: Topology) -> None:
        self.out = out
        self.origin: dict[str, str] = {}

    def add(self, topo: Topology) -> None:
        name = _name(topo)
        self.out.sources.extend(topo.sources)
        self.out.conflicts.extend(topo.conflicts)
        for node in topo.nodes.values():
            self._node(node, name)
        for gpu in topo.gpus.values():
            self._gpu(gpu, name)
        for sid, cpus in topo.sockets.items():
            self._dict_value(self.out.sockets, sid, cpus, f"socket {sid} CPUs", name)
        for cpu, sibs in topo.smt_siblings.items():
            self._dict_value(self.out.smt_siblings, cpu, sibs, f"CPU {cpu} SMT", name)
        for key in ("nvlink", "online_cpus", "allowed_cpus", "allowed_mems"):
            self._attr(self.out, key, getattr(topo, key), key.replace("_", " "), name)

    def _attr(self, target: Any, key: str, value: Any, what: str, name: str) -> None:
        """Fill an unknown attribute, or record a conflict with the first value."""
        self._set(
            lambda: getattr(target, key),
            lambda v: setattr(target, key, v),
            value,
            what,
            name,
        )

    def _dict_value(
        self, target: dict, key: Any, value: Any, what: str, name: str
    ) -> None:
        self._set(
            lambda: target.get(key),
            lambda v: target.__setitem__(key, v),
            value,
            what,
            name,
        )

    def _set(
        self,
        get: Callable[[], Any],
        put: Callable[[Any], None],
        value: Any,
        what: str,
        name: str,
    ) -> None:
        if value is None:
            return
        current = get()
        if current is None:
            put(value)
            self.origin[what] = name
        elif _normal(current) != _normal(value):
            first = self.origin.get(what, "an earlier source")
            self.out.conflicts.append(
                f"{what}: {first} says {_show(current)}, {name} says "
                f"{_show(value)}; using {_show(current)}"
            )

    def _node(self, node: Node, name: str) -> None:
        into = self.out.nodes.setdefault(node.id, Node(node.id))
        what = f"NUMA node {node.id}"
        self._attr(into, "cpus", node.cpus, f"{what} CPUs", name)
        self._attr(into, "memory_mb", node.memory_mb, f"{what} memory (MB)", name)
        self._attr(into, "socket", node.socket, f"{what} socket", name)
        # An empty distance map means "not printed", like None elsewhere.
        self._set(
            lambda: into.distances or None,
            lambda v: setattr(into, "distances", dict(v)),
            node.distances or None,
            f"{what} distances",
            name,
        )

    def _gpu(self, gpu: Gpu, name: str) -> None:
        into = self._match_gpu(gpu, name)
        what = f"GPU {into.index}"
        for key in ("numa_node", "cpus", "pci_bus_id", "uuid", "name"):
            label = f"{what} {key.replace('_', ' ')}"
            self._attr(into, key, getattr(gpu, key), label, name)
        if gpu.vendor != into.vendor:
            self.out.conflicts.append(
                f"{what} vendor: {self.origin.get(what, 'an earlier source')} says "
                f"{into.vendor}, {name} says {gpu.vendor}; using {into.vendor}"
            )
        mig = [m.uuid for m in gpu.mig] or None
        if mig and not into.mig:
            into.mig = list(gpu.mig)
        elif mig and mig != [m.uuid for m in into.mig]:
            self.out.conflicts.append(
                f"{what} MIG slices: sources list different slices ({name} "
                f"says {', '.join(mig)}); using the first source's"
            )

    def _match_gpu(self, gpu: Gpu, name: str) -> Gpu:
        """The merged GPU with the same UUID, else the same index, else a new one."""
        by_uuid = self.out.gpu_by_uuid(gpu.uuid) if gpu.uuid else None
        if by_uuid is not None:
            if by_uuid.index != gpu.index:
                self.out.conflicts.append(
                    f"GPU {gpu.uuid}: {self.origin.get(f'GPU {by_uuid.index} uuid')} "
                    f"numbers it {by_uuid.index}, {name} numbers it {gpu.index}; "
                    f"using {by_uuid.index}"
                )
            return by_uuid
        if gpu.index not in self.out.gpus:
            self.out.gpus[gpu.index] = Gpu(gpu.index, vendor=gpu.vendor)
            self.origin[f"GPU {gpu.index}"] = name
        return self.out.gpus[gpu.index]


def _normal(value: Any) -> Any:
    """Compare NVLink lists regardless of order; everything else as is."""
    if isinstance(value, list):
        return sorted(value)
    return value
