"""sysfs reader on fixture trees built by sysfs_trees.build_tree."""

from __future__ import annotations

import dataclasses
import time

import pytest

from infralens_core.cpulist import parse_cpulist
from infralens_core.errors import InputError
from infralens_core.topology.sysfs import read_sysfs

from .sysfs_trees import (
    AMD,
    DGX_A100,
    MEMORY_ONLY_NODES,
    MEMORYLESS_CPU_NODES,
    PciSpec,
    build_tree,
)


def cpus(text: str) -> frozenset[int]:
    return parse_cpulist(text)


def test_dgx_a100_nodes_sockets_and_smt(tmp_path):
    topo = read_sysfs(build_tree(tmp_path, DGX_A100))
    assert sorted(topo.nodes) == list(range(8))
    assert topo.nodes[3].cpus == cpus("48-63,176-191")
    assert topo.nodes[3].memory_mb == 128_915
    assert topo.nodes[3].distances[7] == 32 and topo.nodes[3].distances[0] == 12
    assert [topo.nodes[n].socket for n in range(8)] == [0, 0, 0, 0, 1, 1, 1, 1]
    assert topo.sockets == {0: cpus("0-63,128-191"), 1: cpus("64-127,192-255")}
    assert topo.smt_siblings[5] == frozenset({5, 133})
    assert topo.smt_siblings[133] == frozenset({5, 133})
    assert topo.online_cpus == cpus("0-255")


def test_dgx_a100_gpus_in_pci_order_skip_nics_and_bmc_vga(tmp_path):
    topo = read_sysfs(build_tree(tmp_path, DGX_A100))
    assert [topo.gpus[i].numa_node for i in range(8)] == [3, 3, 1, 1, 7, 7, 5, 5]
    assert topo.gpus[0].pci_bus_id == "0000:07:00.0"
    assert topo.gpus[6].cpus == cpus("80-95,208-223")
    assert len(topo.gpus) == 8


def test_memory_only_nodes_have_empty_cpus_and_no_socket(tmp_path):
    topo = read_sysfs(build_tree(tmp_path, MEMORY_ONLY_NODES))
    assert topo.nodes[1].cpus == frozenset() and topo.nodes[1].memory_mb == 97_280
    assert topo.nodes[2].memory_mb == 0 and not topo.nodes[2].has_memory
    assert topo.nodes[1].socket is None
    assert topo.smt_siblings[7] == frozenset({7})


def test_memoryless_cpu_nodes(tmp_path):
    topo = read_sysfs(build_tree(tmp_path, MEMORYLESS_CPU_NODES))
    assert [topo.nodes[n].memory_mb for n in range(4)] == [0, 64_307, 64_472, 0]
    assert topo.nodes[3].cpus == cpus("18-23,42-47")
    assert topo.gpus[0].numa_node == 3
    assert topo.smt_siblings[18] == frozenset({18, 42})


def test_offline_cpus_are_left_out_of_online_nodes_and_siblings(tmp_path):
    spec = dataclasses.replace(MEMORYLESS_CPU_NODES, offline="5,29")
    topo = read_sysfs(build_tree(tmp_path, spec))
    assert 5 not in topo.online_cpus and 29 not in topo.online_cpus
    assert topo.nodes[0].cpus == cpus("0-4,24-28")
    assert 5 not in topo.smt_siblings
    assert topo.smt_siblings[4] == frozenset({4, 28})


def test_gpu_numa_node_minus_one_is_unknown(tmp_path):
    spec = dataclasses.replace(
        MEMORY_ONLY_NODES, pci=[PciSpec("0000:01:00.0", numa_node=-1)]
    )
    topo = read_sysfs(build_tree(tmp_path, spec))
    assert topo.gpus[0].numa_node is None
    assert topo.gpus[0].cpus is None


def test_cgroup_restricted_allowed_cpus_and_mems(tmp_path):
    spec = dataclasses.replace(DGX_A100, allowed_cpus="48-55,176-183", allowed_mems="3")
    topo = read_sysfs(build_tree(tmp_path, spec))
    assert topo.allowed_cpus == cpus("48-55,176-183")
    assert topo.allowed_mems == frozenset({3})
    # The node's own CPU list stays whole; the cut is kept apart.
    assert topo.nodes[3].cpus == cpus("48-63,176-191")


