"""Read back the JSON that ``Topology.to_json`` writes, losslessly.

A saved topology lets an operator capture a GPU host once and render commands for
it elsewhere. Every field is checked, so a hand-edited file fails with the field's
path (``gpus[2].numa_node``) rather than later with a wrong binding: types, id
ranges (a NUMA node is 0-1023), ids listed twice, a CPU on two nodes, and a GPU on
a node the file does not list. ``sources`` may be left out (the README's shape);
it then defaults to the file's name.
"""

from __future__ import annotations

import json
from typing import Any

from infralens_core.errors import InputError
from infralens_core.topology._common import (
    cpus_or_error,
    node_id_or_error,
    nodes_or_error,
    refuse_cpus_elsewhere,
)
from infralens_core.topology.model import Gpu, MigSlice, Node, Topology

_REQUIRED = ("nodes", "gpus")
# nvidia-smi topo -m reads GPU names of at most six digits; the same bound here.
MAX_GPU_INDEX = 999_999


def looks_like_json(text: str) -> bool:
    """True when the text starts like a JSON object (after blanks)."""
    return text.lstrip().startswith("{")


def parse_json(text: str, source_name: str = "") -> Topology:
    """Parse the JSON text and rebuild the Topology it describes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source_name, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        # The decoder recurses once per nested list or object.
        raise InputError(source_name, None, "invalid JSON: nested too deeply") from None
    except ValueError:  # int() refuses a number of more than 4300 digits
        raise InputError(
            source_name, None, "invalid JSON: a number is too long"
        ) from None
    return from_json(data, source_name)


def from_json(data: Any, source: str = "") -> Topology:
    """Rebuild a Topology from the dict ``to_json`` produced."""
    _require_keys(data, source)
    r = _Reader(source)
    topo = Topology(
        sources=r.strings(data.get("sources", [source] if source else []), "sources"),
        conflicts=r.strings(data.get("conflicts", []), "conflicts"),
    )
    for i, item in enumerate(r.as_list(data["nodes"], "nodes")):
        r.add_node(topo, item, f"nodes[{i}]")
    for i, item in enumerate(r.as_list(data["gpus"], "gpus")):
        r.add_gpu(topo, item, f"gpus[{i}]")
    for key, value in r.as_dict(data.get("sockets", {}), "sockets").items():
        where = f"sockets.{key}"
        topo.sockets[r.int_key(key, where)] = r.cpus(r.as_str(value, where), where)
    if data.get("nvlink") is not None:
        links = r.as_list(data["nvlink"], "nvlink")
        topo.nvlink = [r.link(topo, v, f"nvlink[{i}]") for i, v in enumerate(links)]
    for key in ("online_cpus", "allowed_cpus"):
        if data.get(key) is not None:
            setattr(topo, key, r.cpus(data[key], key))
    if data.get("allowed_mems") is not None:
        topo.allowed_mems = r.node_list(data["allowed_mems"], "allowed_mems")
    for i, value in enumerate(r.as_list(data.get("smt_siblings", []), "smt_siblings")):
        group = r.cpus(r.as_str(value, f"smt_siblings[{i}]"), f"smt_siblings[{i}]")
        for cpu in group or ():
            topo.smt_siblings[cpu] = group
    return topo


def _require_keys(data: Any, source: str) -> None:
    if not isinstance(data, dict):
        raise InputError(source, None, "not an infralens topology: not a JSON object")
    for key in _REQUIRED:
        if key not in data:
            raise InputError(source, None, f'not an infralens topology: no "{key}" key')


class _Reader:
    """Typed field access that names the offending field in its InputError."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, where: str, message: str) -> InputError:
        return InputError(self.source, where, message)

    def as_list(self, value: Any, where: str) -> list:
        if not isinstance(value, list):
            raise self.fail(where, "must be a list")
        return value

    def as_dict(self, value: Any, where: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(where, "must be an object")
        return value

    def strings(self, value: Any, where: str) -> list[str]:
        items = self.as_list(value, where)
        if not all(isinstance(s, str) for s in items):
            raise self.fail(where, "must be a list of strings")
        return list(items)

    def as_int(self, value: Any, where: str) -> int:
        """A non-negative integer: no count, id or distance here is below zero."""
        # bool is an int subclass; `true` is not a node id.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, "must be an integer")
        if value < 0:
            raise self.fail(where, f"{value} is below zero")
        return value

    def optional_int(self, value: Any, where: str) -> int | None:
        return None if value is None else self.as_int(value, where)

    def node_id(self, value: Any, where: str) -> int:
        return node_id_or_error(self.as_int(value, where), self.source, where)

    def int_key(self, key: str, where: str) -> int:
        if not (key.isascii() and key.isdigit() and len(key) <= 18):
            raise self.fail(where, "key must be a non-negative integer")
        return int(key)

    def as_str(self, value: Any, where: str) -> str | None:
        if value is not None and not isinstance(value, str):
            raise self.fail(where, "must be a string or null")
        return value

    def cpus(self, value: Any, where: str) -> frozenset[int] | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(where, "must be a CPU list string")
        return cpus_or_error(value, self.source, where)

    def node_list(self, value: Any, where: str) -> frozenset[int]:
        if not isinstance(value, str):
            raise self.fail(where, "must be a node list string")
        return nodes_or_error(value, self.source, where)

    def add_node(self, topo: Topology, item: Any, where: str) -> None:
        item = self.as_dict(item, where)
        node = Node(
            id=self.node_id(item.get("id"), f"{where}.id"),
            cpus=self.cpus(item.get("cpus"), f"{where}.cpus"),
            memory_mb=self.optional_int(item.get("memory_mb"), f"{where}.memory_mb"),
            socket=self.optional_int(item.get("socket"), f"{where}.socket"),
        )
        if node.id in topo.nodes:
            raise self.fail(f"{where}.id", f"NUMA node {node.id} is listed twice")
        if node.cpus:
            refuse_cpus_elsewhere(
                topo.nodes, node.id, node.cpus, self.source, f"{where}.cpus"
            )
        distances = self.as_dict(item.get("distances", {}), f"{where}.distances")
        for key, dist in distances.items():
            to = self.node_id(
                self.int_key(key, f"{where}.distances"), f"{where}.distances"
            )
            node.distances[to] = self.as_int(dist, f"{where}.distances.{key}")
        topo.nodes[node.id] = node

    def add_gpu(self, topo: Topology, item: Any, where: str) -> None:
        item = self.as_dict(item, where)
        gpu = Gpu(
            index=self.gpu_index(topo, item.get("index"), f"{where}.index"),
            numa_node=self.gpu_node(topo, item.get("numa_node"), f"{where}.numa_node"),
            cpus=self.cpus(item.get("cpus"), f"{where}.cpus"),
            pci_bus_id=self.as_str(item.get("pci_bus_id"), f"{where}.pci_bus_id"),
            uuid=self.as_str(item.get("uuid"), f"{where}.uuid"),
            name=self.as_str(item.get("name"), f"{where}.name"),
            vendor=self.as_str(item.get("vendor", "nvidia"), f"{where}.vendor")
            or "nvidia",
        )
        same = topo.gpu_by_uuid(gpu.uuid) if gpu.uuid else None
        if same is not None:
            raise self.fail(f"{where}.uuid", f"{gpu.uuid} is GPU {same.index}'s too")
        for i, mig in enumerate(self.as_list(item.get("mig", []), f"{where}.mig")):
            gpu.mig.append(self.mig(topo, gpu, mig, f"{where}.mig[{i}]"))
        topo.gpus[gpu.index] = gpu

    def gpu_index(self, topo: Topology, value: Any, where: str) -> int:
        index = self.as_int(value, where)
        if index > MAX_GPU_INDEX:
            raise self.fail(where, f"GPU index {index} is above {MAX_GPU_INDEX}")
        if index in topo.gpus:
            raise self.fail(where, f"GPU {index} is listed twice")
        return index

    def gpu_node(self, topo: Topology, value: Any, where: str) -> int | None:
        """The GPU's node, which must be one of the file's nodes when it lists any:
        a GPU elsewhere would get ``--membind`` to a node the host may not have."""
        if value is None:
            return None
        node = self.node_id(value, where)
        if topo.nodes and node not in topo.nodes:
            listed = ", ".join(str(n) for n in sorted(topo.nodes))
            raise self.fail(where, f"NUMA node {node} is not among the nodes {listed}")
        return node

    def mig(self, topo: Topology, gpu: Gpu, item: Any, where: str) -> MigSlice:
        item = self.as_dict(item, where)
        uuid = self.as_str(item.get("uuid"), f"{where}.uuid")
        if not uuid:
            raise self.fail(f"{where}.uuid", "a MIG slice needs its UUID")
        if topo.gpu_of_mig(uuid) or any(m.uuid == uuid for m in gpu.mig):
            raise self.fail(f"{where}.uuid", f"MIG slice {uuid} is listed twice")
        profile = self.as_str(item.get("profile"), f"{where}.profile")
        return MigSlice(uuid, profile)

    def link(self, topo: Topology, value: Any, where: str) -> tuple[int, int, str]:
        items = self.as_list(value, where)
        if len(items) != 3 or not isinstance(items[2], str):
            raise self.fail(where, 'must be [gpu, gpu, "NV#"]')
        a, b = self.as_int(items[0], where), self.as_int(items[1], where)
        for index in (a, b):
            if index not in topo.gpus:
                raise self.fail(where, f"GPU {index} is not among the file's GPUs")
        return (a, b, items[2])
