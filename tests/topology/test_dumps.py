"""Every real dump in the shared folder reads to the values its expected.json holds."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from infralens_core.topology.load import read_source

DATA = Path(__file__).resolve().parents[1] / "data" / "topologies"
SHARED = Path(
    os.environ.get(
        "INFRALENS_SHARED_TOPOLOGIES",
        Path(__file__).resolve().parents[2].parent / "shared" / "topologies",
    )
)
# The shared folder is the reference when this checkout has one; tests/data holds
# identical copies so a clone without it still runs every case.
ROOT = SHARED if SHARED.is_dir() else DATA
DUMPS = sorted(ROOT.glob("*.txt"))
MIN_DUMPS = 18


def test_the_dump_set_is_not_silently_empty():
    assert len(DUMPS) >= MIN_DUMPS, f"only {len(DUMPS)} dumps under {ROOT}"
    for dump in DUMPS:
        assert dump.with_suffix(".expected.json").is_file(), dump.name


@pytest.mark.skipif(not SHARED.is_dir(), reason="no shared topologies folder here")
def test_every_shared_file_has_an_identical_copy_in_tests_data():
    shared = sorted(p for p in SHARED.iterdir() if p.is_file())
    assert len([p for p in shared if p.suffix == ".txt"]) >= MIN_DUMPS
    for path in shared:
        copy = DATA / path.name
        assert copy.is_file(), f"{path.name} is missing from {DATA}"
        assert copy.read_bytes() == path.read_bytes(), f"{path.name} differs"


def read_via_cli(dump: Path) -> dict:
    """What `infralens topology --from FILE --format json` prints."""
    from click.testing import CliRunner

    from infralens_core.cli import cli

    result = CliRunner().invoke(
        cli, ["topology", "--from", str(dump), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


READERS = {"api": lambda dump: read_source(str(dump)).to_json(), "cli": read_via_cli}


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize("dump", DUMPS, ids=[d.stem for d in DUMPS])
def test_dump_reads_to_its_expected_values(dump: Path, reader: str):
    expected = json.loads(dump.with_suffix(".expected.json").read_text())
    got = READERS[reader](dump)

    assert got["sources"] == [f"{expected['source']} ({dump})"]
    if "gpus" in expected:
        assert len(got["gpus"]) == len(expected["gpus"])
        for want, have in zip(expected["gpus"], got["gpus"], strict=True):
            assert {k: have[k] for k in want} == want
    if "nodes" in expected:
        assert len(got["nodes"]) == len(expected["nodes"])
        for want, have in zip(expected["nodes"], got["nodes"], strict=True):
            assert {k: have[k] for k in want} == want
    # Absent in expected means the dump cannot show it: it must stay unknown.
    assert got.get("nvlink") == expected.get("nvlink")
    assert got.get("sockets") == expected.get("sockets")
