"""Choosing the CPUs and memory a workload is bound to, from the host topology.

The rules are those of shared/DOMAIN.md: bind to the NUMA node(s) the GPUs hang
off, take CPU sets from the host, bind memory only where memory exists, and say
in a warning whatever the user may not expect.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from infralens_core.cpulist import format_cpulist
from infralens_core.errors import InputError
from infralens_core.gpuref import GpuRef, resolve
from infralens_core.topology.model import Topology


@dataclass(frozen=True, slots=True)
class Binding:
    """Where one workload runs.

    ``cpus`` is None when no CPU binding can be chosen; ``mem_nodes`` is empty when
    memory is left unbound. ``by_node`` says the CPU set is exactly the CPUs of
    ``cpu_nodes``, so node binding (``--cpunodebind``) is equivalent and clearer.
    """

    gpus: tuple[GpuRef, ...]
    cpus: frozenset[int] | None
    cpu_nodes: tuple[int, ...]
    mem_nodes: tuple[int, ...]
    by_node: bool
    warnings: tuple[str, ...] = ()
    # Written once when the binding is made: every workload sharing this binding
    # prints them in every style. ``cpulist`` is "" when ``cpus`` is None;
    # ``cpu_nodelist``/``mem_nodelist`` are the node lists in CPU-list syntax.
    cpulist: str = field(init=False, repr=False, compare=False)
    cpu_nodelist: str = field(init=False, repr=False, compare=False)
    mem_nodelist: str = field(init=False, repr=False, compare=False)
    vendor: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vendors = {ref.gpu.vendor for ref in self.gpus if ref.gpu}
        derived = {
            "cpulist": "" if self.cpus is None else format_cpulist(self.cpus),
            "cpu_nodelist": format_cpulist(self.cpu_nodes),
            "mem_nodelist": format_cpulist(self.mem_nodes),
            # Mixed or unknown GPUs are treated as NVIDIA, the common case.
            "vendor": vendors.pop() if len(vendors) == 1 else "nvidia",
        }
        for name, value in derived.items():
            object.__setattr__(self, name, value)  # frozen: set once, at creation

    @property
    def describe(self) -> str:
        """One line for the comment above a workload's commands."""
        gpus = ",".join(ref.given for ref in self.gpus)
        nodes = self.cpu_nodelist or "unknown"
        mems = self.mem_nodelist or "unbound"
        cpus = self.cpulist or "unbound"
        return f"GPUs {gpus}; NUMA node(s) {nodes}; memory {mems}; CPUs {cpus}"


def bind(topology, config, workload, source: str = "plan") -> Binding:
    """Decide the binding of one workload; bad references raise InputError."""
    where = f"workload {workload.name!r}"
    refs = tuple(resolve(g, topology, source, f"{where}.gpus") for g in workload.gpus)
    notes: list[str] = _mig_notes(refs, workload, source, where)
    if config.cpu_set_mode == "manual":
        cpus, nodes, by_node = _manual(topology, config.manual_cpus)
    else:
        cpus, nodes, by_node = _auto(topology, config, refs, notes)
    if cpus is not None and not config.smt_siblings:
        cpus, by_node = _drop_smt(topology, cpus, notes), False
    if cpus is not None:
        cpus, by_node = _cut_to_usable(topology, cpus, by_node, notes, where)
    mem_nodes = _memory_nodes(topology, nodes, notes)
    if mem_nodes != nodes:
        by_node = False
    return Binding(refs, cpus, nodes, mem_nodes, by_node, tuple(notes))


def _mig_notes(refs, workload, source: str, where: str) -> list[str]:
    """Check a workload's MIG profile against its slices; say what styles ignore."""
    notes = []
    slices = [r for r in refs if r.mig is not None]
    if len(slices) > 1:
        notes.append(
            "CUDA enumerates one MIG slice per process (MIG user guide): it sees the "
            f"first of {len(slices)}"
        )
    profile = workload.mig_profile
    if profile is None:
        return notes
    for ref in slices:
        if ref.mig.profile and ref.mig.profile != profile:
            raise InputError(
                source,
                f"{where}.mig_profile",
                f"{ref.given} is a {ref.mig.profile} slice, not {profile}",
            )
    whole = [r.given for r in refs if r.mig is None and not r.given.startswith("MIG-")]
    if whole:
        notes.append(
            f"mig_profile {profile} is not applied by launch styles: GPU "
            f"{','.join(whole)} is used whole (a MIG plugin creates slices)"
        )
    return notes


def _auto(topology: Topology, config, refs, notes):
    unknown = [r.given for r in refs if r.gpu is None or r.gpu.numa_node is None]
    gpu_nodes = sorted(
        {r.gpu.numa_node for r in refs if r.gpu and r.gpu.numa_node is not None}
    )
    if unknown:
        notes.append(
            f"NUMA node of GPU {','.join(unknown)} is unknown: no node or memory "
            "binding"
        )
        return _affinity_only(refs), (), False
    if len(gpu_nodes) > 1:
        notes.append(
            f"GPUs {','.join(r.given for r in refs)} sit on NUMA nodes "
            f"{format_cpulist(gpu_nodes)}: bound to their union"
        )
    nodes = _nodes_with_cpus(topology, tuple(gpu_nodes), notes)
    affinity = _affinity_only(refs)
    node_cpus = _node_cpus(topology, nodes)
    if config.cpu_scope == "socket":
        wider = _socket_nodes(topology, nodes, notes)
        wide_cpus = _node_cpus(topology, wider)
        if wide_cpus is not None:
            if affinity is not None and node_cpus is not None and affinity < node_cpus:
                notes.append(
                    f"GPU CPU affinity {format_cpulist(affinity)} is narrower than "
                    f"its node's CPUs (a cgroup may limit it); socket scope binds "
                    f"the whole socket"
                )
            return wide_cpus, wider, True
        # Without the socket's CPUs, keep the node scope rather than guess.
    if affinity is None:
        return node_cpus, nodes, node_cpus is not None
    # nvidia-smi's CPU Affinity is already cut to the caller's cgroup; keep it.
    return affinity, nodes, affinity == node_cpus


