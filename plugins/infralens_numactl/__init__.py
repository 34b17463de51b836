"""The ``numactl`` style: bind CPUs and memory to the GPUs' NUMA nodes."""

from __future__ import annotations

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.visibility import host_gpu_env

STYLES = ("numactl",)


@hookimpl
def render_command(workload, config, binding):
    env = {**config.env, **host_gpu_env(binding)}
    program = [*config.entry_argv, "--workload", workload.name, *config.extra_argv]
    options, warnings = numactl_options(binding)
    argv = ["numactl", *options, *program] if options else program
    return Command(argv=argv, env=env, cwd=config.workdir, warnings=warnings)


def numactl_options(binding) -> tuple[list[str], list[str]]:
    """The numactl options for a binding, and what was left out and why."""
    options: list[str] = []
    if binding.by_node and binding.cpu_nodes:
        options.append(f"--cpunodebind={binding.cpu_nodelist}")
    elif binding.cpus is not None:
        # --cpunodebind/-N fails on a node without memory (numactl issue #165) and
        # would widen a CPU set that was cut; a CPU list says exactly what is meant.
        options.append(f"--physcpubind={binding.cpulist}")
    if binding.mem_nodes:
        options.append(f"--membind={binding.mem_nodelist}")
    if not options:
        return [], ["no CPU or memory binding is known: numactl left out"]
    return options, []
