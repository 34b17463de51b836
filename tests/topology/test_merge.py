"""Merging sources for one host: fill unknowns, report conflicts, first wins."""

from __future__ import annotations

from pathlib import Path

from infralens_core.cpulist import parse_cpulist
from infralens_core.topology.load import parse_text
from infralens_core.topology.merge import merge
from infralens_core.topology.model import Gpu, MigSlice, Node, Topology

TOPO_M = (
    "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\n"
    "GPU0\t X \tNV4\t0-3\t0\n"
    "GPU1\tNV4\t X \t4-7\t1\n"
)
NUMACTL = (
    "available: 2 nodes (0-1)\nnode 0 cpus: 0 1 2 3\nnode 0 size: 1000 MB\n"
    "node 1 cpus: 4 5 6 7\nnode 1 size: 0 MB\n"
)
LIST = (
    "GPU 0: A (UUID: GPU-aaaa)\n"
    "  MIG 1g.10gb Device 0: (UUID: MIG-aaaa-0)\n"
    "GPU 1: A (UUID: GPU-bbbb)\n"
)


def test_topo_numactl_and_list_combine_into_one_host():
    topo = merge(
        [
            parse_text(TOPO_M, "topo.txt"),
            parse_text(NUMACTL, "numa.txt"),
            parse_text(LIST, "list.txt"),
        ]
    )
    assert topo.sources == [
        "nvidia-smi topo -m (topo.txt)",
        "numactl --hardware (numa.txt)",
        "nvidia-smi -L (list.txt)",
    ]
    assert topo.nodes[1].cpus == parse_cpulist("4-7") and topo.nodes[1].memory_mb == 0
    assert topo.gpus[0].uuid == "GPU-aaaa" and topo.gpus[0].numa_node == 0
    assert [m.uuid for m in topo.gpus[0].mig] == ["MIG-aaaa-0"]
    assert topo.nvlink == [(0, 1, "NV4")]
    assert topo.conflicts == []


def test_conflicting_node_cpus_names_both_sources_and_first_wins():
    a = Topology(nodes={3: Node(3, parse_cpulist("48-63"))}, sources=["numactl (a)"])
    b = Topology(nodes={3: Node(3, parse_cpulist("48-55"))}, sources=["lscpu (b)"])
    topo = merge([a, b])
    assert topo.nodes[3].cpus == parse_cpulist("48-63")
    assert topo.conflicts == [
        "NUMA node 3 CPUs: numactl (a) says 48-63, lscpu (b) says 48-55; using 48-63"
    ]


def test_conflicting_gpu_numa_node_is_reported():
    a = Topology(gpus={2: Gpu(2, numa_node=1)}, sources=["topo (a)"])
    b = Topology(gpus={2: Gpu(2, numa_node=3)}, sources=["sysfs (b)"])
    topo = merge([a, b])
    assert topo.gpus[2].numa_node == 1
    assert topo.conflicts == [
        "GPU 2 numa node: topo (a) says 1, sysfs (b) says 3; using 1"
    ]


def test_gpus_match_by_uuid_before_index():
    a = Topology(gpus={0: Gpu(0, uuid="GPU-x", numa_node=1)}, sources=["a"])
    b = Topology(gpus={1: Gpu(1, uuid="GPU-x", name="H100")}, sources=["b"])
    topo = merge([a, b])
    assert list(topo.gpus) == [0]
    assert topo.gpus[0].name == "H100"
    assert "numbers it 0, b numbers it 1" in topo.conflicts[0]


def test_empty_distances_do_not_conflict_with_printed_ones():
    a = Topology(nodes={0: Node(0)}, sources=["a"])
    b = Topology(nodes={0: Node(0, distances={0: 10})}, sources=["b"])
    assert merge([a, b]).nodes[0].distances == {0: 10}
    assert merge([a, b]).conflicts == []


def test_different_mig_layouts_are_reported():
    a = Topology(gpus={0: Gpu(0, mig=[MigSlice("MIG-1")])}, sources=["a"])
    b = Topology(gpus={0: Gpu(0, mig=[MigSlice("MIG-2")])}, sources=["b"])
    topo = merge([a, b])
    assert [m.uuid for m in topo.gpus[0].mig] == ["MIG-1"]
    assert "MIG slices" in topo.conflicts[0]


