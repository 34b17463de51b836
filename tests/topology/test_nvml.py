"""NVML reader with a fake pynvml fed the values of the real H100 dump."""

from __future__ import annotations

import sys
import types

import pytest

from infralens_core.cpulist import parse_cpulist
from infralens_core.errors import InputError
from infralens_core.topology.nvml import read_nvml, sysfs_bus_id

from .sysfs_trees import NodeSpec, PciSpec, SysfsSpec, build_tree

# 8x H100 SXM on two nodes (tests/data/topologies/nv-h100-8gpu-nv18-2numa-nonic.txt);
# bus ids as an HGX H100 board enumerates them.
BUS = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"]
NODE_CPUS = {0: "0-47,96-143", 1: "48-95,144-191"}
H100 = SysfsSpec(
    nodes={n: NodeSpec(c, 1_000_000) for n, c in NODE_CPUS.items()},
    sockets={0: "0-47,96-143", 1: "48-95,144-191"},
    smt_offset=96,
    pci=[
        PciSpec(f"0000:{b}:00.0", numa_node=i // 4, local_cpulist=NODE_CPUS[i // 4])
        for i, b in enumerate(BUS)
    ],
)


class NVMLError(Exception):
    pass


def fake_pynvml(mig_on: set[int] = frozenset(), fail_init: bool = False):
    """A pynvml stand-in; MIG handles are (gpu, slot) tuples."""
    m = types.ModuleType("pynvml")
    m.NVMLError = NVMLError
    m.NVML_DEVICE_MIG_ENABLE = 1
    m.calls = []

    def init():
        if fail_init:
            raise NVMLError("Driver Not Loaded")

    m.nvmlInit = init
    m.nvmlShutdown = lambda: m.calls.append("shutdown")
    m.nvmlDeviceGetCount = lambda: len(BUS)
    m.nvmlDeviceGetHandleByIndex = lambda i: i
    m.nvmlDeviceGetPciInfo = lambda h: types.SimpleNamespace(
        busId=f"00000000:{BUS[h].upper()}:00.0".encode()
    )

    def uuid(h):
        if isinstance(h, tuple):
            return f"MIG-0000000{h[0]}-0000-5000-8000-00000000000{h[1]}"
        return f"GPU-0000000{h}-0000-0000-0000-000000000000".encode()

    def name(h):
        return "NVIDIA H100 80GB HBM3" + (
            " MIG 1g.10gb" if isinstance(h, tuple) else ""
        )

    m.nvmlDeviceGetUUID = uuid
    m.nvmlDeviceGetName = name
    m.nvmlDeviceGetMigMode = lambda h: (1 if h in mig_on else 0, 0)
    m.nvmlDeviceGetMaxMigDeviceCount = lambda h: 7

    def mig_handle(h, slot):
        if slot >= 2:
            raise NVMLError("Not Found")
        return (h, slot)

    m.nvmlDeviceGetMigDeviceHandleByIndex = mig_handle
    return m


@pytest.fixture
def h100_root(tmp_path):
    return build_tree(tmp_path, H100)


def test_reads_uuid_name_bus_id_and_numa_from_sysfs(monkeypatch, h100_root):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml())
    topo = read_nvml(h100_root)
    assert topo.sources == ["nvml"]
    assert [topo.gpus[i].numa_node for i in range(8)] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert topo.gpus[4].cpus == parse_cpulist("48-95,144-191")
    assert topo.gpus[0].pci_bus_id == "0000:18:00.0"
    assert topo.gpus[0].uuid == "GPU-00000000-0000-0000-0000-000000000000"
    assert topo.gpus[0].name == "NVIDIA H100 80GB HBM3"
    assert sys.modules["pynvml"].calls == ["shutdown"]


def test_mig_slices_with_profile_from_the_slice_name(monkeypatch, h100_root):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(mig_on={3}))
    topo = read_nvml(h100_root)
    assert [(m.uuid, m.profile) for m in topo.gpus[3].mig] == [
        ("MIG-00000003-0000-5000-8000-000000000000", "1g.10gb"),
        ("MIG-00000003-0000-5000-8000-000000000001", "1g.10gb"),
    ]
    assert topo.gpus[2].mig == []


def test_missing_pynvml_is_a_clear_input_error(monkeypatch, h100_root):
    monkeypatch.setitem(sys.modules, "pynvml", None)  # makes the import fail
    with pytest.raises(InputError) as err:
        read_nvml(h100_root)
    assert (err.value.source, err.value.where) == ("local", "nvml")
    assert "pip install" in err.value.message


def test_nvml_that_cannot_start_is_a_clear_input_error(monkeypatch, h100_root):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(fail_init=True))
    with pytest.raises(InputError, match="Driver Not Loaded"):
        read_nvml(h100_root)


def test_no_gpu_is_an_input_error(monkeypatch, h100_root):
    fake = fake_pynvml()
    fake.nvmlDeviceGetCount = lambda: 0
    monkeypatch.setitem(sys.modules, "pynvml", fake)
    with pytest.raises(InputError, match="no GPU"):
        read_nvml(h100_root)
    assert fake.calls == ["shutdown"]


def test_bus_id_in_sysfs_spelling():
    assert sysfs_bus_id("00000000:9A:00.0") == "0000:9a:00.0"
