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


def minimal() -> dict:
    return {
        "sources": ["x"],
        "nodes": [
            {"id": 0, "cpus": "0-3", "memory_mb": 100, "socket": 0},
            {"id": 1, "cpus": "4-7", "memory_mb": 100, "socket": 0},
        ],
        "gpus": [
            {"index": 0, "numa_node": 0, "uuid": "GPU-a", "mig": []},
            {"index": 1, "numa_node": 1, "uuid": "GPU-b", "mig": []},
        ],
    }


def refused_at(data: dict) -> tuple[str, str]:
    with pytest.raises(InputError) as err:
        parse_json(json.dumps(data), "t.json")
    assert err.value.source == "t.json"
    return err.value.where, err.value.message


@pytest.mark.parametrize("value", [-1, -7, 1024, 10**20])
def test_gpu_numa_node_outside_0_1023_is_refused(value):
    """Pins: numa_node -1 (or a huge id) was accepted and rendered
    `numactl --cpunodebind=-1`."""
    data = minimal()
    data["gpus"][0]["numa_node"] = value
    where, message = refused_at(data)
    assert where == "gpus[0].numa_node"
    assert str(value) in message


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["nodes"][1].update(id=1024), "nodes[1].id"),
        (lambda d: d["nodes"][1].update(id=-1), "nodes[1].id"),
        (lambda d: d["nodes"][0].update(distances={"5000": 10}), "nodes[0].distances"),
        (lambda d: d["nodes"][0].update(memory_mb=-5), "nodes[0].memory_mb"),
        (lambda d: d["gpus"][0].update(index=-1), "gpus[0].index"),
        (lambda d: d["gpus"][0].update(index=10**12), "gpus[0].index"),
        (lambda d: d.update(allowed_mems="0-4096"), "allowed_mems"),
    ],
)
def test_negative_and_huge_ids_are_refused(edit, where):
    """Pins: ids below zero or past Linux's limits were taken as they stood."""
    data = minimal()
    edit(data)
    assert refused_at(data)[0] == where


def test_gpu_on_a_node_the_file_does_not_list_is_refused():
    """Pins: a GPU on node 5 of a file listing nodes 0-1 rendered --membind=5."""
    data = minimal()
    data["gpus"][1]["numa_node"] = 5
    where, message = refused_at(data)
    assert where == "gpus[1].numa_node"
    assert "NUMA node 5 is not among the nodes 0, 1" in message


def test_gpu_node_is_free_when_the_file_lists_no_nodes():
    """A rocm-smi topology names GPU nodes but lists none; that stays readable."""
    data = minimal()
    data["nodes"] = []
    data["gpus"][1]["numa_node"] = 5
    assert parse_json(json.dumps(data), "t.json").gpus[1].numa_node == 5


@pytest.mark.parametrize(
    ("edit", "where", "words"),
    [
        (
            lambda d: d["gpus"][1].update(index=0),
            "gpus[1].index",
            "GPU 0 is listed twice",
        ),
        (
            lambda d: d["nodes"][1].update(id=0, cpus="8-9"),
            "nodes[1].id",
            "NUMA node 0 is listed twice",
        ),
        (
            lambda d: d["gpus"][1].update(uuid="GPU-a"),
            "gpus[1].uuid",
            "GPU-a is GPU 0's too",
        ),
        (
            lambda d: [g.update(mig=[{"uuid": "MIG-x"}]) for g in d["gpus"]],
            "gpus[1].mig[0].uuid",
            "MIG slice MIG-x is listed twice",
        ),
        (
            lambda d: d["nodes"][1].update(cpus="3-7"),
            "nodes[1].cpus",
            "CPU 3 is in NUMA node 0 and NUMA node 1",
        ),
        (
            lambda d: d.update(nvlink=[[0, 9, "NV4"]]),
            "nvlink[0]",
            "GPU 9 is not among the file's GPUs",
        ),
    ],
)
def test_ids_listed_twice_are_refused(edit, where, words):
    """Pins: duplicate GPU indices, node ids, UUIDs and MIG UUIDs (and a CPU on
    two nodes) were accepted, the later silently replacing the earlier."""
    data = minimal()
    edit(data)
    found, message = refused_at(data)
    assert found == where
    assert words in message


def test_deeply_nested_json_is_an_input_error_not_a_recursion_error():
    """Pins: 100k nested lists raised RecursionError, an internal error (exit 1)."""
    text = '{"nodes": ' + "[" * 100_000 + "]" * 100_000 + ', "gpus": []}'
    with pytest.raises(InputError, match="nested too deeply") as err:
        parse_json(text, "deep.json")
    assert err.value.source == "deep.json"
    assert err.value.exit_code == 2


def test_number_of_thousands_of_digits_is_an_input_error():
    """Pins: int() refuses over 4300 digits with a ValueError, not an InputError."""
    text = '{"nodes": [], "gpus": [{"index": 1' + "0" * 5000 + "}]}"
    with pytest.raises(InputError, match="too long"):
        parse_json(text, "t.json")


def test_readme_shaped_json_without_sources_is_read_under_the_file_name():
    """Pins: the README's shape (no "sources") was refused as not a topology."""
    text = json.dumps(
        {
            "nodes": [{"id": 0, "cpus": "0-7", "memory_mb": None, "socket": None}],
            "gpus": [{"index": 0, "numa_node": 0, "cpus": "0-7", "uuid": None}],
            "nvlink": [],
        }
    )
    topo = parse_json(text, "host.json")
    assert topo.sources == ["host.json"]
    assert topo.gpus[0].numa_node == 0 and topo.nvlink == []


@pytest.mark.parametrize("missing", ["nodes", "gpus"])
def test_missing_key_is_named(missing):
    """Pins: a missing key was reported as "(sources/nodes/gpus)", naming none."""
    data = minimal()
    del data[missing]
    with pytest.raises(InputError, match=f'no "{missing}" key'):
        parse_json(json.dumps(data), "t.json")


def test_smt_siblings_survive_a_json_round_trip():
    """JSON written by `infralens topology` dropped SMT siblings, so
    smt_siblings = false stopped working on the JSON copy of a host."""
    from infralens_core.topology.jsonfmt import from_json
    from infralens_core.topology.model import Topology

    pairs = {c: frozenset({c % 4, c % 4 + 4}) for c in range(8)}
    topo = Topology(smt_siblings=pairs)
    data = topo.to_json()
    assert data["smt_siblings"] == ["0,4", "1,5", "2,6", "3,7"]
    assert from_json(data, "t.json").smt_siblings == pairs
