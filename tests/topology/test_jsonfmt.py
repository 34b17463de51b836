"""Reading back infralens JSON: lossless round trip, field-named errors."""

from __future__ import annotations

import json

import pytest

from infralens_core.errors import InputError
from infralens_core.topology.jsonfmt import parse_json
from infralens_core.topology.load import read_source
from infralens_core.topology.sysfs import read_sysfs

from .sysfs_trees import DGX_A100, build_tree
from .test_dumps import DUMPS


def round_trip(data: dict) -> dict:
    return parse_json(json.dumps(data), "t.json").to_json()


@pytest.mark.parametrize("dump", DUMPS, ids=[d.stem for d in DUMPS])
def test_every_dump_round_trips_losslessly(dump):
    data = read_source(str(dump)).to_json()
    assert round_trip(data) == data


def test_sysfs_tree_with_distances_and_allowed_sets_round_trips(tmp_path):
    topo = read_sysfs(build_tree(tmp_path, DGX_A100))
    topo.conflicts.append("a conflict sentence")
    data = topo.to_json()
    assert round_trip(data) == data


def test_json_file_is_detected_and_read(tmp_path):
    path = tmp_path / "t.json"
    data = read_source(str(DUMPS[0])).to_json()
    path.write_text(json.dumps(data))
    assert read_source(str(path)).to_json() == data


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["gpus"][0].update(numa_node="N/A"), "gpus[0].numa_node"),
        (lambda d: d["gpus"][0].update(numa_node=True), "gpus[0].numa_node"),
        (lambda d: d["nodes"].append({"id": 9, "cpus": "3-1"}), "nodes[1].cpus"),
        (lambda d: d.update(nvlink=[[0, 1]]), "nvlink[0]"),
        (
            lambda d: d["gpus"][0]["mig"].append({"profile": "1g"}),
            "gpus[0].mig[0].uuid",
        ),
    ],
)
def test_bad_field_is_named(edit, where):
    data = {
        "sources": ["x"],
        "nodes": [{"id": 0, "cpus": "0-3", "memory_mb": None, "socket": None}],
        "gpus": [{"index": 0, "numa_node": 0, "cpus": None, "mig": []}],
    }
    edit(data)
    with pytest.raises(InputError) as err:
        parse_json(json.dumps(data), "t.json")
    assert err.value.where == where


def test_invalid_json_names_the_line():
    with pytest.raises(InputError) as err:
        parse_json('{\n  "sources": [\n  oops\n}', "t.json")
    assert err.value.where == 3


def test_json_without_topology_keys_is_refused():
    with pytest.raises(InputError, match="not an infralens topology"):
        parse_json('{"a": 1}', "t.json")
