"""``infralens check``: would the rendered lines start as they say, on this host?

Exit 0 when no line has an error, 1 when one has (findings on stdout, one a line),
2 for bad input. Warnings (a program not on PATH, a preferred node without memory)
do not change the exit status.
"""

from __future__ import annotations

import json

import click

from infralens_core.cli.common import (
    emit,
    format_option,
    load_workloads,
    plan_option,
    preset_option,
    styles_option,
    topology_option,
    workload_option,
)
from infralens_core.errors import InputError


@click.command()
@preset_option()
@plan_option
@workload_option
@topology_option
@styles_option
@click.option(
    "--command",
    "lines",
    multiple=True,
    metavar="LINE",
    help="Also check this shell line, as `render` prints it (repeatable).",
)
@click.option(
    "--against",
    type=click.Choice(["host", "topology"]),
    default="host",
    show_default=True,
    help="Check against this host (sysfs, /proc, "
    "nvidia-smi, PATH) or against the --topology sources.",
)
@format_option("text", "json")
# A sysfs/proc tree to read instead of "/", for tests on fixture trees.
@click.option("--root", default="/", hidden=True)
def check(
    preset, plan, workload_options, topology_sources, styles, lines, against, fmt, root
):
    """Check rendered commands against the live host or a topology."""
    from infralens_core.check import live_host, topology_facts

    if not preset and not lines:
        raise InputError("--preset", None, "is required (or give --command LINE)")
    topology = (
        _topology(topology_sources, root) if preset or against == "topology" else None
    )
    items = (
        _rendered(preset, plan, workload_options, topology, styles) if preset else []
    )
    items += _given_lines(lines)
    facts = live_host(root) if against == "host" else topology_facts(topology)
    findings = _check_all(items, facts)
    _report(findings, facts, len(items), fmt)
    if any(f.severity == "error" for f in findings):
        raise SystemExit(1)


def _topology(sources: tuple[str, ...], root: str):
    from infralens_core.topology.load import load_topology

    return load_topology(list(sources) or ["local"], sysfs_root=root)


def _rendered(preset, plan, workload_options, topology, styles) -> list[tuple]:
    """(where, argv, env, cwd) of each rendered command."""
    from infralens_core.cli.run_cmd import render_on
    from infralens_core.inputs import load_preset
    from infralens_core.render import choose_styles

    config = load_preset(preset)
    workloads = load_workloads(plan, workload_options)
    styles = choose_styles(config, tuple(styles))
    result = render_on(preset, config, workloads, topology, styles)
    return [
        (f"{r.workload.name} [{r.style}]", r.command.argv, r.command.env, r.command.cwd)
        for r in result.commands
    ]


def _given_lines(lines: tuple[str, ...]) -> list[tuple]:
    from infralens_core.launch_line import split_shell_line

    items = []
    for number, text in enumerate(lines, 1):
        where = f"command {number}"
        argv, env, cwd = split_shell_line(text, f"--command {number}")
        items.append((where, argv, env, cwd))
    return items


def _check_all(items: list[tuple], facts) -> list:
    from infralens_core.check import check_command

    findings = []
    for where, argv, env, cwd in items:
        findings += check_command(argv, env, cwd, facts, where)
    return findings


def _report(findings: list, facts, checked: int, fmt: str) -> None:
    errors = sum(f.severity == "error" for f in findings)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "against": facts.label,
                    "checked": checked,
                    "errors": errors,
                    "findings": [f.to_json() for f in findings],
                    "notes": facts.notes,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    for finding in findings:
        emit(f"{finding}\n")
    for note in facts.notes:
        click.echo(f"note: {note}", err=True)
    click.echo(
        f"{errors} error(s), {len(findings) - errors} warning(s) in {checked} "
        f"command(s) checked against {facts.label}",
        err=True,
    )
