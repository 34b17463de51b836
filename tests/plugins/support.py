"""Building blocks of plugin tests: one plugin alone on a fresh host, real dumps."""

from __future__ import annotations

from pathlib import Path

from helpers import split_shell_line

from infralens_core.command import shell_line
from infralens_core.config import ExecutionConfig
from infralens_core.manager import PluginHost
from infralens_core.plan import Workload
from infralens_core.render import check_config, render_plan
from infralens_core.topology.load import read_source
from infralens_core.topology.model import Gpu

TOPOLOGIES = Path(__file__).resolve().parents[1] / "data" / "topologies"
DGX_A100 = "nv-dgx-a100-nps4-mlx5cols-tabs"
THREADRIPPER = "numactl-threadripper-nps4-memoryless-cpu-nodes"
EPYC_NPS4 = "numactl-epyc-2s-nps4-8node"
MIG_A100 = "nvidia-smi-L-mig-a100-80gb-7x1g"
MIG_SLICE = "MIG-00000000-0000-5000-8000-000000000001"
# Values a shell would mangle if a renderer pasted strings instead of quoting argv.
NASTY = "a b 'q' \"d\" $HOME `id` ; rm -rf / \n ünï \\ *"


def topology(name: str):
    """A host topology read from a real dump with the loader the CLI uses."""
    return read_source(str(TOPOLOGIES / f"{name}.txt"))


def threadripper_with_gpu(node: int = 0):
    """The Threadripper NPS4 dump, whose nodes 0 and 3 have CPUs but no memory,
    with one GPU hung off ``node`` (the dump is CPU-only)."""
    host = topology(THREADRIPPER)
    host.gpus[0] = Gpu(0, numa_node=node)
    return host


def config(**values) -> ExecutionConfig:
    base = {"entry_command": "python train.py", "image_name": "img:1"}
    return ExecutionConfig.model_validate({**base, **values})


def workload(name: str, *gpus: object) -> Workload:
    return Workload(name, tuple(str(g) for g in gpus))


def alone(name: str, plugin) -> PluginHost:
    """A fresh host with only ``plugin``: no entry points, nothing else installed."""
    host = PluginHost()
    host.add(name, plugin)
    assert not host.broken, host.broken
    return host


def render_alone(name: str, plugin, topo, cfg, *workloads: Workload):
    """Validate and render ``workloads`` with one plugin through the core's path."""
    host = alone(name, plugin)
    style = host.plugins[name].styles[0]
    check_config(host, cfg, topo, (style,), "preset.toml")
    result = render_plan(host, cfg, list(workloads), topo, (style,))
    assert not result.errors, result.errors
    return result


def round_trip(command) -> list[str]:
    """Assert the shell line runs exactly ``command``; return its argv."""
    cwd, env, argv = split_shell_line(shell_line(command))
    assert (cwd, env, argv) == (command.cwd, command.env, command.argv)
    return argv
