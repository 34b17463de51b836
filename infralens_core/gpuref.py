"""Resolving a plan's GPU references (index, GPU UUID, MIG UUID) on a topology."""

from __future__ import annotations

from dataclasses import dataclass

from infralens_core.errors import InputError
from infralens_core.topology.model import Gpu, MigSlice, Topology


@dataclass(frozen=True, slots=True)
class GpuRef:
    """A GPU reference as given, with the GPU it names when the topology knows it."""

    given: str
    gpu: Gpu | None = None
    mig: MigSlice | None = None

    @property
    def is_index(self) -> bool:
        return self.given.isdigit()


def resolve(given: str, topology: Topology, source: str, where: str) -> GpuRef:
    """Find the GPU behind a reference, refusing one the host does not have.

    A reference the topology cannot check (it lists no GPUs, or no UUIDs) resolves
    to an unknown GPU; the binding then says it could not place it.
    """
    if given.isdigit():
        return _by_index(int(given), topology, source, where)
    if given.startswith("MIG-"):
        return _by_mig(given, topology, source, where)
    return _by_uuid(given, topology, source, where)


def _by_index(index: int, topology: Topology, source: str, where: str) -> GpuRef:
    if not topology.gpus:
        return GpuRef(str(index))
    gpu = topology.gpus.get(index)
    if gpu is None:
        have = ",".join(str(i) for i in sorted(topology.gpus))
        raise InputError(
            source,
            where,
            f"GPU {index} is not on this host (the topology lists GPUs {have})",
        )
    return GpuRef(str(index), gpu)


def _by_uuid(uuid: str, topology: Topology, source: str, where: str) -> GpuRef:
    gpu = topology.gpu_by_uuid(uuid)
    if gpu is not None:
        return GpuRef(uuid, gpu)
    if any(g.uuid for g in topology.gpus.values()):
        raise InputError(source, where, f"{uuid} is not on this host")
    return GpuRef(uuid)


def _by_mig(uuid: str, topology: Topology, source: str, where: str) -> GpuRef:
    found = topology.gpu_of_mig(uuid)
    if found is None:
        found = _legacy_mig(uuid, topology)
    if found is not None:
        return GpuRef(uuid, found[0], found[1])
    if any(g.mig or g.uuid for g in topology.gpus.values()):
        raise InputError(
            source,
            where,
            f"MIG slice {uuid} has no parent GPU in "
            "the topology (is it listed by nvidia-smi -L?)",
        )
    return GpuRef(uuid)


def _legacy_mig(uuid: str, topology: Topology) -> tuple[Gpu, MigSlice] | None:
    # Drivers before R470 name a slice MIG-GPU-<parent uuid>/<gi>/<ci>.
    parent_uuid = uuid.removeprefix("MIG-").split("/", 1)[0]
    parent = topology.gpu_by_uuid(parent_uuid)
    if parent is None or "/" not in uuid:
        return None
    return parent, MigSlice(uuid=uuid)
