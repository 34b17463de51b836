"""The ``taskset`` style: pin the workload to the CPUs next to its GPUs."""

from __future__ import annotations

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.visibility import host_gpu_env

STYLES = ("taskset",)


@hookimpl
def render_command(workload, config, binding):
    env = {**config.env, **host_gpu_env(binding)}
    program = [*config.entry_argv, "--workload", workload.name, *config.extra_argv]
    if binding.cpus is None:
        warning = "no CPU set is known: taskset left out"
        return Command(argv=program, env=env, cwd=config.workdir, warnings=[warning])
    argv = ["taskset", "-c", binding.cpulist, *program]
    return Command(argv=argv, env=env, cwd=config.workdir)
