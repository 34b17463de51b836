"""Rendering many workloads in one process, against a naive f-string renderer.

Both sides get the same preset, topology and workloads and must produce the same
shell lines (checked before timing). The naive side does what a quick script
would: look the GPU set up once, then paste values into f-strings, with no plugin
host, no validation and no quoting.
"""

from __future__ import annotations

from infralens_core.cli.common import example_path
from infralens_core.command import shell_line
from infralens_core.cpulist import format_cpulist
from infralens_core.inputs import load_preset
from infralens_core.manager import build_host
from infralens_core.plan import Workload
from infralens_core.render import render_plan
from infralens_core.topology.load import read_source

STYLES = ("numactl", "taskset", "docker")
# Single GPUs, pairs, halves, the whole host and one pair across both NUMA nodes.
GPU_SETS = (
    *[(str(i),) for i in range(8)],
    ("0", "1"),
    ("2", "3"),
    ("4", "5"),
    ("6", "7"),
    ("3", "4"),
    ("0", "1", "2", "3"),
    ("4", "5", "6", "7"),
    tuple(str(i) for i in range(8)),
)


class Scenario:
    """The example host and preset, with a plugin host holding the built-ins."""

    def __init__(self) -> None:
        self.config = load_preset(example_path("preset.toml"))
        self.topology = read_source(example_path("topology.txt"))
        self.host = build_host()
        missing = [s for s in STYLES if s not in self.host.styles]
        if missing:
            raise RuntimeError(f"built-in styles not installed: {missing}")

    def render(self, workloads: list[Workload]) -> list[str]:
        """The real path: render_plan, then the shell line of every command."""
        result = render_plan(self.host, self.config, workloads, self.topology, STYLES)
        if result.errors:
            raise RuntimeError(f"render failed: {result.errors[0]}")
        return [shell_line(item.command) for item in result.commands]


def workloads(count: int) -> list[Workload]:
    return [
        Workload(name=f"job-{i:06d}", gpus=GPU_SETS[i % len(GPU_SETS)])
        for i in range(count)
    ]


class NaiveRenderer:
    """The same lines from f-strings; per-GPU-set text is computed once, too."""

    def __init__(self, scenario: Scenario) -> None:
        config = scenario.config
        self.topology = scenario.topology
        self.entry = " ".join(config.entry_argv)
        self.extra = " ".join(config.extra_argv)
        self.workdir = config.workdir
        self.image = config.image_name
        self.prefix = config.container_prefix
        self.host_env = " ".join(f"{k}={v}" for k, v in config.env.items())
        self.docker_env = " ".join(f"-e {k}={v}" for k, v in config.env.items())
        self.sets: dict[tuple[str, ...], tuple[str, str, str]] = {}

    def gpu_set(self, gpus: tuple[str, ...]) -> tuple[str, str, str]:
        found = self.sets.get(gpus)
        if found is None:
            picked = [self.topology.gpus[int(g)] for g in gpus]
            nodes = format_cpulist({gpu.numa_node for gpu in picked})
            cpus = format_cpulist(set().union(*(gpu.cpus for gpu in picked)))
            found = self.sets[gpus] = (",".join(gpus), nodes, cpus)
        return found

    def render(self, workloads: list[Workload]) -> list[str]:
        lines = []
        for workload in workloads:
            gpus, nodes, cpus = self.gpu_set(workload.gpus)
            name = workload.name
            program = f"{self.entry} --workload {name} {self.extra}"
            env = (
                f"{self.host_env} CUDA_VISIBLE_DEVICES={gpus} "
                "CUDA_DEVICE_ORDER=PCI_BUS_ID"
            )
            own = ",".join(str(i) for i in range(len(workload.gpus)))
            lines.append(
                f"cd -- {self.workdir} && {env} numactl "
                f"--physcpubind={cpus} --membind={nodes} {program}"
            )
            lines.append(f"cd -- {self.workdir} && {env} taskset -c {cpus} {program}")
            lines.append(
                f"docker run --rm --name {self.prefix}-{name} --gpus "
                f"'\"device={gpus}\"' --cpuset-cpus={cpus} --cpuset-mems={nodes} "
                f"-w {self.workdir} {self.docker_env} -e CUDA_VISIBLE_DEVICES={own} "
                f"-e CUDA_DEVICE_ORDER=PCI_BUS_ID {self.image} {program}"
            )
        return lines


def check_same_lines(scenario: Scenario, naive: NaiveRenderer, count: int) -> None:
    """Refuse to compare renderers that do not print the same thing."""
    batch = workloads(count)
    real, quick = scenario.render(batch), naive.render(batch)
    if real != quick:
        diff = next(
            i for i, (a, b) in enumerate(zip(real, quick, strict=False)) if a != b
        )
        raise RuntimeError(
            f"naive renderer differs at line {diff}:\n"
            f"  real:  {real[diff]}\n  naive: {quick[diff]}"
        )
