"""The ``infralens`` click application: a lazy group and the exit-code contract.

Exit codes: 0 ok; 2 bad input (``Error: <file>:<line or field>: <what>``) or bad
usage; 1 anything else. ``INFRALENS_DEBUG=1`` shows tracebacks.
"""

from __future__ import annotations

import importlib
import os

import click

from infralens_core import __version__
from infralens_core.errors import InfralensError

# Subcommands load on use so that each command imports only what it needs.
COMMANDS = {
    "render": "infralens_core.cli.render_cmd:render",
    "topology": "infralens_core.cli.topology_cmd:topology",
    "validate": "infralens_core.cli.validate_cmd:validate",
    "preset": "infralens_core.cli.preset_cmd:preset",
    "plugins": "infralens_core.cli.plugins_cmd:plugins",
    "check": "infralens_core.cli.check_cmd:check",
    "run": "infralens_core.cli.run_cmd:run_workload",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        try:
            return getattr(importlib.import_module(module), attr)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            return None


class InfralensGroup(LazyGroup):
    """The group that turns infralens errors into one line and an exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except InfralensError as exc:
            if _debug():
                raise
            for line in str(exc).splitlines() or [type(exc).__name__]:
                click.echo(f"Error: {line}", err=True)
            ctx.exit(exc.exit_code)
        except Exception as exc:
            if _debug():
                raise
            message = " ".join(str(exc).split())
            click.echo(
                f"Error: internal error: {type(exc).__name__}: {message} "
                "(set INFRALENS_DEBUG=1 for a traceback)",
                err=True,
            )
            ctx.exit(1)


def _debug() -> bool:
    return os.environ.get("INFRALENS_DEBUG") == "1"


@click.group(
    cls=InfralensGroup, context_settings={"help_option_names": ["-h", "--help"]}
)
@click.version_option(
    __version__, prog_name="infralens", message="%(prog)s %(version)s"
)
def cli() -> None:
    """Render host-bound launch commands for GPU workloads."""


def run(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="infralens")
