"""Read back the JSON that ``Topology.to_json`` writes, losslessly.

A saved topology lets an operator capture a GPU host once and render commands for
it elsewhere. Every field is checked, so a hand-edited file fails with the field's
path (``gpus[2].numa_node``) rather than later with a wrong binding.
"""

from __future__ import annotations

import json
from typing import Any

from infralens_core.errors import InputError
from infralens_core.topology._common import cpus_or_error
from infralens_core.topology.model import Gpu, MigSlice, Node, Topology

_REQUIRED = ("sources", "nodes", "gpus")


def looks_like_json(text: str) -> bool:
    """True when the text starts like a JSON object (after blanks)."""
    return text.lstrip().startswith("{")


def parse_json(text: str, source_name: str = "") -> Topology:
    """Parse the JSON text and rebuild the Topology it describes."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source_name, exc.lineno, f"invalid JSON: {exc.msg}") from None
    return from_json(data, source_name)


def from_json(data: Any, source: str = "") -> Topology:
    """Rebuild a Topology from the dict ``to_json`` produced."""
    if not isinstance(data, dict) or any(k not in data for k in _REQUIRED):
        raise InputError(source, None, "not an infralens topology (sources/nodes/gpus)")
    r = _Reader(source)
    topo = Topology(
        sources=r.strings(data["sources"], "sources"),
        conflicts=r.strings(data.get("conflicts", []), "conflicts"),
    )
    for i, item in enumerate(r.as_list(data["nodes"], "nodes")):
        node = r.node(item, f"nodes[{i}]")
        topo.nodes[node.id] = node
    for i, item in enumerate(r.as_list(data["gpus"], "gpus")):
        gpu = r.gpu(item, f"gpus[{i}]")
        topo.gpus[gpu.index] = gpu
    for key, value in r.as_dict(data.get("sockets", {}), "sockets").items():
        where = f"sockets.{key}"
        topo.sockets[r.int_key(key, where)] = r.cpus(r.as_str(value, where), where)
    if data.get("nvlink") is not None:
        links = r.as_list(data["nvlink"], "nvlink")
        topo.nvlink = [r.link(v, f"nvlink[{i}]") for i, v in enumerate(links)]
    for key in ("online_cpus", "allowed_cpus", "allowed_mems"):
        if data.get(key) is not None:
            setattr(topo, key, r.cpus(data[key], key))
    return topo


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

    def as_int(self, value: Any, where: str, *, optional: bool = False) -> int | None:
        if value is None and optional:
            return None
        # bool is an int subclass; `true` is not a node id.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self.fail(where, "must be an integer")
        return value

    def int_key(self, key: str, where: str) -> int:
        if not (key.isascii() and key.lstrip("-").isdigit()):
            raise self.fail(where, "key must be an integer")
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

    def node(self, item: Any, where: str) -> Node:
        item = self.as_dict(item, where)
        node = Node(
            id=self.as_int(item.get("id"), f"{where}.id"),
            cpus=self.cpus(item.get("cpus"), f"{where}.cpus"),
            memory_mb=self.as_int(
                item.get("memory_mb"), f"{where}.memory_mb", optional=True
            ),
            socket=self.as_int(item.get("socket"), f"{where}.socket", optional=True),
        )
        for key, dist in self.as_dict(
            item.get("distances", {}), f"{where}.distances"
        ).items():
            node.distances[self.int_key(key, f"{where}.distances")] = self.as_int(
                dist, f"{where}.distances.{key}"
            )
        return node

    def gpu(self, item: Any, where: str) -> Gpu:
        item = self.as_dict(item, where)
        gpu = Gpu(
            index=self.as_int(item.get("index"), f"{where}.index"),
            numa_node=self.as_int(
                item.get("numa_node"), f"{where}.numa_node", optional=True
            ),
            cpus=self.cpus(item.get("cpus"), f"{where}.cpus"),
            pci_bus_id=self.as_str(item.get("pci_bus_id"), f"{where}.pci_bus_id"),
            uuid=self.as_str(item.get("uuid"), f"{where}.uuid"),
            name=self.as_str(item.get("name"), f"{where}.name"),
            vendor=self.as_str(item.get("vendor", "nvidia"), f"{where}.vendor")
            or "nvidia",
        )
        for i, mig in enumerate(self.as_list(item.get("mig", []), f"{where}.mig")):
            mig = self.as_dict(mig, f"{where}.mig[{i}]")
            uuid = self.as_str(mig.get("uuid"), f"{where}.mig[{i}].uuid")
            if not uuid:
                raise self.fail(f"{where}.mig[{i}].uuid", "a MIG slice needs its UUID")
            profile = self.as_str(mig.get("profile"), f"{where}.mig[{i}].profile")
            gpu.mig.append(MigSlice(uuid, profile))
        return gpu

    def link(self, value: Any, where: str) -> tuple[int, int, str]:
        items = self.as_list(value, where)
        if len(items) != 3 or not isinstance(items[2], str):
            raise self.fail(where, 'must be [gpu, gpu, "NV#"]')
        return (self.as_int(items[0], where), self.as_int(items[1], where), items[2])
