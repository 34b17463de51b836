"""``infralens topology``: show what was understood of a host's topology."""

from __future__ import annotations

import json

import click

from infralens_core.cli.common import emit, format_option, load_topology
from infralens_core.cpulist import format_cpulist


@click.command()
@click.option(
    "--from",
    "sources",
    multiple=True,
    metavar="SRC",
    help="A topology file, '-' for stdin, or 'local' (default). Repeat to "
    "merge sources.",
)
@format_option("text", "json")
def topology(sources, fmt):
    """Read topology sources and print the merged model."""
    topo = load_topology(sources)
    if fmt == "json":
        emit(json.dumps(topo.to_json(), indent=2) + "\n")
        return
    emit(as_text(topo))


def as_text(topo) -> str:
    lines = [f"sources: {', '.join(topo.sources) or 'none'}"]
    for node_id in sorted(topo.nodes):
        node = topo.nodes[node_id]
        cpus = "unknown" if node.cpus is None else (format_cpulist(node.cpus) or "none")
        memory = "unknown" if node.memory_mb is None else f"{node.memory_mb} MB"
        socket = "" if node.socket is None else f" socket {node.socket}"
        lines.append(f"node {node_id}{socket}: cpus {cpus}; memory {memory}")
    for index in sorted(topo.gpus):
        gpu = topo.gpus[index]
        node = "unknown" if gpu.numa_node is None else gpu.numa_node
        cpus = "unknown" if gpu.cpus is None else format_cpulist(gpu.cpus)
        extra = "".join(
            f"; {k} {v}" for k, v in (("pci", gpu.pci_bus_id), ("uuid", gpu.uuid)) if v
        )
        lines.append(f"gpu {index}: NUMA node {node}; cpus {cpus}{extra}")
        lines.extend(f"  mig {m.uuid} {m.profile or ''}".rstrip() for m in gpu.mig)
    if topo.nvlink:
        pairs = " ".join(f"{a}-{b}:{kind}" for a, b, kind in topo.nvlink)
        lines.append(f"nvlink: {pairs}")
    return "\n".join(lines) + "\n"
