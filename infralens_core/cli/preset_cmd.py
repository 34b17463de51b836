"""``infralens preset``: write a commented starting preset."""

from __future__ import annotations

import click

from infralens_core.cli.common import emit


@click.group()
def preset():
    """Create presets."""


@preset.command("init")
@click.option(
    "--environment",
    type=click.Choice(["bare_metal", "docker"]),
    default="bare_metal",
    show_default=True,
)
@click.option("-o", "--output", metavar="FILE", help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Replace an existing file.")
def init(environment, output, force):
    """Print (or write) a commented preset to start from."""
    from infralens_core.preset import dump_preset, starter_config

    text = dump_preset(starter_config(environment), comments=True)
    if output is None or output == "-":
        emit(text)
        return
    from infralens_core.atomic import write_atomic

    write_atomic(output, text, force=force)
    click.echo(f"wrote {output}", err=True)
