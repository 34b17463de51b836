"""Rendering on sysfs trees built from real dumps: what a careful operator writes."""

import dataclasses

import pytest

from tests.cli.conftest import render_json
from tests.topology.sysfs_trees import (
    DGX_A100,
    MEMORY_ONLY_NODES,
    MEMORYLESS_CPU_NODES,
    build_tree,
)

PRESET = (
    '[execution]\nentry_command = "python train.py"\nimage_name = "img"\n'
    'container_prefix = "job"\n'
)
STYLES = ("--style", "numactl", "--style", "taskset", "--style", "docker")


@pytest.fixture
def render(invoke, preset, tmp_path):
    def run(spec, gpus, extra=""):
        root = build_tree(tmp_path / "root", spec)
        data = render_json(
            invoke,
            "--preset",
            preset(PRESET + extra),
            "--workload",
            f"w={gpus}",
            "--topology",
            f"sysfs:{root}",
            *STYLES,
        )
        return {c["style"]: c["argv"] for c in data["commands"]}, data["warnings"]

    return run


def test_dgx_a100_gpus_0_1_bind_node_3_by_node(render):
    argv, warnings = render(DGX_A100, "0,1")
    assert argv["numactl"][:3] == ["numactl", "--cpunodebind=3", "--membind=3"]
    assert argv["taskset"][:3] == ["taskset", "-c", "48-63,176-191"]
    assert "--cpuset-cpus=48-63,176-191" in argv["docker"]
    assert "--cpuset-mems=3" in argv["docker"]
    assert warnings == []


def test_dgx_a100_socket_scope_lists_the_sockets_nodes(render):
    argv, _ = render(DGX_A100, "0", 'cpu_scope = "socket"\n')
    assert argv["numactl"][:3] == ["numactl", "--cpunodebind=0-3", "--membind=0-3"]
    assert argv["taskset"][2] == "0-63,128-191"


def test_dgx_a100_without_smt_siblings_keeps_one_thread_per_core(render):
    argv, _ = render(DGX_A100, "2", "smt_siblings = false\n")
    assert argv["numactl"][1:3] == ["--physcpubind=16-31", "--membind=1"]
    assert argv["taskset"][2] == "16-31"


def test_memory_only_nodes_are_never_cpu_bound(render):
    argv, _ = render(MEMORY_ONLY_NODES, "0")
    assert argv["numactl"][:3] == ["numactl", "--cpunodebind=0", "--membind=0"]
    assert "--cpuset-mems=0" in argv["docker"]


def test_memoryless_cpu_node_takes_memory_from_the_nearest_node(render):
    argv, warnings = render(MEMORYLESS_CPU_NODES, "0")
    assert argv["numactl"][1:3] == ["--physcpubind=18-23,42-47", "--membind=1"]
    assert "--cpuset-mems=1" in argv["docker"]
    assert any("node 3 has no memory" in w["message"] for w in warnings)


def test_offline_cpus_are_left_out_with_a_warning(render):
    spec = dataclasses.replace(DGX_A100, offline="176-191")
    argv, warnings = render(spec, "0")
    assert argv["taskset"][2] == "48-63"
    assert argv["numactl"][1] == "--physcpubind=48-63"


def test_cgroup_allowed_cpus_cut_the_set(render):
    spec = dataclasses.replace(DGX_A100, allowed_cpus="0-55")
    argv, warnings = render(spec, "0")
    assert argv["taskset"][2] == "48-55"
    assert any("outside this process's cpuset" in w["message"] for w in warnings)


def test_gpu_with_unknown_node_gets_no_memory_binding(render):
    spec = dataclasses.replace(
        DGX_A100,
        pci=[dataclasses.replace(DGX_A100.pci[0], numa_node=-1, local_cpulist=None)],
    )
    argv, warnings = render(spec, "0")
    assert argv["numactl"][0] == "python"
    assert not any(a.startswith("--cpuset") for a in argv["docker"])
    assert any("unknown" in w["message"] for w in warnings)


def test_gpu_on_a_cpu_less_node_runs_on_the_nearest_cpus(render):
    """A GPU whose node is its own HBM rendered --cpunodebind to a node with no
    CPUs, which numactl refuses."""
    hbm_gpu = dataclasses.replace(
        MEMORY_ONLY_NODES.pci[0], numa_node=1, local_cpulist=None
    )
    spec = dataclasses.replace(MEMORY_ONLY_NODES, pci=[hbm_gpu])
    argv, warnings = render(spec, "0")
    assert argv["numactl"][:3] == ["numactl", "--cpunodebind=0", "--membind=0"]
    assert any("node 1 has no CPUs" in w["message"] for w in warnings)
