"""The ``podman`` style: ``podman run`` with GPUs as CDI devices, pinned to their node.

Podman hands GPUs to a container through the Container Device Interface: each
``--device nvidia.com/gpu=ID`` names a device in the host's CDI spec, which
``nvidia-ctk cdi generate`` writes. Its default names are GPU indices and
``all``; GPU and MIG UUIDs need ``--device-name-strategy=uuid``.
"""

from __future__ import annotations

import posixpath
import re

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.cpulist import format_cpulist
from infralens_core.manager import Problem
from infralens_core.visibility import container_gpu_env

STYLES = ("podman",)
# Podman checks container names against the same grammar as Docker.
CONTAINER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
CDI_KINDS = {"nvidia": "nvidia.com/gpu", "amd": "amd.com/gpu"}


@hookimpl
def validate_config(config):
    problems = []
    if not config.image_name:
        problems.append(Problem("image_name", "is required to render podman"))
    if not CONTAINER_NAME.match(config.container_prefix):
        problems.append(
            Problem("container_prefix", "must match [a-zA-Z0-9][a-zA-Z0-9_.-]*")
        )
    if config.workdir and not posixpath.isabs(config.workdir):
        problems.append(Problem("workdir", "must be an absolute path in a container"))
    return problems


@hookimpl
def render_command(workload, config, binding, context):
    name = context.unique_name(config.container_prefix, workload.name)
    argv = ["podman", "run", "--rm", "--name", name]
    kind = CDI_KINDS.get(binding.vendor, CDI_KINDS["nvidia"])
    for ref in binding.gpus:
        argv += ["--device", f"{kind}={ref.given}"]
    if binding.cpus is not None:
        argv.append(f"--cpuset-cpus={binding.cpulist}")
    if binding.mem_nodes:
        argv.append(f"--cpuset-mems={format_cpulist(binding.mem_nodes)}")
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


def container_env(binding, config) -> dict[str, str]:
    """CUDA variables inside the container, which numbers its GPUs from 0."""
    if binding.vendor == "nvidia" and config.visibility == "cuda_visible_devices":
        return container_gpu_env(binding)
    return {}