def test_status_path_can_be_passed(tmp_path):
    root = build_tree(tmp_path / "root", DGX_A100)
    status = tmp_path / "status"
    status.write_text("Cpus_allowed_list:\t0-3\nMems_allowed_list:\t0\n")
    topo = read_sysfs(root, status_path=str(status))
    assert topo.allowed_cpus == cpus("0-3")


def test_amd_gpus_are_numbered_in_pci_order(tmp_path):
    spec = dataclasses.replace(
        MEMORY_ONLY_NODES,
        pci=[
            PciSpec("0000:c1:00.0", AMD, "0x038000", 0, "0-71"),
            PciSpec("0000:03:00.0", AMD, "0x038000", 0, "0-71"),
        ],
    )
    topo = read_sysfs(build_tree(tmp_path, spec))
    assert [(g.index, g.pci_bus_id, g.vendor) for g in topo.gpus.values()] == [
        (0, "0000:03:00.0", "amd"),
        (1, "0000:c1:00.0", "amd"),
    ]


def test_missing_sysfs_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no sysfs CPU information"):
        read_sysfs(tmp_path)


def test_garbage_numa_node_is_an_input_error_naming_the_file(tmp_path):
    root = build_tree(tmp_path, MEMORY_ONLY_NODES)
    (root / "sys/bus/pci/devices/0009:01:00.0/numa_node").write_text("zero\n")
    with pytest.raises(InputError) as err:
        read_sysfs(root)
    assert err.value.source.endswith("0009:01:00.0/numa_node")


def test_256_cpu_8_node_tree_reads_in_well_under_30_ms(tmp_path):
    root = build_tree(tmp_path, DGX_A100)
    read_sysfs(root)  # warm the dentry cache as a second CLI run would
    best = min(_timed(lambda: read_sysfs(root)) for _ in range(5))
    assert best < 0.030, f"{best * 1000:.1f} ms"


def _timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def test_node_without_cpulist_file_is_an_input_error_not_a_traceback(tmp_path):
    root = build_tree(tmp_path, MEMORY_ONLY_NODES)
    (root / "sys/devices/system/node/node1/cpulist").unlink()
    with pytest.raises(InputError) as err:
        read_sysfs(root)
    assert err.value.source.endswith("node1/cpulist")


@pytest.mark.parametrize("value", [-2, 1024, 10**20])
def test_pci_numa_node_outside_0_1023_is_refused_naming_the_file(tmp_path, value):
    """Pins: a GPU's numa_node of -2 was taken as unknown and 10**20 as a node;
    only -1 means the firmware did not say."""
    spec = dataclasses.replace(
        MEMORY_ONLY_NODES, pci=[PciSpec("0000:01:00.0", numa_node=value)]
    )
    with pytest.raises(InputError, match="outside 0-1023") as err:
        read_sysfs(build_tree(tmp_path, spec))
    assert err.value.source.endswith("0000:01:00.0/numa_node")


def test_node_directory_past_1023_is_refused(tmp_path):
    """Pins: a node2000 directory became NUMA node 2000."""
    root = build_tree(tmp_path, MEMORY_ONLY_NODES)
    (root / "sys/devices/system/node/node2000").mkdir()
    with pytest.raises(InputError, match="NUMA node 2000 is outside 0-1023") as err:
        read_sysfs(root)
    assert err.value.source.endswith("node/node2000")


def test_cpu_in_two_node_cpulists_is_refused(tmp_path):
    """Pins: a CPU in two nodes' cpulist files was accepted on both."""
    nodes = dict(MEMORY_ONLY_NODES.nodes)
    nodes[1] = dataclasses.replace(nodes[1], cpus="70-71")
    spec = dataclasses.replace(MEMORY_ONLY_NODES, nodes=nodes)
    with pytest.raises(InputError, match="CPU 70 is in NUMA node 0 and NUMA node 1"):
        read_sysfs(build_tree(tmp_path, spec))


def test_mems_allowed_past_1023_is_refused(tmp_path):
    """Pins: Mems_allowed_list was parsed with the CPU limit (8191), not 1023."""
    spec = dataclasses.replace(DGX_A100, allowed_mems="0-2047")
    with pytest.raises(InputError, match="bad node list") as err:
        read_sysfs(build_tree(tmp_path, spec))
    assert err.value.where == "Mems_allowed_list"
