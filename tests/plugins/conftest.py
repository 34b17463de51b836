"""Fixtures for plugin tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.packages import pip_install


@pytest.fixture
def pip_target(tmp_path):
    """Install a package directory with pip into a folder of its own.

    Returns ``install(src) -> folder``; put the folder on PYTHONPATH (or sys.path)
    and importlib.metadata finds the package's entry points there.
    """

    def install(src: Path) -> Path:
        return pip_install(src, tmp_path / f"site-{src.name}")

    return install
