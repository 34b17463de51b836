"""`rocm-smi --showtoponuma`."""

from __future__ import annotations

from infralens_core.topology.rocm import parse_rocm


def test_numa_node_minus_one_is_unknown():
    text = (
        "GPU[0]\t\t: (Topology) Numa Node: -1\n"
        "GPU[0]\t\t: (Topology) Numa Affinity: -1\n"
        "GPU[1]          : (Topology) Numa Node: 1\n"
    )
    topo = parse_rocm(text, "r.txt")
    assert topo.gpus[0].numa_node is None
    assert topo.gpus[1].numa_node == 1
    assert topo.gpus[1].vendor == "amd"


def test_numa_node_line_wins_over_affinity():
    text = (
        "GPU[0] : Numa Affinity: 1\nGPU[0] : Numa Node: 0\nGPU[0] : Numa Affinity: 1\n"
    )
    assert parse_rocm(text, "r").gpus[0].numa_node == 0
