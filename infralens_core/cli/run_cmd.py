"""``infralens run``: render one workload in one style and start it right here.

The child gets the rendered argv (no shell), the environment plus the line's own
variables, and the line's working directory; infralens exits with the child's
status. This is the same command ``render`` prints, so what was reviewed is what
runs.
"""

from __future__ import annotations

import json

import click

from infralens_core.cli.common import (
    emit,
    format_option,
    load_topology,
    load_workloads,
    plan_option,
    preset_option,
    report,
    topology_option,
    workload_option,
)
from infralens_core.errors import InputError


@click.command()
@click.argument("workload_name", metavar="WORKLOAD")
@preset_option(required=True)
@plan_option
@workload_option
@topology_option
@click.option(
    "--style",
    metavar="S",
    help="Launch style; default: the first one "
    "for the preset's environment (numactl or docker).",
)
@click.option("--dry-run", is_flag=True, help="Print the command; do not run it.")
@format_option("text", "json", help="How --dry-run prints the command.")
def run_workload(
    workload_name, preset, plan, workload_options, topology_sources, style, dry_run, fmt
):
    """Start WORKLOAD of the plan on this host, bound as `render` would print it.

    The program replaces infralens (exec), so its exit status and signals are its
    own, as for the pasted line; 127 when it is not installed, 126 when it cannot
    run.
    """
    rendered = render_workload(
        preset, plan, workload_options, topology_sources, style, workload_name
    )
    if dry_run:
        emit(_describe(rendered, fmt))
        return
    raise SystemExit(start(rendered.command))


def render_workload(preset, plan, workload_options, topology_sources, style, name: str):
    """The one Rendered command for workload ``name`` in ``style``.

    The whole plan is rendered, so names that must be unique across it (container
    names) come out as ``render`` prints them.
    """
    from infralens_core.inputs import load_preset
    from infralens_core.render import DEFAULT_STYLES

    config = load_preset(preset)
    workloads = load_workloads(plan, workload_options)
    names = [w.name for w in workloads]
    if name not in names:
        raise InputError(
            plan or "--workload",
            None,
            f"no workload named {name!r}; the plan has {', '.join(names)}",
        )
    style = style or DEFAULT_STYLES[config.environment][0]
    topology = load_topology(tuple(topology_sources))
    result = render_on(preset, config, workloads, topology, (style,))
    return next(r for r in result.commands if r.workload.name == name)


def render_on(preset: str, config, workloads, topology, styles):
    """Render with every warning shown; a style that failed ends the command (1)."""
    from infralens_core.manager import build_host
    from infralens_core.render import check_config, render_plan

    host = build_host()
    check_config(host, config, topology, styles, preset)
    result = render_plan(host, config, workloads, topology, styles)
    report(result)
    return result


def start(command) -> int:
    """Run the preamble, then become the command; a failing step's status is ours."""
    from infralens_core.command import quote_argv
    from infralens_core.execute import StartError, child_env, exec_argv, run_argv
    from infralens_core.launch_line import read_line

    try:
        for argv in command.preamble:
            status = run_argv(argv, child_env({}))
            if status:
                click.echo(
                    f"Error: `{quote_argv(argv)}` failed with status {status}", err=True
                )
                return status
        line = read_line(command.argv, command.env, command.cwd)
        # Inside a container the program is the image's, not this host's.
        program = (
            line.program[0] if line.program and line.launcher != "docker" else None
        )
        exec_argv(command.argv, child_env(command.env), command.cwd, program=program)
    except StartError as exc:
        click.echo(f"Error: {exc}", err=True)
        return exc.exit_code


def _describe(rendered, fmt: str) -> str:
    from infralens_core.command import preamble_lines, shell_line

    command = rendered.command
    if fmt == "text":
        return "".join(
            f"{line}\n" for line in [*preamble_lines(command), shell_line(command)]
        )
    return (
        json.dumps(
            {
                "workload": rendered.workload.name,
                "style": rendered.style,
                "argv": command.argv,
                "env": command.env,
                "cwd": command.cwd,
                "preamble": command.preamble,
                "shell": shell_line(command),
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n"
    )
