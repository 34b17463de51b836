"""Writing files so that a crash or a refusal never leaves half a file behind."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from infralens_core.errors import InputError


def write_atomic(
    path: str, text: str, *, force: bool = False, mode: int = 0o644
) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    An existing file is replaced only with ``force``; the rename is atomic on POSIX,
    so readers see the old file or the new one, never a mix.
    """
    if not path:
        raise InputError(
            "--output", None, "is empty; give a file path, or - for stdout"
        )
    target = Path(path)
    _check_replaceable(path, force)
    directory = target.parent
    if not directory.is_dir():
        raise InputError(path, None, f"directory {str(directory)!r} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=directory)
    except OSError as exc:
        raise InputError(path, None, f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if force:
            os.replace(tmp, target)
        else:
            _move_to_new_name(tmp, target)
    except FileExistsError:
        os.unlink(tmp)
        raise InputError(path, None, "exists; use --force to replace it") from None
    except BaseException as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            # A full disk or a read-only directory: say so in one line, and the
            # old file, if any, is as it was.
            reason = exc.strerror or str(exc)
            raise InputError(path, None, f"cannot write: {reason}") from None
        raise


def _check_replaceable(path: str, force: bool) -> None:
    """Refuse a directory, and anything but a regular file even with --force.

    A rename over a symlink or a device node replaces the node itself: as root,
    ``-o /dev/null --force`` would leave a regular file where /dev/null was.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(path, None, exc.strerror or str(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(path, None, "is a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            path,
            None,
            "is not a regular file (a link, device or FIFO); "
            "write to a file, or use -o - for stdout",
        )
    if not force:
        raise InputError(path, None, "exists; use --force to replace it")


def _move_to_new_name(tmp: str, target: Path) -> None:
    """Rename ``tmp`` to ``target`` unless that name exists.

    link() fails if the name exists, so a file made meanwhile survives. Some file
    systems (vfat, some network mounts) have no hard links; there the name is
    checked, then taken by rename, a window too small to matter for a file the
    user names on the command line.
    """
    try:
        os.link(tmp, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        if target.exists():
            raise FileExistsError(errno.EEXIST, "exists", str(target)) from None
        os.replace(tmp, target)
        return
    os.unlink(tmp)
