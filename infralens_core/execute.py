"""Running a rendered command: argv without a shell, its exit status passed on.

``infralens run`` execs the command: the program takes over infralens's process,
so every signal aimed at it or its process group arrives once, from whoever sent
it, and its exit status or death by signal is the caller's to see, as when the
line is pasted into a shell. Before that, what a shell would refuse is refused the
same way: a missing program (127), one that cannot run (126), a missing directory
(1). Preamble steps run first as children (``run_argv``), whose status is read.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import NoReturn

FORWARDED = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)
# si_code values at or below zero mean a process sent the signal (SI_USER, SI_QUEUE,
# SI_TKILL); the kernel's own, such as the terminal's, are positive (SI_KERNEL).
_SENT_BY_PROCESS = 0
# What a shell answers when it cannot start a program.
NOT_FOUND = 127
NOT_EXECUTABLE = 126


class StartError(Exception):
    """The program could not be started; ``exit_code`` is the shell's answer."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def child_env(
    extra: Mapping[str, str], base: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The environment a rendered line gives its program: ours plus its own."""
    return {**(os.environ if base is None else base), **extra}


def exit_status(returncode: int) -> int:
    """A shell's ``$?`` for a child's return code: death by signal N is 128+N."""
    return 128 - returncode if returncode < 0 else returncode


def run_argv(
    argv: Sequence[str], env: Mapping[str, str], cwd: str | None = None
) -> int:
    """Run ``argv`` in ``cwd`` with exactly ``env``; return its shell exit status.

    Raises StartError when the program or the directory is missing, before
    anything ran.
    """
    program = _find_program(argv[0], env)
    if cwd is not None and not os.path.isdir(cwd):
        # `cd -- DIR && …` stops here with status 1, and so do we.
        raise StartError(f"cd: {cwd}: no such directory", 1)
    sys.stdout.flush()
    sys.stderr.flush()
    watched = (*FORWARDED, signal.SIGCHLD)
    # An inherited SIG_IGN for SIGCHLD would have the kernel reap the child and
    # lose its status.
    old_chld = signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    old_mask = signal.pthread_sigmask(signal.SIG_BLOCK, watched)
    try:
        child = _start(program, argv, env, cwd, old_mask)
        return exit_status(_wait_forwarding(child, watched))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old_mask)
        signal.signal(signal.SIGCHLD, old_chld)


def exec_argv(
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: str | None = None,
    *,
    program: str | None = None,
) -> NoReturn:
    """Replace this process with ``argv`` run in ``cwd`` with exactly ``env``.

    ``program`` is the word a launcher (numactl, taskset) will run; it is looked
    up too, since the launcher would report its absence with its own status 1.
    Raises StartError, before anything ran, when a shell would have refused.
    """
    path = _find_program(argv[0], env)
    if program is not None:
        _find_program(program, env, cwd)
    if cwd is not None:
        try:
            os.chdir(cwd)
        except OSError:
            raise StartError(f"cd: {cwd}: no such directory", 1) from None
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(path, list(argv), dict(env))
    except OSError as exc:
        raise StartError(f"{argv[0]}: {exc.strerror or exc}", NOT_EXECUTABLE) from None


def _find_program(name: str, env: Mapping[str, str], cwd: str | None = None) -> str:
    """The path the child's own PATH resolves ``name`` to, as execvpe would."""
    if "/" in name:
        where = os.path.join(cwd, name) if cwd else name
        found = where if os.path.isfile(where) else None
    else:
        found = shutil.which(name, mode=os.F_OK, path=env.get("PATH", os.defpath))
    if found is None:
        raise StartError(f"{name}: command not found", NOT_FOUND)
    if not os.access(found, os.X_OK) or os.path.isdir(found):
        raise StartError(f"{name}: permission denied", NOT_EXECUTABLE)
    return found


def _start(
    program: str,
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: str | None,
    mask: set,
) -> subprocess.Popen:
    # The blocked mask is inherited across exec; the child gets ours back first.
    try:
        return subprocess.Popen(
            [argv[0], *argv[1:]],
            executable=program,
            env=dict(env),
            cwd=cwd,
            preexec_fn=lambda: signal.pthread_sigmask(signal.SIG_SETMASK, mask),
        )
    except PermissionError:
        raise StartError(f"{argv[0]}: permission denied", NOT_EXECUTABLE) from None
    except OSError as exc:
        raise StartError(f"{argv[0]}: {exc.strerror or exc}", NOT_EXECUTABLE) from None


def _wait_forwarding(child: subprocess.Popen, watched: tuple) -> int:
    """Wait for the child, passing on signals that other processes send us."""
    while True:
        info = signal.sigwaitinfo(watched)
        if info.si_signo == signal.SIGCHLD:
            if child.poll() is not None:
                return child.returncode
        elif info.si_code <= _SENT_BY_PROCESS:
            _send(child, info.si_signo)


def _send(child: subprocess.Popen, signo: int) -> None:
    try:
        child.send_signal(signo)
    except ProcessLookupError:
        pass  # it exited between the signal and now; its SIGCHLD is pending
