"""The taskset style alone on a fresh host, against real topology dumps."""

import infralens_taskset

from plugins.support import (
    DGX_A100,
    MIG_A100,
    NASTY,
    config,
    render_alone,
    round_trip,
    threadripper_with_gpu,
    topology,
    workload,
)

PROGRAM = ["python", "train.py", "--workload", "job"]


def render(topo, cfg, *workloads):
    return render_alone("taskset", infralens_taskset, topo, cfg, *workloads)


def test_dgx_gpus_0_1_pin_to_the_cpus_of_node_3():
    command = render(topology(DGX_A100), config(), workload("job", 0, 1)).commands[0]
    assert round_trip(command.command) == ["taskset", "-c", "48-63,176-191", *PROGRAM]
    assert command.command.env == {
        "CUDA_VISIBLE_DEVICES": "0,1",
        "CUDA_DEVICE_ORDER": "PCI_BUS_ID",
    }


def test_memoryless_cpu_node_still_pins_its_own_cpus():
    result = render(threadripper_with_gpu(0), config(), workload("job", 0))
    assert round_trip(result.commands[0].command)[:3] == ["taskset", "-c", "0-5,24-29"]


def test_gpus_on_two_nodes_pin_to_the_union_of_their_cpus():
    result = render(topology(DGX_A100), config(), workload("job", 2, 0))
    argv = round_trip(result.commands[0].command)
    assert argv[:3] == ["taskset", "-c", "16-31,48-63,144-159,176-191"]
    assert result.commands[0].command.env["CUDA_VISIBLE_DEVICES"] == "2,0"
    assert any("union" in w for _, _, w in result.warnings)


def test_gpu_uuid_needs_no_pci_order_and_unknown_cpus_leave_taskset_out():
    uuid = topology(MIG_A100).gpus[0].uuid
    command = render(topology(MIG_A100), config(), workload("job", uuid)).commands[0]
    assert round_trip(command.command) == PROGRAM
    assert command.command.env == {"CUDA_VISIBLE_DEVICES": uuid}
    assert command.command.warnings == ["no CPU set is known: taskset left out"]


def test_workdir_env_and_arguments_survive_the_shell():
    cfg = config(workdir=NASTY, env_vars={"V": NASTY}, extra_args=[NASTY])
    command = render(topology(DGX_A100), cfg, workload(NASTY, 0)).commands[0].command
    argv = round_trip(command)
    assert argv[3:] == ["python", "train.py", "--workload", NASTY, NASTY]
    assert command.cwd == NASTY and command.env["V"] == NASTY
