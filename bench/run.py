"""Measure infralens-core against its performance goals, in one run, and say which hold.

    python bench/run.py [--json] [--runs N]

Every goal is a ratio to a floor measured in the same run, or a time on this
machine; the table says each value, its goal and whether it is met. Not part of
the test suite: timings belong to a quiet machine, not to CI.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from timing import cold_starts, median_seconds

import infralens_core


@dataclass
class Measure:
    name: str
    value: float
    unit: str  # "x" for a ratio, "ms" for a time
    goal: float
    detail: str

    @property
    def met(self) -> bool:
        return self.value <= self.goal


def startup(runs: int, pycache: str) -> list[Measure]:
    """Cold starts of the real console script, against bare interpreter floors."""
    script = _console_script()
    python = sys.executable
    times = cold_starts(
        {
            "render": [script, "render", "--example"],
            "floor": [python, "-c", "import pydantic, click, pluggy"],
            "version": [script, "--version"],
            "pass": [python, "-c", "pass"],
            "basemodel": [
                python,
                "-c",
                "import click, pluggy; from pydantic import BaseModel",
            ],
        },
        runs,
        env=bytecode_env(pycache),
    )
    ms = {name: seconds * 1000 for name, seconds in times.items()}
    return [
        Measure(
            "cold start: render --example / import floor",
            ms["render"] / ms["floor"],
            "x",
            1.25,
            f"{ms['render']:.0f} ms / {ms['floor']:.0f} ms "
            "(python -c 'import pydantic, click, pluggy')",
        ),
        Measure(
            "cold start: --version / python -c pass",
            ms["version"] / ms["pass"],
            "x",
            3.0,
            f"{ms['version']:.0f} ms / {ms['pass']:.0f} ms",
        ),
        Measure(
            "  (for reference) render --example / BaseModel floor",
            ms["render"] / ms["basemodel"],
            "x",
            float("inf"),
            f"{ms['render']:.0f} ms / {ms['basemodel']:.0f} ms "
            "(adds 'from pydantic import BaseModel')",
        ),
    ]


def bytecode_env(pycache: str) -> dict[str, str]:
    """The environment with bytecode caching on, its caches under ``pycache``.

    An installed package starts from compiled bytecode. A shell with
    PYTHONDONTWRITEBYTECODE set would have every run compile infralens_core
    from source (about 30 ms) while the floor's packages have theirs; the
    warm-up runs fill a private cache instead, for both sides alike.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _console_script() -> str:
    beside = Path(sys.executable).parent / "infralens"
    found = str(beside) if beside.exists() else shutil.which("infralens")
    if not found:
        raise SystemExit("bench: no infralens console script; pip install -e . first")
    return found


def rendering(small: int, large: int) -> list[Measure]:
    """render_plan plus shell lines, against naive f-strings, at two plan sizes."""
    from rendering import NaiveRenderer, Scenario, check_same_lines, workloads

    scenario = Scenario()
    naive = NaiveRenderer(scenario)
    check_same_lines(scenario, naive, 2 * 17)
    few, many = workloads(small), workloads(large)
    real_s, naive_s = _interleaved(scenario.render, naive.render, few, rounds=7)
    large_s = median_seconds(lambda: _timed(scenario.render, many), runs=3, warmups=0)
    lines = small * 3
    return [
        Measure(
            f"render {small:,} workloads x 3 styles / naive f-strings",
            real_s / naive_s,
            "x",
            4.0,
            f"{real_s * 1000:.0f} ms / {naive_s * 1000:.1f} ms for {lines:,} "
            f"lines ({real_s / lines * 1e6:.1f} / {naive_s / lines * 1e6:.2f} "
            "us a line)",
        ),
        Measure(
            f"render {large:,} workloads / {small:,} workloads",
            large_s / real_s,
            "x",
            11.0,
            f"{large_s:.2f} s / {real_s:.3f} s",
        ),
    ]


def _interleaved(real, naive, batch, rounds: int) -> tuple[float, float]:
    """Median times of the two renderers, taking turns so drift falls on both."""
    _timed(real, batch)  # warm-up: bindings, caches, first-call imports
    real_times, naive_times = [], []
    for _ in range(rounds):
        real_times.append(_timed(real, batch))
        naive_times.append(_timed(naive, batch))
    return sorted(real_times)[rounds // 2], sorted(naive_times)[rounds // 2]


def _timed(render, batch) -> float:
    # Each run starts from a collected heap, and what it made is freed after the
    # clock stops: the measure is making the lines, not tearing them down.
    gc.collect()
    start = time.perf_counter()
    made = render(batch)
    elapsed = time.perf_counter() - start
    del made
    return elapsed


def reading(runs: int) -> list[Measure]:
    """Reading the largest real dump, and a DGX A100-sized sysfs tree."""
    from reading import build_dgx_tree, largest_dump, read_dump, read_tree

    dump = largest_dump()
    dump_s = median_seconds(lambda: read_dump(dump), runs=runs, warmups=5)
    with tempfile.TemporaryDirectory(prefix="infralens-bench-") as tmp:
        root = build_dgx_tree(Path(tmp))
        cpus, nodes = read_tree(root)
        tree_s = median_seconds(
            lambda: read_tree(root), runs=max(runs // 4, 10), warmups=3
        )
    return [
        Measure(
            "read the largest topology dump",
            dump_s * 1000,
            "ms",
            5.0,
            f"{dump.name}, {dump.stat().st_size:,} bytes, median of {runs}",
        ),
        Measure(
            f"read a sysfs tree ({cpus} CPUs, {nodes} NUMA nodes)",
            tree_s * 1000,
            "ms",
            30.0,
            f"DGX A100 fixture, median of {max(runs // 4, 10)}",
        ),
    ]


def machine() -> dict[str, str]:
    return {
        "infralens": infralens_core.__version__,
        "python": platform.python_version(),
        "cpus": str(os.cpu_count()),
        "platform": platform.platform(terse=True),
    }


def print_table(measures: list[Measure]) -> None:
    width = max(len(m.name) for m in measures)
    print(f"{'measure':<{width}}  {'value':>9}  {'goal':>9}  result")
    for m in measures:
        value = f"{m.value:.2f}{m.unit}" if m.unit == "x" else f"{m.value:.2f} ms"
        if m.goal == float("inf"):
            goal, result = "-", ""
        else:
            goal = f"<= {m.goal:g}{m.unit}" if m.unit == "x" else f"<= {m.goal:g} ms"
            result = "met" if m.met else "NOT MET"
        print(f"{m.name:<{width}}  {value:>9}  {goal:>9}  {result}")
        print(f"{'':<{width}}    {m.detail}")
    info = machine()
    print(
        f"\ninfralens {info['infralens']}, Python {info['python']}, "
        f"{info['cpus']} CPUs, {info['platform']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print JSON, not a table")
    parser.add_argument(
        "--runs", type=int, default=15, help="cold starts of each command (default 15)"
    )
    parser.add_argument(
        "--workloads",
        type=int,
        default=10_000,
        help="the smaller plan size (default 10000; the larger is 10x)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="infralens-bench-pyc-") as pycache:
        measures = startup(args.runs, pycache)
    measures += rendering(args.workloads, args.workloads * 10)
    measures += reading(runs=200)
    if args.json:
        rows = [
            {
                **asdict(m),
                "met": m.met if m.goal != float("inf") else None,
                "goal": None if m.goal == float("inf") else m.goal,
            }
            for m in measures
        ]
        print(json.dumps({"machine": machine(), "measures": rows}, indent=2))
    else:
        print_table(measures)


if __name__ == "__main__":
    main()
