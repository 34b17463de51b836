"""``infralens render``: commands for each workload of a plan, in each style."""

from __future__ import annotations

import click

from infralens_core.cli.common import (
    emit,
    example_path,
    format_option,
    load_topology,
    load_workloads,
    plan_option,
    preset_option,
    report,
    styles_option,
    topology_option,
    workload_option,
)
from infralens_core.errors import InputError, PluginError

EXAMPLE_STYLES = ("numactl", "taskset", "docker")


@click.command()
@preset_option()
@plan_option
@workload_option
@topology_option
@styles_option
@format_option("text", "json", "script")
@click.option(
    "-o",
    "--output",
    type=str,
    metavar="FILE",
    help="Write to FILE (atomically); - for stdout.",
)
@click.option("--force", is_flag=True, help="Replace an existing --output file.")
@click.option(
    "--example",
    is_flag=True,
    help="Render the bundled example: 8x H100 host, mixed plan.",
)
def render(
    preset,
    plan,
    workload_options,
    topology_sources,
    styles,
    fmt,
    output,
    force,
    example,
):
    """Render launch commands for a plan on a host topology."""
    from infralens_core.inputs import load_preset
    from infralens_core.manager import build_host
    from infralens_core.render import check_config, choose_styles, render_plan

    if example:
        preset = preset or example_path("preset.toml")
        plan = plan or (None if workload_options else example_path("plan.toml"))
        topology_sources = topology_sources or (example_path("topology.txt"),)
        styles = styles or EXAMPLE_STYLES
    if not preset:
        raise InputError("--preset", None, "is required (or use --example)")
    config = load_preset(preset)
    workloads = load_workloads(plan, workload_options)
    topology = load_topology(topology_sources)
    styles = choose_styles(config, tuple(styles))
    if fmt == "script" and len(styles) > 1:
        raise InputError(
            "--style",
            ",".join(styles),
            "the script format starts each workload once; choose one style",
        )
    host = build_host()
    failed: list[PluginError] = []
    usable = check_config(host, config, topology, styles, preset, failed)
    result = render_plan(host, config, workloads, topology, usable)
    result.errors[:0] = failed
    _emit(result, fmt, output, force)
    report(result)


def _emit(result, fmt: str, output: str | None, force: bool) -> None:
    from infralens_core import output as formats

    to_file = output is not None and output != "-"
    if result.errors and (fmt == "script" or to_file):
        return  # a script or file with a style missing would be half-written
    text = {
        "text": formats.as_text,
        "json": formats.as_json,
        "script": formats.as_script,
    }[fmt](result)
    if to_file:
        from infralens_core.atomic import write_atomic

        write_atomic(
            output, text, force=force, mode=0o755 if fmt == "script" else 0o644
        )
    else:
        emit(text)
