"""The ``infralens`` click application: a lazy group and the exit-code contract.

Exit codes: 0 ok; 2 bad input (``Error: <file>:<line or field>: <what>``) or bad
usage; 1 anything else. ``INFRALENS_DEBUG=1`` shows tracebacks.
"""

from __future__ import annotations

import importlib
import os
import sys

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="infralens")
def cli() -> None:
    """Render host-bound launch commands for GPU workloads."""


def run(argv: list[str] | None = None) -> None:
    """Run the CLI, turning infralens errors into one line and an exit code."""
    debug = os.environ.get("INFRALENS_DEBUG") == "1"
    try:
        code = cli.main(args=argv, prog_name="infralens", standalone_mode=False)
    except InfralensError as exc:
        if debug:
            raise
        fail(exc)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:
        if debug:
            raise
        message = " ".join(str(exc).split())
        click.echo(f"Error: internal error: {type(exc).__name__}: {message} "
                   "(set INFRALENS_DEBUG=1 for a traceback)", err=True)
        sys.exit(1)
    # Outside standalone mode click returns ctx.exit(n) codes instead of exiting.
    if isinstance(code, int) and code:
        sys.exit(code)


def fail(exc: InfralensError) -> None:
    for line in str(exc).splitlines() or [type(exc).__name__]:
        click.echo(f"Error: {line}", err=True)
    sys.exit(exc.exit_code)
