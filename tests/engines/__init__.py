"""The real engines tests run rendered lines through: numactl, taskset, podman.

``require`` skips a test when a tool is missing on a developer's machine, but
fails it under CI (``CI=true``), where ``.ci/run`` installs everything: a CI run
that skipped the real engines would prove nothing. ``podman_service`` reuses the
service ``.ci/run`` started (``DOCKER_HOST``) or starts one through
``.ci/engines.sh`` with its state under a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENGINES_SH = ROOT / ".ci" / "engines.sh"
PROBE = Path(__file__).resolve().with_name("probe.py")
IMAGE = "localhost/infralens-test"
# The probe baked into IMAGE: prints cpus=, mems=, cwd=, arg= and env= lines.
IMAGE_PROBE = "/probe"
SETUP_HINT = "run `bash .ci/run` or see ../shared/ENGINES.md"


def in_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing(reason: str) -> None:
    """Skip locally; fail in CI, where every engine must be there."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the real engines are required)")
    pytest.skip(f"{reason}; {SETUP_HINT}")


def require(*tools: str) -> None:
    for tool in tools:
        if shutil.which(tool) is None:
            missing(f"{tool} is not installed")


def probe_command() -> str:
    """The entry command that starts the probe with this test run's Python."""
    return f"{sys.executable} {PROBE}"


@contextmanager
def podman_service(state_dir: Path) -> Iterator[dict[str, str]]:
    """Environment variables that point the docker CLI at a running podman."""
    require("docker")
    if os.environ.get("DOCKER_HOST"):
        _check_answers(dict(os.environ))
        yield {}
        return
    require("podman", "busybox")
    started = subprocess.run(
        ["bash", str(ENGINES_SH), "start", str(state_dir)],
        capture_output=True,
        text=True,
    )
    try:
        if started.returncode:
            missing(f"podman did not start: {started.stderr.strip()[-500:]}")
        env = _exports(started.stdout)
        _check_answers({**os.environ, **env})
        yield env
    finally:
        subprocess.run(
            ["bash", str(ENGINES_SH), "stop", str(state_dir)], capture_output=True
        )


def _exports(text: str) -> dict[str, str]:
    env = {}
    for line in text.splitlines():
        key, _, value = line.removeprefix("export ").partition("=")
        env[key] = value
    return env


def _check_answers(env: dict[str, str]) -> None:
    answer = subprocess.run(
        ["docker", "image", "inspect", IMAGE], env=env, capture_output=True, text=True
    )
    if answer.returncode:
        missing(
            f"the docker CLI gets no {IMAGE} from {env.get('DOCKER_HOST')}: "
            f"{answer.stderr.strip()}"
        )


def docker_shim(bin_dir: Path) -> Path:
    """A `docker` first on PATH that runs the real one minus what cannot run here.

    ``--gpus`` needs a GPU runtime this machine lacks. ``--rm`` makes this podman
    report status 0 for a failed container, so the shim removes the container by
    its ``--name`` after reading the real status.
    """
    real = shutil.which("docker")
    shim = bin_dir / "docker"
    shim.write_text(_SHIM.replace("@REAL@", str(real)))
    shim.chmod(0o755)
    return shim


_SHIM = """#!/bin/sh
real=@REAL@
[ "$1" = run ] || exec "$real" "$@"
skip=0 name= prev=
for arg do
    shift
    if [ "$skip" = 1 ]; then skip=0; continue; fi
    [ "$prev" = --name ] && name=$arg
    prev=$arg
    case $arg in
        --gpus) skip=1; continue ;;
        --gpus=*|--rm) continue ;;
    esac
    set -- "$@" "$arg"
done
"$real" "$@"
status=$?
[ -n "$name" ] && "$real" rm -f "$name" >/dev/null 2>&1
exit "$status"
"""
