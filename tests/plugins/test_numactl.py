"""The numactl style alone on a fresh host, against real topology dumps."""

import infralens_numactl

from infralens_core.topology.model import Gpu
from plugins.support import (
    DGX_A100,
    EPYC_NPS4,
    MIG_A100,
    MIG_SLICE,
    NASTY,
    config,
    render_alone,
    round_trip,
    threadripper_with_gpu,
    topology,
    workload,
)

PROGRAM = ["python", "train.py", "--workload", "job"]
INDEX_ENV = {"CUDA_VISIBLE_DEVICES": "0,1", "CUDA_DEVICE_ORDER": "PCI_BUS_ID"}


def render(topo, cfg, *workloads):
    return render_alone("numactl", infralens_numactl, topo, cfg, *workloads)


def test_dgx_gpus_0_1_bind_memory_to_node_3_and_their_cpus():
    result = render(topology(DGX_A100), config(), workload("job", 0, 1))
    command = result.commands[0].command
    assert round_trip(command) == [
        "numactl",
        "--physcpubind=48-63,176-191",
        "--membind=3",
        *PROGRAM,
    ]
    assert command.env == INDEX_ENV


def test_node_binding_uses_node_ids_when_the_node_cpus_are_confirmed():
    """Pins socket ids used as node ids: NPS4 puts GPU node 5 on socket 1."""
    host = topology(EPYC_NPS4)
    host.gpus[0] = Gpu(0, numa_node=5)
    argv = round_trip(render(host, config(), workload("job", 0)).commands[0].command)
    assert argv == ["numactl", "--cpunodebind=5", "--membind=5", *PROGRAM]


def test_dgx_node_binding_once_node_3_cpus_are_known():
    host = topology(DGX_A100)
    host.nodes[3].cpus = host.gpus[0].cpus
    argv = round_trip(render(host, config(), workload("job", 0, 1)).commands[0].command)
    assert argv[:3] == ["numactl", "--cpunodebind=3", "--membind=3"]


def test_memoryless_cpu_node_binds_cpus_by_list_and_memory_to_nearest_node():
    """Pins `numactl -N 0 -m 0` on a node without memory, which fails at launch."""
    result = render(threadripper_with_gpu(0), config(), workload("job", 0))
    argv = round_trip(result.commands[0].command)
    assert argv[:3] == ["numactl", "--physcpubind=0-5,24-29", "--membind=1"]
    assert any(
        "node 0 has no memory" in w and "node 1" in w for _, _, w in result.warnings
    )


def test_gpus_on_two_nodes_bind_to_the_union_and_warn():
    """Pins silently binding a spanning job to its first GPU's node."""
    result = render(topology(DGX_A100), config(), workload("job", 0, 2))
    argv = round_trip(result.commands[0].command)
    assert argv[:3] == [
        "numactl",
        "--physcpubind=16-31,48-63,144-159,176-191",
        "--membind=1,3",
    ]
    assert any("union" in w for _, _, w in result.warnings)


def test_mig_uuid_is_passed_as_given_without_pci_order():
    result = render(topology(MIG_A100), config(), workload("job", MIG_SLICE))
    command = result.commands[0].command
    # nvidia-smi -L says nothing of NUMA: no binding, and a warning says so.
    assert round_trip(command) == PROGRAM
    assert command.env == {"CUDA_VISIBLE_DEVICES": MIG_SLICE}
    assert any("numactl left out" in w for w in command.warnings)


def test_workdir_env_and_arguments_survive_the_shell():
    cfg = config(
        workdir=f"/srv/{NASTY}",
        entry_command="python 'my train.py'",
        env_vars={"NOTE": NASTY, "EMPTY": ""},
        extra_args=[NASTY, "--x"],
    )
    command = render(topology(DGX_A100), cfg, workload("job", 0, 1)).commands[0].command
    argv = round_trip(command)
    assert argv[3:] == ["python", "my train.py", "--workload", "job", NASTY, "--x"]
    assert command.cwd == f"/srv/{NASTY}"
    assert command.env == {"NOTE": NASTY, "EMPTY": "", **INDEX_ENV}
