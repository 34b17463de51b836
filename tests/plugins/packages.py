"""Real plugin distributions for tests: written to a folder, installed with pip.

pip installs into a folder of the test's own (``--target``) rather than the venv,
so nothing leaks into other tests and nothing needs uninstalling. It builds with
the venv's setuptools (``--no-build-isolation``) and reads no index, so the tests
run offline; setuptools 70.1 or later builds wheels without the ``wheel`` package.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "infralens-podman"
MIN_SETUPTOOLS = (70, 1)


def write_package(
    root: Path, dist: str, modules: dict[str, str], entry_points: dict[str, str]
) -> Path:
    """A source tree of distribution ``dist``: one top-level module per item of
    ``modules`` (name -> source) and ``entry_points`` (name -> module) in the
    ``infralens`` group."""
    root.mkdir(parents=True)
    eps = "\n".join(f'"{name}" = "{target}"' for name, target in entry_points.items())
    names = ", ".join(f'"{name}"' for name in sorted(modules))
    root.joinpath("pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=70.1"]\n'
        'build-backend = "setuptools.build_meta"\n\n'
        f'[project]\nname = "{dist}"\nversion = "1.2.3"\n\n'
        f"[tool.setuptools]\npy-modules = [{names}]\n\n"
        f"[project.entry-points.infralens]\n{eps}\n",
        encoding="utf-8",
    )
    for name, source in modules.items():
        root.joinpath(f"{name}.py").write_text(source, encoding="utf-8")
    return root


def copy_example(dest: Path) -> Path:
    """A copy of examples/infralens-podman; a build writes into its source tree."""
    return Path(
        shutil.copytree(
            EXAMPLE,
            dest,
            ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"),
        )
    )


def pip_install(src: Path, target: Path) -> Path:
    """``pip install --target`` of the source tree ``src``; returns ``target``."""
    have = tuple(int(p) for p in version("setuptools").split(".")[:2])
    if have < MIN_SETUPTOOLS:
        pytest.fail(
            f"setuptools {version('setuptools')} cannot build wheels alone; "
            "install the test extra: pip install -e '.[test]'"
        )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    assert done.returncode == 0, done.stderr
    return target


def env_with(*folders: Path, **extra: str) -> dict[str, str]:
    """The environment of a child ``infralens`` that sees packages in ``folders``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "INFRALENS_DISABLE_PLUGINS", "INFRALENS_DEBUG")
    }
    if folders:
        env["PYTHONPATH"] = os.pathsep.join(str(f) for f in folders)
    return {**env, **extra}