def _nodes_with_cpus(topology: Topology, nodes, notes) -> tuple[int, ...]:
    """Swap a node without CPUs (GPU memory, CXL) for the nearest node with CPUs.

    A GPU whose NUMA node is its own HBM (Grace Hopper) has no CPUs there: binding
    `--cpunodebind` to it fails, so its work runs on the nearest CPUs instead.
    """
    chosen: list[int] = []
    for node_id in nodes:
        node = topology.nodes.get(node_id)
        if node is None or node.cpus is None or node.cpus:
            chosen.append(node_id)
            continue
        near = _nearest(topology, node_id, lambda n: bool(n.cpus))
        if near is None:
            chosen.append(node_id)
            continue
        notes.append(
            f"NUMA node {node_id} has no CPUs: CPUs and memory from node "
            f"{near}, the nearest node with CPUs"
        )
        chosen.append(near)
    return tuple(sorted(set(chosen)))


def _affinity_only(refs) -> frozenset[int] | None:
    sets = [r.gpu.cpus for r in refs if r.gpu is not None]
    # An empty affinity says nothing about where the GPU is; treat it as unknown.
    if not sets or not all(sets) or len(sets) != len(refs):
        return None
    return frozenset().union(*sets)


def _node_cpus(topology: Topology, nodes) -> frozenset[int] | None:
    found = [topology.nodes.get(n) for n in nodes]
    if not found or any(n is None or n.cpus is None for n in found):
        return None
    return frozenset().union(*(n.cpus for n in found))


def _socket_nodes(topology: Topology, nodes, notes) -> tuple[int, ...]:
    sockets = {_socket_of(topology, n) for n in nodes}
    if None in sockets:
        notes.append("socket of a NUMA node is unknown: kept the GPUs' own nodes")
        return nodes
    wider = sorted(n for n in topology.nodes if _socket_of(topology, n) in sockets)
    return tuple(wider)


def _socket_of(topology: Topology, node_id: int) -> int | None:
    node = topology.nodes.get(node_id)
    if node is None:
        return None
    if node.socket is not None:
        return node.socket
    for socket, cpus in topology.sockets.items():
        if node.cpus and node.cpus <= cpus:
            return socket
    return None


def _manual(topology: Topology, cpus: frozenset[int]):
    nodes = sorted({n for c in cpus if (n := topology.node_of_cpu(c)) is not None})
    return cpus, tuple(nodes), False


def _drop_smt(topology: Topology, cpus: frozenset[int], notes) -> frozenset[int]:
    if not topology.smt_siblings:
        notes.append("SMT siblings are unknown for this host: kept every CPU")
        return cpus
    # Keep the first thread of each core, as `lscpu -e` lists it.
    return frozenset(
        c for c in cpus if min(topology.smt_siblings.get(c, {c}) & cpus) == c
    )


def _cut_to_usable(topology: Topology, cpus, by_node, notes, where):
    usable = cpus
    for limit, why in (
        (topology.all_cpus(), "not on this host"),
        (topology.online_cpus, "offline"),
        (topology.allowed_cpus, "outside this process's cpuset"),
    ):
        if limit is None:
            continue
        removed = usable - limit
        if removed:
            notes.append(f"left out CPUs {format_cpulist(removed)}: {why}")
            usable = usable & limit
    if not usable:
        raise InputError(
            "--topology",
            where,
            f"none of the CPUs {format_cpulist(cpus) or '(none)'} next to its GPUs "
            "is on this host, online and allowed",
        )
    return usable, by_node and usable == cpus


def _memory_nodes(topology: Topology, nodes, notes) -> tuple[int, ...]:
    chosen: set[int] = set()
    for node_id in nodes:
        if _can_hold_memory(topology, node_id):
            chosen.add(node_id)
            continue
        near = _nearest_with_memory(topology, node_id)
        if near is None:
            notes.append(
                f"NUMA node {node_id} has no usable memory and no other "
                "node does: memory left unbound"
            )
            continue
        notes.append(
            f"NUMA node {node_id} has no memory: memory bound to node "
            f"{near}, the nearest with memory; CPUs bound by CPU list"
        )
        chosen.add(near)
    return tuple(sorted(chosen))


def _can_hold_memory(topology: Topology, node_id: int) -> bool:
    node = topology.nodes.get(node_id)
    allowed = topology.allowed_mems
    return (node is None or node.has_memory) and (allowed is None or node_id in allowed)


def _nearest_with_memory(topology: Topology, node_id: int) -> int | None:
    return _nearest(topology, node_id, lambda n: _can_hold_memory(topology, n.id))


def _nearest(topology: Topology, node_id: int, fits) -> int | None:
    """The node nearest ``node_id`` by the distance matrix that ``fits``."""
    node = topology.nodes.get(node_id)
    distances = node.distances if node else {}
    candidates = [n.id for n in topology.nodes.values() if n.id != node_id and fits(n)]
    if not candidates:
        return None
    # Without a distance matrix every other node counts as equally far.
    return min(candidates, key=lambda n: (distances.get(n, 1 << 30), n))
