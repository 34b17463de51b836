"""Find out what a topology file is, read it, and merge several into one.

This is what `--topology FILE` goes through: a file, `-` for stdin, or `local` for
this host (sysfs, plus NVML when pynvml and a GPU are there). Every problem with the
input is an InputError naming the file and, where it can, the line; never a
traceback. Only the standard library is imported here: it runs at CLI start-up.
"""

from __future__ import annotations

from collections.abc import Callable

from infralens_core.errors import InputError
from infralens_core.textfile import read_text
from infralens_core.topology import (
    jsonfmt,
    lscpu,
    numactl,
    nvsmi_list,
    nvsmi_topo,
    rocm,
)
from infralens_core.topology.merge import merge
from infralens_core.topology.model import Topology

_UNKNOWN = (
    "does not look like nvidia-smi topo -m, numactl --hardware, lscpu, "
    "nvidia-smi -L, rocm-smi or infralens JSON output"
)

# In the order tried: the stricter signatures first, plain lscpu (a label holding
# "NUMA" and a number) last.
_KINDS: list[tuple[str, Callable[[str], object], Callable[[str, str], Topology]]] = [
    ("infralens JSON", jsonfmt.looks_like_json, jsonfmt.parse_json),
    ("nvidia-smi topo -m", nvsmi_topo.looks_like_topo, nvsmi_topo.parse_nvsmi_topo),
    ("numactl --hardware", numactl.looks_like_numactl, numactl.parse_numactl),
    ("nvidia-smi -L", nvsmi_list.looks_like_nvsmi_list, nvsmi_list.parse_nvsmi_list),
    ("rocm-smi --showtoponuma", rocm.looks_like_rocm, rocm.parse_rocm),
    ("lscpu", lscpu.looks_like_lscpu, lscpu.parse_lscpu),
]


def detect_kind(text: str) -> str | None:
    """The name of the tool whose output ``text`` is, or None if none fits."""
    for name, looks_like, _parse in _KINDS:
        found = looks_like(text)
        if found:
            return found if isinstance(found, str) else name
    return None


def parse_text(text: str, source_name: str) -> Topology:
    """Read a dump of any supported kind."""
    if not text.strip():
        raise InputError(source_name, None, "file is empty")
    for _name, looks_like, parse in _KINDS:
        if looks_like(text):
            return parse(text, source_name)
    raise InputError(source_name, None, _UNKNOWN)


def read_source(src: str, *, sysfs_root: str = "/") -> Topology:
    """Read one source: a file path, `-` for stdin, `local` for this host, or
    `sysfs:ROOT` for a sysfs/proc tree copied from a host (no NVML: the tree is not
    this host)."""
    if src == "local":
        return read_local(sysfs_root)
    if src.startswith("sysfs:"):
        from infralens_core.topology import sysfs

        return sysfs.read_sysfs(src.removeprefix("sysfs:") or "/")
    if src != "-":
        return parse_text(read_text(src), src)
    text = read_text(src)
    if not text.strip():
        raise InputError("<stdin>", None, "is empty")
    return parse_text(text, "<stdin>")


def load_topology(sources: list[str], *, sysfs_root: str = "/") -> Topology:
    """Read every source and merge them; the first source wins conflicts."""
    if not sources:
        raise InputError("--topology", None, "no topology source given")
    # The first read drains stdin; a second `-` would find it empty.
    if sources.count("-") > 1:
        raise InputError("--topology", "-", "stdin can be read once")
    return merge([read_source(src, sysfs_root=sysfs_root) for src in sources])


def read_local(sysfs_root: str = "/") -> Topology:
    """This host: sysfs, merged with NVML when pynvml and a GPU are present.

    NVML comes first so its GPU UUIDs and MIG slices attach to the PCI-ordered GPUs
    sysfs finds (both number GPUs in PCI bus order).
    """
    from infralens_core.topology import nvml, sysfs

    local = sysfs.read_sysfs(sysfs_root)
    try:
        gpus = nvml.read_nvml(sysfs_root)
    except InputError:
        return local  # no pynvml, no driver or no GPU: sysfs alone is the answer
    return merge([gpus, local])
