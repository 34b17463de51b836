"""examples/infralens-podman alone on a fresh host: the same checks as built-ins."""

import importlib.util
import re

import pytest

from plugins.packages import EXAMPLE
from plugins.support import (
    DGX_A100,
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


@pytest.fixture(scope="module")
def podman():
    """The example module loaded from its file, not from an installed copy."""
    spec = importlib.util.spec_from_file_location(
        "infralens_podman", EXAMPLE / "infralens_podman.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def first(podman, topo, cfg, *workloads):
    return render_alone("podman", podman, topo, cfg, *workloads).commands[0].command


def test_dgx_gpus_0_1_are_cdi_devices_pinned_to_node_3(podman):
    command = first(
        podman, topology(DGX_A100), config(environment="docker"), workload("job", 0, 1)
    )
    assert round_trip(command) == [
        "podman",
        "run",
        "--rm",
        "--name",
        "infralens-job-job",
        "--device",
        "nvidia.com/gpu=0",
        "--device",
        "nvidia.com/gpu=1",
        "--cpuset-cpus=48-63,176-191",
        "--cpuset-mems=3",
        "img:1",
        "python",
        "train.py",
        "--workload",
        "job",
    ]


def test_container_numbers_its_gpus_from_zero(podman):
    cfg = config(gpu_visibility_style="cuda_visible_devices", environment="docker")
    argv = round_trip(first(podman, topology(DGX_A100), cfg, workload("job", 6, 7)))
    assert "-e" in argv and "CUDA_VISIBLE_DEVICES=0,1" in argv
    assert not any(a.startswith("CUDA_VISIBLE_DEVICES=6") for a in argv)


def test_memoryless_node_and_mig_slice(podman):
    argv = round_trip(
        first(podman, threadripper_with_gpu(0), config(), workload("job", 0))
    )
    assert "--cpuset-cpus=0-5,24-29" in argv and "--cpuset-mems=1" in argv
    command = first(podman, topology(MIG_A100), config(), workload("job", MIG_SLICE))
    assert f"nvidia.com/gpu={MIG_SLICE}" in round_trip(command)
    assert command.warnings == ["no CPU set is known: the container is not pinned"]


def test_names_are_valid_and_values_survive_the_shell(podman):
    cfg = config(workdir="/srv/a b", env_vars={"NOTE": NASTY}, extra_args=[NASTY])
    result = render_alone(
        "podman",
        podman,
        topology(DGX_A100),
        cfg,
        workload("a b", 0),
        workload("a/b", 1),
    )
    names = [r.command.argv[4] for r in result.commands]
    assert names == ["infralens-job-a-b", "infralens-job-a-b-2"]
    assert all(re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*", n) for n in names)
    argv = round_trip(result.commands[0].command)
    assert argv[-1] == NASTY and f"NOTE={NASTY}" in argv