def test_unknown_nvlink_is_filled_and_disagreement_reported():
    a = Topology(nvlink=None, sources=["a"])
    b = Topology(nvlink=[(0, 1, "NV4")], sources=["b"])
    c = Topology(nvlink=[], sources=["c"])
    topo = merge([a, b, c])
    assert topo.nvlink == [(0, 1, "NV4")]
    assert topo.conflicts and topo.conflicts[0].startswith("nvlink: b says")


def test_conflicts_of_inputs_are_kept():
    a = Topology(conflicts=["old"], sources=["a"])
    assert merge([a]).conflicts == ["old"]


def test_gpu_affinity_outside_its_node_is_a_conflict_of_two_hosts():
    """Dumps of two different hosts merged must not pass silently."""
    from infralens_core.topology.load import load_topology

    data = Path(__file__).resolve().parents[1] / "data" / "topologies"
    topo = load_topology(
        [
            str(data / "numactl-threadripper-nps4-memoryless-cpu-nodes.txt"),
            str(data / "nv-h100-8gpu-nv18-2numa-nonic.txt"),
        ]
    )
    assert any("GPU 0 CPU affinity 0-47,96-143 holds CPUs" in c for c in topo.conflicts)


def test_gpu_affinity_inside_its_node_is_no_conflict():
    from infralens_core.topology.load import load_topology

    data = Path(__file__).resolve().parents[1] / "data" / "topologies"
    topo = load_topology(
        [
            str(data / "nv-dgx-a100-nps4-mlx5cols-tabs.txt"),
            str(data / "numactl-epyc-2s-nps4-8node.txt"),
        ]
    )
    assert topo.conflicts == []


DGX_TOPO_M = (
    "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\n"
    "GPU0\t X \tNV12\t48-63\t3\n"
    "GPU1\tNV12\t X \t4-7\t1\n"
)


def test_gpu_on_a_node_the_numactl_dump_lacks_is_a_conflict():
    """Pins: a DGX topo -m (GPUs on nodes 1 and 3) merged with a 2-node numactl
    dump gave no warning and rendered --membind=3."""
    topo = merge([parse_text(DGX_TOPO_M, "dgx.txt"), parse_text(NUMACTL, "n.txt")])
    assert topo.conflicts == [
        "GPU 0 sits on NUMA node 3, which numactl --hardware (n.txt) does not "
        "list; are the sources from one host?"
    ]


def test_gpu_nodes_all_listed_give_no_conflict_in_either_order():
    """Sources from one host give no such sentence, whichever comes first."""
    for sources in ([TOPO_M, NUMACTL], [NUMACTL, TOPO_M]):
        topo = merge([parse_text(s, f"{i}.txt") for i, s in enumerate(sources)])
        assert topo.conflicts == []


def test_node_listing_sources_are_judged_each_on_its_own():
    """lscpu listing nodes 0-1 flags GPU on node 3 even when numactl lists it."""
    numactl_4 = NUMACTL + "node 3 cpus: 48 49\nnode 3 size: 10 MB\n"
    lscpu = "NUMA node0 CPU(s): 0-3\nNUMA node1 CPU(s): 4-7\n"
    topo = merge(
        [
            parse_text(DGX_TOPO_M, "dgx.txt"),
            parse_text(numactl_4, "n.txt"),
            parse_text(lscpu, "l.txt"),
        ]
    )
    assert [c for c in topo.conflicts if "does not list" in c] == [
        "GPU 0 sits on NUMA node 3, which lscpu (l.txt) does not list; "
        "are the sources from one host?"
    ]


def test_topo_m_nodes_alone_do_not_count_as_a_node_listing():
    """topo -m names only its GPUs' nodes, with nothing known about them."""
    a = Topology(gpus={0: Gpu(0, numa_node=1)}, sources=["sysfs (a)"])
    topo = merge([parse_text(DGX_TOPO_M, "dgx.txt"), a])
    assert not [c for c in topo.conflicts if "does not list" in c]
