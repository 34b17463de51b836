"""Bad input through the real CLI: one clear line, exit 2, no traceback, no writes.

The cases live in cases.toml, one a line; the files they name live in files/.
"""

from __future__ import annotations

import hashlib
import os
import shlex
import shutil
import tomllib
from pathlib import Path

import pytest
from helpers import H100_DUMP, MIG_DUMP, NUMACTL_DUMP, run_infralens

HERE = Path(__file__).resolve().parent
CASES = tomllib.loads((HERE / "cases.toml").read_text(encoding="utf-8"))["cases"]
MIN_CASES = 40
# Over the 8 MiB limit of presets, plans and topology files alike.
HUGE_BYTES = 9 * 1024 * 1024
DEFAULTS = (
    (("--preset",), ["--preset", "good-preset.toml"]),
    (("--plan", "--workload"), ["--workload", "train-01=0"]),
    (("--topology",), ["--topology", "h100.txt"]),
    (("-o", "--output"), ["-o", "out.txt"]),
)


def test_the_corpus_holds_enough_cases():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases in cases.toml"
    named = {word for case in CASES.values() for word in shlex.split(case["argv"])}
    missing = {p.name for p in (HERE / "files").iterdir()} - named
    assert not missing, f"files no case uses: {sorted(missing)}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A scratch copy of files/ with the real dumps and the generated big files."""
    root = tmp_path_factory.mktemp("badinput")
    shutil.copytree(HERE / "files", root, dirs_exist_ok=True)
    for name, dump in (
        ("h100.txt", H100_DUMP),
        ("mig.txt", MIG_DUMP),
        ("numactl.txt", NUMACTL_DUMP),
    ):
        shutil.copyfile(dump, root / name)
    (root / "a-directory").mkdir()
    filler = b"# padding a user did not mean to point infralens at\n"
    for name, head in (
        ("huge-preset.toml", b'[execution]\nentry_command = "x"\n'),
        ("huge-topology.txt", b"available: 1 nodes (0)\n"),
    ):
        body = head + filler * (HUGE_BYTES // len(filler) + 1)
        (root / name).write_bytes(body[:HUGE_BYTES])
    return root


def argv_of(case: dict) -> list[str]:
    argv = shlex.split(case["argv"])
    if argv[0] != "render" or case.get("bare"):
        return argv
    for options, default in DEFAULTS:
        if not any(word in options for word in argv):
            argv += default
    return argv


def snapshot(root: Path) -> dict[str, tuple]:
    """Every path under root with its size, mtime and (for small files) content."""
    state = {}
    for path in sorted(root.rglob("*")):
        info = path.stat()
        digest = None
        if path.is_file() and info.st_size < HUGE_BYTES:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        state[str(path.relative_to(root))] = (info.st_size, info.st_mtime_ns, digest)
    return state


def clean_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("INFRALENS_DEBUG", "INFRALENS_DISABLE_PLUGINS")
    }
    return {**env, "COLUMNS": "200"}


@pytest.mark.parametrize("case_id", sorted(CASES))
def test_bad_input_is_refused_in_one_line(case_id, corpus):
    case = CASES[case_id]
    before = snapshot(corpus)

    result = run_infralens(argv_of(case), cwd=corpus, env=clean_env())

    assert "Traceback" not in result.stderr + result.stdout
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("Error: ")]
    assert len(errors) == 1, result.stderr
    if not case.get("usage"):
        assert lines == errors, f"more than the error line: {result.stderr!r}"
    assert lines[-1] == errors[0]
    assert case["expect"] in errors[0], errors[0]
    assert snapshot(corpus) == before, "the failed command changed files"
