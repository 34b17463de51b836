"""Read `nvidia-smi -L`: GPU index, name and UUID, and each GPU's MIG slices.

Two MIG forms exist. Drivers from R470 print `MIG 1g.10gb Device 0: (UUID: MIG-…)`;
older ones print `MIG 1g.5gb Device 0: (UUID: MIG-GPU-<gpu uuid>/<gi>/<ci>)`, whose
UUID names the parent GPU itself. Both are kept verbatim: it is the string
CUDA_VISIBLE_DEVICES accepts on that driver.
"""

from __future__ import annotations

import re

from infralens_core.errors import InputError
from infralens_core.topology._common import int_or_error, source_label, strip_ansi
from infralens_core.topology.model import Gpu, MigSlice, Topology

_GPU = re.compile(r"^GPU\s+(\d+):\s*(.*?)\s*\(UUID:\s*(GPU-[^)\s]+)\)\s*$")
_MIG = re.compile(r"^MIG\s+(\S+)\s+Device\s+(\d+):\s*\(UUID:\s*(MIG-[^)\s]+)\)\s*$")
_OLD_MIG = re.compile(r"^MIG-(GPU-[^/]+)/\d+/\d+$")


def looks_like_nvsmi_list(text: str) -> bool:
    """True when some line is a `GPU n: name (UUID: GPU-…)` line."""
    return any(_GPU.match(line.strip()) for line in strip_ansi(text).splitlines())


def parse_nvsmi_list(text: str, source_name: str = "") -> Topology:
    """Read GPUs and their MIG slices; a slice belongs to the GPU line above it."""
    topo = Topology(sources=[source_label("nvidia-smi -L", source_name)])
    current: Gpu | None = None
    for line_no, raw in enumerate(strip_ansi(text).splitlines(), 1):
        line = raw.strip()
        if m := _GPU.match(line):
            current = _new_gpu(topo, m, line_no, source_name)
        elif m := _MIG.match(line):
            _add_slice(topo, current, m, line_no, source_name)
        elif line.startswith("MIG "):
            raise InputError(source_name, line_no, f"unreadable MIG line {line!r}")
    if not topo.gpus:
        raise InputError(source_name, None, "no `GPU n: … (UUID: GPU-…)` line")
    return topo


def _new_gpu(topo: Topology, m: re.Match, line_no: int, source: str) -> Gpu:
    index = int_or_error(m.group(1), source, line_no, "GPU index")
    if index in topo.gpus:
        raise InputError(source, line_no, f"GPU {index} is listed twice")
    # A UUID names one physical GPU; on two indices it is a pasted-together file.
    same = topo.gpu_by_uuid(m.group(3))
    if same is not None:
        raise InputError(
            source, line_no, f"UUID {m.group(3)} is on GPU {same.index} and GPU {index}"
        )
    gpu = Gpu(index=index, name=m.group(2) or None, uuid=m.group(3))
    topo.gpus[index] = gpu
    return gpu


def _add_slice(
    topo: Topology, gpu: Gpu | None, m: re.Match, line_no: int, source: str
) -> None:
    if gpu is None:
        raise InputError(source, line_no, "MIG slice before any GPU line")
    uuid = m.group(3)
    if topo.gpu_of_mig(uuid) is not None:
        raise InputError(source, line_no, f"MIG slice {uuid} is listed twice")
    old = _OLD_MIG.match(uuid)
    # The older form spells out its parent; a mismatch means a mangled paste.
    if old and old.group(1) != gpu.uuid:
        raise InputError(
            source, line_no, f"MIG slice {uuid} names a GPU other than {gpu.uuid}"
        )
    gpu.mig.append(
        MigSlice(
            uuid=uuid,
            profile=m.group(1),
            device=int_or_error(m.group(2), source, line_no, "MIG device"),
        )
    )
