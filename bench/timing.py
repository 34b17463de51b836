"""Small timing helpers shared by the benchmark's measures."""

from __future__ import annotations

import statistics
import subprocess
import time
from collections.abc import Callable, Sequence


def median_seconds(fn: Callable[[], object], runs: int, warmups: int = 1) -> float:
    """The median wall time of ``fn()`` over ``runs`` calls, after ``warmups``."""
    for _ in range(warmups):
        fn()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold_starts(
    commands: dict[str, Sequence[str]],
    runs: int,
    warmups: int = 2,
    env: dict[str, str] | None = None,
) -> dict[str, float]:
    """Median wall time of each command started as a fresh process.

    The commands take turns within every round, so a drift in machine load (a
    neighbour's build, CPU frequency) falls on all of them alike instead of on
    whichever ran last; the turn order also rotates to cancel order effects.
    """
    names = list(commands)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_no in range(warmups + runs):
        shift = round_no % len(names)
        for name in names[shift:] + names[:shift]:
            elapsed = _run_once(commands[name], env)
            if round_no >= warmups:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def _run_once(argv: Sequence[str], env: dict[str, str] | None) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {done.returncode}")
    return elapsed
