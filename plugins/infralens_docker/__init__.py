"""The ``docker`` style: ``docker run`` with the workload's GPUs, CPUs and memory."""

from __future__ import annotations

import posixpath
import re

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.manager import Problem
from infralens_core.visibility import AMD_VARIABLE, container_gpu_env

STYLES = ("docker",)
# Docker's own grammar for container names.
CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
# The characters of an image reference (host[:port]/path[:tag][@algo:digest]). It
# follows the options, so one starting with '-' would be read as another option.
IMAGE_REFERENCE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.:/@+-]*\Z")


@hookimpl
def validate_config(config):
    problems = []
    if not config.image_name:
        problems.append(Problem("image_name", "is required to render docker"))
    elif not IMAGE_REFERENCE.match(config.image_name):
        problems.append(
            Problem(
                "image_name",
                f"{config.image_name!r} is not an image reference such "
                "as nvcr.io/nvidia/pytorch:24.05-py3",
            )
        )
    if not CONTAINER_NAME.match(config.container_prefix):
        problems.append(
            Problem(
                "container_prefix",
                f"{config.container_prefix!r} must match [a-zA-Z0-9][a-zA-Z0-9_.-]*",
            )
        )
    if config.workdir and not posixpath.isabs(config.workdir):
        problems.append(Problem("workdir", "must be an absolute path in a container"))
    return problems


@hookimpl
def render_command(workload, config, binding, context):
    name = context.unique_name(config.container_prefix, workload.name)
    argv = ["docker", "run", "--rm", "--name", name, *gpu_options(binding)]
    if binding.cpus is not None:
        argv.append(f"--cpuset-cpus={binding.cpulist}")
    if binding.mem_nodes:
        argv.append(f"--cpuset-mems={binding.mem_nodelist}")
    if config.workdir:
        argv += ["-w", config.workdir]
    for key, value in {**config.env, **container_env(binding, config)}.items():
        argv += ["-e", f"{key}={value}"]
    argv += [
        config.image_name,
        *config.entry_argv,
        "--workload",
        workload.name,
        *config.extra_argv,
    ]
    warnings = (
        []
        if binding.cpus is not None
        else ["no CPU set is known: the container is not pinned"]
    )
    return Command(argv=argv, warnings=warnings)


def gpu_options(binding) -> list[str]:
    if binding.vendor == "amd":
        # ROCm containers get the compute and render nodes; the variable below
        # narrows them, and host indices stay valid because all are passed.
        return ["--device=/dev/kfd", "--device=/dev/dri", "--group-add", "video"]
    devices = ",".join(ref.given for ref in binding.gpus)
    # --gpus parses its value as CSV: a list needs the inner double quotes.
    return ["--gpus", f'"device={devices}"']


def container_env(binding, config) -> dict[str, str]:
    if binding.vendor == "amd":
        return {AMD_VARIABLE: ",".join(ref.given for ref in binding.gpus)}
    if config.visibility == "cuda_visible_devices":
        return container_gpu_env(binding)
    return {}
