"""Reading what several commands share: preset, plan, workloads and topology."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from infralens_core.errors import InputError

EXAMPLE_DIR = "example"


def example_path(name: str) -> str:
    # The example ships as package data beside the modules; importlib.resources
    # would say the same, after some 5 ms of imports on every start of the CLI.
    return str(Path(__file__).resolve().parent.parent / EXAMPLE_DIR / name)


def load_workloads(plan: str | None, options: tuple[str, ...]) -> list:
    from infralens_core.inputs import load_plan
    from infralens_core.plan import check_unique, workload_from_option

    workloads = load_plan(plan) if plan else []
    workloads += [workload_from_option(text) for text in options]
    if not workloads:
        raise InputError(
            "--plan", None, "no workload given; use --plan FILE or --workload NAME=GPUS"
        )
    check_unique(workloads, plan or "--workload")
    return workloads


def load_topology(sources: tuple[str, ...]):
    from infralens_core.topology.load import load_topology as load

    topology = load(list(sources) or ["local"])
    for conflict in topology.conflicts:
        warn(f"topology: {conflict}")
    return topology


def emit(text: str) -> None:
    """Write data to stdout exactly: click.echo drops ANSI escapes from values
    when stdout is not a terminal, which would change a rendered command."""
    sys.stdout.write(text)
    sys.stdout.flush()


def report(result) -> None:
    """Print a render result's warnings and plugin errors; exit 1 on an error."""
    for workload, style, message in result.warnings:
        who = workload if workload is not None else "preset"
        warn(f"{who}{f' [{style}]' if style else ''}: {message}")
    for error in result.errors:
        click.echo(f"Error: {error}", err=True)
    if result.errors:
        raise SystemExit(1)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


topology_option = click.option(
    "--topology",
    "topology_sources",
    multiple=True,
    metavar="SRC",
    help="A file of nvidia-smi topo -m, numactl --hardware, lscpu, nvidia-smi -L, "
    "rocm-smi or infralens JSON output; '-' for stdin; 'local' (default) for this "
    "host's sysfs; 'sysfs:ROOT' for a copied sysfs tree. Repeat to merge sources.",
)


def preset_option(*, required: bool = False):
    return click.option(
        "--preset",
        required=required,
        metavar="FILE",
        help="TOML preset with [execution].",
    )


plan_option = click.option(
    "--plan", metavar="FILE", help="TOML or JSON plan of workloads."
)
workload_option = click.option(
    "--workload",
    "workload_options",
    multiple=True,
    metavar="NAME=GPUS",
    help="A workload on the command line, e.g. train-01=0-3.",
)
styles_option = click.option(
    "--style",
    "styles",
    multiple=True,
    metavar="S",
    help="Launch style (repeatable); default by the preset's environment.",
)


def format_option(*choices: str, help: str | None = None):
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=choices[0],
        show_default=True,
        help=help,
    )
