"""Entry point of the ``infralens`` command."""

from __future__ import annotations

import sys


def main() -> None:
    # `infralens --version` is called in loops by scripts: answer it before
    # importing click and the rest.
    if sys.argv[1:] == ["--version"]:
        from infralens_core import __version__

        sys.stdout.write(f"infralens {__version__}\n")
        return
    from infralens_core.cli import run

    run()


if __name__ == "__main__":
    main()
