"""Read NVIDIA GPUs through NVML (`pynvml`, from the optional `nvml` extra).

NVML gives what sysfs cannot: GPU UUIDs, names and MIG slices. It numbers GPUs as
nvidia-smi does. The NUMA node and local CPUs come from sysfs for the GPU's PCI bus
id, because NVML's own NUMA call is missing from older drivers. pynvml is imported
only when this runs, so a host without it pays nothing at start-up.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from infralens_core.errors import InputError
from infralens_core.topology._common import cpus_or_error
from infralens_core.topology.model import Gpu, MigSlice, Topology
from infralens_core.topology.sysfs import pci_numa_node

_PCI_DIR = "sys/bus/pci/devices"


def read_nvml(sysfs_root: str | os.PathLike = "/") -> Topology:
    """Every GPU NVML sees, with its MIG slices.

    Raises InputError("local", "nvml", …) when pynvml is not installed, NVML cannot
    start (no driver) or it finds no GPU; the caller decides whether that matters.
    """
    nvml = _import_pynvml()
    try:
        nvml.nvmlInit()
    except Exception as exc:  # pynvml raises NVMLError subclasses built at runtime
        raise InputError("local", "nvml", f"NVML did not start: {exc}") from None
    try:
        topo = Topology(sources=["nvml"])
        for index in range(nvml.nvmlDeviceGetCount()):
            handle = nvml.nvmlDeviceGetHandleByIndex(index)
            topo.gpus[index] = _read_gpu(nvml, handle, index, Path(sysfs_root))
    except InputError:
        raise
    except Exception as exc:  # an NVMLError from any query: report, don't trace
        raise InputError("local", "nvml", f"NVML query failed: {exc}") from None
    finally:
        _shutdown(nvml)
    if not topo.gpus:
        raise InputError("local", "nvml", "NVML found no GPU")
    return topo


def _import_pynvml() -> Any:
    try:
        return importlib.import_module("pynvml")
    except ImportError:
        raise InputError(
            "local",
            "nvml",
            "pynvml is not installed (pip install 'infralens-core[nvml]')",
        ) from None


def _shutdown(nvml: Any) -> None:
    try:
        nvml.nvmlShutdown()
    except Exception:  # noqa: BLE001 - shutdown failure after reading changes nothing
        pass


def _text(value: str | bytes) -> str:
    # pynvml before 11.5 returns bytes, later versions str.
    return value.decode() if isinstance(value, bytes) else value


def _read_gpu(nvml: Any, handle: Any, index: int, root: Path) -> Gpu:
    bus_id = sysfs_bus_id(_text(nvml.nvmlDeviceGetPciInfo(handle).busId))
    gpu = Gpu(
        index=index,
        uuid=_text(nvml.nvmlDeviceGetUUID(handle)),
        name=_text(nvml.nvmlDeviceGetName(handle)),
        pci_bus_id=bus_id,
    )
    device = root / _PCI_DIR / bus_id
    if device.is_dir():
        gpu.numa_node = pci_numa_node(device)
        local = device / "local_cpulist"
        if local.is_file():
            gpu.cpus = cpus_or_error(local.read_text().strip(), str(local), None)
    gpu.mig = _mig_slices(nvml, handle)
    return gpu


def sysfs_bus_id(nvml_bus_id: str) -> str:
    """NVML's `00000000:07:00.0` as sysfs names it: `0000:07:00.0`, lower case."""
    domain, _, rest = nvml_bus_id.strip().partition(":")
    return f"{domain[-4:]}:{rest}".lower()


def _mig_slices(nvml: Any, handle: Any) -> list[MigSlice]:
    """The GPU's MIG slices in device order; none when MIG is off or unsupported."""
    try:
        current, _pending = nvml.nvmlDeviceGetMigMode(handle)
    except nvml.NVMLError:
        return []  # a GPU without MIG support answers NOT_SUPPORTED
    if current != nvml.NVML_DEVICE_MIG_ENABLE:
        return []
    slices = []
    for i in range(nvml.nvmlDeviceGetMaxMigDeviceCount(handle)):
        try:
            mig = nvml.nvmlDeviceGetMigDeviceHandleByIndex(handle, i)
        except nvml.NVMLError:
            continue  # unused slot: NVML answers NOT_FOUND
        name = _text(nvml.nvmlDeviceGetName(mig))
        # A slice's name is the parent's plus its profile: "… MIG 1g.10gb".
        profile = name.rsplit("MIG ", 1)[1] if "MIG " in name else None
        slices.append(MigSlice(_text(nvml.nvmlDeviceGetUUID(mig)), profile, i))
    return slices
