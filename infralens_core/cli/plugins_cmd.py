"""``infralens plugins``: which plugins loaded, their styles, and which failed."""

from __future__ import annotations

import json

import click

from infralens_core.cli.common import format_option


@click.command()
@format_option("text", "json")
def plugins(fmt):
    """List style plugins, their versions and styles, and those that failed."""
    from infralens_core.manager import build_host

    host = build_host()
    loaded = [
        {"name": p.name, "version": p.version, "styles": list(p.styles)}
        for p in host.plugins.values()
    ]
    broken = [
        {"name": b.name, "version": b.version, "reason": b.reason} for b in host.broken
    ]
    disabled = sorted(host.disabled - host.unknown_disabled)
    for name in sorted(host.unknown_disabled):
        click.echo(
            f"warning: INFRALENS_DISABLE_PLUGINS names {name!r}, but no installed "
            "plugin has that name",
            err=True,
        )
    if fmt == "json":
        click.echo(
            json.dumps(
                {"plugins": loaded, "failed": broken, "disabled": disabled}, indent=2
            )
        )
        return
    for p in loaded:
        click.echo(f"{p['name']} {p['version'] or '?'}: {', '.join(p['styles'])}")
    for b in broken:
        click.echo(f"{b['name']} {b['version'] or '?'}: FAILED: {b['reason']}")
    for name in disabled:
        click.echo(f"{name}: disabled by INFRALENS_DISABLE_PLUGINS")
