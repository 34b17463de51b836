"""``infralens validate``: check a preset (and plan) without rendering."""

from __future__ import annotations

import click

from infralens_core.cli.common import (
    load_topology,
    load_workloads,
    plan_option,
    preset_option,
    styles_option,
    topology_option,
    workload_option,
)


@click.command()
@preset_option(required=True)
@plan_option
@workload_option
@topology_option
@styles_option
def validate(preset, plan, workload_options, topology_sources, styles):
    """Report every problem in a preset and plan, for the styles they will use."""
    from infralens_core.binding import bind
    from infralens_core.errors import InputErrors
    from infralens_core.inputs import load_preset
    from infralens_core.manager import build_host
    from infralens_core.render import check_config, choose_styles

    errors: list = []
    topology = load_topology(topology_sources)
    config = _gather(errors, load_preset, preset)
    if config is not None:
        styles = choose_styles(config, tuple(styles))
        _gather(errors, check_config, build_host(), config, topology, styles, preset)
    workloads = []
    if plan or workload_options:
        workloads = _gather(errors, load_workloads, plan, workload_options) or []
    if config is not None:
        for workload in workloads:
            _gather(errors, bind, topology, config, workload, workload.source)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    what = preset + (f" and {len(workloads)} workload(s)" if workloads else "")
    click.echo(f"ok: {what} valid for {', '.join(styles)}")


def _gather(errors: list, step, *args):
    """Run one check, keeping its input errors so that all are shown together."""
    from infralens_core.errors import InputError, InputErrors

    try:
        return step(*args)
    except InputErrors as exc:
        errors.extend(exc.errors)
    except InputError as exc:
        errors.append(exc)
    return None
