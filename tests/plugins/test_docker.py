"""The docker style alone on a fresh host, against real topology dumps."""

import re

import infralens_docker
import pytest

from infralens_core.errors import InputErrors
from infralens_core.render import check_config
from plugins.support import (
    DGX_A100,
    MIG_A100,
    MIG_SLICE,
    NASTY,
    alone,
    config,
    render_alone,
    round_trip,
    threadripper_with_gpu,
    topology,
    workload,
)

DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
TAIL = ["img:1", "python", "train.py", "--workload", "job"]


def render(topo, cfg, *workloads):
    return render_alone("docker", infralens_docker, topo, cfg, *workloads)


def option(argv, flag):
    """The values given to ``flag`` in argv, as separate words or ``flag=value``."""
    found = [b for a, b in zip(argv, argv[1:], strict=False) if a == flag]
    return found + [a.split("=", 1)[1] for a in argv if a.startswith(f"{flag}=")]


def test_dgx_gpus_0_1_as_one_csv_device_list_on_node_3():
    cfg = config(environment="docker")
    argv = round_trip(
        render(topology(DGX_A100), cfg, workload("job", 0, 1)).commands[0].command
    )
    assert argv == [
        "docker",
        "run",
        "--rm",
        "--name",
        "infralens-job-job",
        "--gpus",
        '"device=0,1"',
        "--cpuset-cpus=48-63,176-191",
        "--cpuset-mems=3",
        *TAIL,
    ]


def test_container_sees_its_own_gpu_numbers_not_host_indices():
    """Pins CUDA_VISIBLE_DEVICES=2,3 inside a container that numbers GPUs 0,1."""
    cfg = config(environment="docker", gpu_visibility_style="cuda_visible_devices")
    argv = round_trip(
        render(topology(DGX_A100), cfg, workload("job", 2, 3)).commands[0].command
    )
    assert option(argv, "--gpus") == ['"device=2,3"']
    assert option(argv, "-e") == [
        "CUDA_VISIBLE_DEVICES=0,1",
        "CUDA_DEVICE_ORDER=PCI_BUS_ID",
    ]


def test_device_list_alone_sets_no_cuda_variable():
    argv = round_trip(
        render(topology(DGX_A100), config(environment="docker"), workload("job", 2, 3))
        .commands[0]
        .command
    )
    assert not any(a.startswith("CUDA_VISIBLE_DEVICES") for a in argv)


def test_memoryless_node_gets_cpuset_mems_of_the_nearest_node():
    argv = round_trip(
        render(threadripper_with_gpu(3), config(), workload("job", 0))
        .commands[0]
        .command
    )
    assert option(argv, "--cpuset-cpus") == ["18-23,42-47"]
    assert option(argv, "--cpuset-mems") == ["1"]


def test_mig_slice_is_a_device_and_unknown_cpus_are_a_warning():
    command = (
        render(
            topology(MIG_A100), config(environment="docker"), workload("job", MIG_SLICE)
        )
        .commands[0]
        .command
    )
    argv = round_trip(command)
    assert option(argv, "--gpus") == [f'"device={MIG_SLICE}"']
    assert not option(argv, "--cpuset-cpus") and not option(argv, "--cpuset-mems")
    assert command.warnings == ["no CPU set is known: the container is not pinned"]


def test_names_follow_docker_grammar_and_never_repeat_in_a_plan():
    """Pins two workloads whose names clean up alike getting one container name."""
    names = ["a b", "a-b", "a/b", "_ä", "-x"]
    result = render(
        topology(DGX_A100),
        config(container_prefix="job"),
        *(workload(n, i) for i, n in enumerate(names)),
    )
    given = [option(r.command.argv, "--name")[0] for r in result.commands]
    assert all(DOCKER_NAME.match(name) for name in given), given
    assert len(set(given)) == len(names)


def test_workdir_is_minus_w_and_env_is_minus_e_inside_the_container():
    cfg = config(workdir="/srv/my job", env_vars={"NOTE": NASTY, "B": "1=2"})
    command = render(topology(DGX_A100), cfg, workload("job", 0)).commands[0].command
    argv = round_trip(command)
    assert command.cwd is None and command.env == {}
    assert option(argv, "-w") == ["/srv/my job"]
    assert option(argv, "-e")[:2] == [f"NOTE={NASTY}", "B=1=2"]


def test_preset_problems_name_their_fields():
    cfg = config(image_name=None, container_prefix="-bad", workdir="rel/dir")
    with pytest.raises(InputErrors) as caught:
        check_config(
            alone("docker", infralens_docker),
            cfg,
            topology(DGX_A100),
            ("docker",),
            "preset.toml",
        )
    fields = re.findall(r"execution\.(\w+)", str(caught.value))
    assert fields == ["image_name", "container_prefix", "workdir"]
