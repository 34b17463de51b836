"""Files infralens writes appear whole or not at all, and never replace one unasked.

``preset init -o`` and ``render -o`` write through a temporary file in the same
directory and a rename. These tests run the real CLI, and make the rename or the
write fail part way to prove the old file stays as it was and no temporary file
(``.NAME.*``) is left behind.
"""

from __future__ import annotations

import errno
import os
import stat
import subprocess

import pytest
from helpers import run_infralens

from infralens_core.atomic import write_atomic
from infralens_core.cli import run
from infralens_core.errors import InputError
from infralens_core.inputs import load_preset

OLD = "# the preset someone tuned by hand\n"


def leftovers(path) -> list[str]:
    return sorted(p.name for p in path.parent.glob(f".{path.name}.*"))


def cli(args: list[str], capsys) -> tuple[int, str]:
    """Run the CLI in this process (so monkeypatches apply); exit code and stderr."""
    with pytest.raises(SystemExit) as done:
        run(args)
    return done.value.code or 0, capsys.readouterr().err


def test_preset_init_writes_a_preset_and_never_replaces_one_unasked(tmp_path):
    target = tmp_path / "preset.toml"

    first = run_infralens(["preset", "init", "-o", str(target)], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert load_preset(str(target)).entry_command == "python train.py"
    target.write_text(OLD)

    again = run_infralens(["preset", "init", "-o", str(target)], cwd=tmp_path)
    assert again.returncode == 2
    assert again.stderr == f"Error: {target}: exists; use --force to replace it\n"
    assert target.read_text() == OLD

    forced = run_infralens(
        ["preset", "init", "--environment", "docker", "--force", "-o", str(target)],
        cwd=tmp_path,
    )
    assert forced.returncode == 0, forced.stderr
    assert load_preset(str(target)).environment == "docker"
    assert leftovers(target) == []


def test_render_script_is_written_executable_and_kept_without_force(tmp_path):
    target = tmp_path / "launch.sh"
    args = [
        "render",
        "--example",
        "--style",
        "taskset",
        "--format",
        "script",
        "-o",
        str(target),
    ]

    made = run_infralens(args, cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert subprocess.run(["bash", "-n", str(target)]).returncode == 0
    assert "taskset -c" in target.read_text()
    target.write_text(OLD)

    refused = run_infralens(args, cwd=tmp_path)
    assert refused.returncode == 2
    assert "exists; use --force" in refused.stderr
    assert refused.stdout == ""
    assert target.read_text() == OLD

    assert run_infralens([*args, "--force"], cwd=tmp_path).returncode == 0
    assert target.read_text().startswith("#!/usr/bin/env bash\n")
    assert leftovers(target) == []


def fail_with(code: int):
    def failing(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    return failing


@pytest.mark.parametrize(
    "command",
    [
        ["preset", "init"],
        ["render", "--example", "--style", "numactl", "--format", "script"],
    ],
)
def test_failed_rename_leaves_old_file_intact_and_no_temp(
    tmp_path, monkeypatch, capsys, command
):
    target = tmp_path / "out"
    target.write_text(OLD)
    monkeypatch.setattr(os, "replace", fail_with(errno.ENOSPC))

    code, err = cli([*command, "-o", str(target), "--force"], capsys)

    assert code == 2
    assert err == f"Error: {target}: cannot write: No space left on device\n"
    assert target.read_text() == OLD
    assert leftovers(target) == []


def test_failed_link_creates_nothing_and_leaves_no_temp(tmp_path, monkeypatch, capsys):
    target = tmp_path / "new.toml"
    monkeypatch.setattr(os, "link", fail_with(errno.EIO))

    code, err = cli(["preset", "init", "-o", str(target)], capsys)

    assert code == 2
    assert err == f"Error: {target}: cannot write: Input/output error\n"
    assert not target.exists()
    assert leftovers(target) == []


def test_failure_while_writing_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "launch.sh"
    target.write_text(OLD)
    monkeypatch.setattr(os, "fsync", fail_with(errno.EDQUOT))

    with pytest.raises(InputError, match="cannot write: Disk quota exceeded"):
        write_atomic(str(target), "#!/bin/sh\n" * 1000, force=True)

    assert target.read_text() == OLD
    assert leftovers(target) == []


def test_interrupt_while_writing_leaves_no_temp(tmp_path, monkeypatch):
    target = tmp_path / "launch.sh"
    monkeypatch.setattr(
        os, "fsync", lambda fd: (_ for _ in ()).throw(KeyboardInterrupt())
    )

    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(target), "echo hi\n")

    assert not target.exists()
    assert leftovers(target) == []


def test_file_made_meanwhile_is_not_replaced(tmp_path, monkeypatch):
    """Someone else creates the file between the check and the rename."""
    target = tmp_path / "preset.toml"
    real_link = os.link

    def racing_link(src, dst):
        target.write_text(OLD)
        return real_link(src, dst)

    monkeypatch.setattr(os, "link", racing_link)
    with pytest.raises(InputError, match="exists; use --force"):
        write_atomic(str(target), "[execution]\n")

    assert target.read_text() == OLD
    assert leftovers(target) == []


@pytest.mark.parametrize(
    "code", [errno.EPERM, errno.EOPNOTSUPP], ids=["EPERM", "EOPNOTSUPP"]
)
def test_file_system_without_hard_links_still_gets_the_file(
    tmp_path, monkeypatch, code
):
    """Fault: on vfat or a network mount link() fails with EPERM/EOPNOTSUPP, so
    writing a new file there failed every time (and with a traceback)."""
    target = tmp_path / "preset.toml"
    monkeypatch.setattr(os, "link", fail_with(code))

    write_atomic(str(target), "[execution]\n")

    assert target.read_text() == "[execution]\n"
    assert leftovers(target) == []


def test_disk_full_is_one_error_line_not_a_traceback(tmp_path, monkeypatch):
    """Fault: an OSError from the rename (a full disk) escaped write_atomic, so the
    CLI showed an 'internal error' with exit 1 instead of naming the file."""
    target = tmp_path / "x.toml"
    monkeypatch.setattr(os, "link", fail_with(errno.ENOSPC))

    with pytest.raises(InputError) as caught:
        write_atomic(str(target), "x")

    assert str(caught.value) == f"{target}: cannot write: No space left on device"
