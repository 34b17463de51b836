"""``infralens validate``: check a preset (and plan) without rendering."""

from __future__ import annotations

import click

from infralens_core.cli.common import load_topology, load_workloads, topology_option


@click.command()
@click.option("--preset", required=True, metavar="FILE", help="TOML preset.")
@click.option("--plan", metavar="FILE", help="TOML or JSON plan to check too.")
@topology_option
@click.option(
    "--style",
    "styles",
    multiple=True,
    metavar="S",
    help="Styles to check for; default by the preset's environment.",
)
def validate(preset, plan, topology_sources, styles):
    """Report every problem in a preset and plan, for the styles they will use."""
    from infralens_core.binding import bind
    from infralens_core.inputs import load_preset
    from infralens_core.manager import build_host
    from infralens_core.render import check_config, choose_styles

    config = load_preset(preset)
    topology = load_topology(topology_sources)
    styles = choose_styles(config, tuple(styles))
    check_config(build_host(), config, topology, styles, preset)
    count = 0
    if plan:
        for workload in load_workloads(plan, ()):
            bind(topology, config, workload, plan)
            count += 1
    what = f"{preset}" + (f" and {count} workload(s) of {plan}" if plan else "")
    click.echo(f"ok: {what} valid for {', '.join(styles)}")
