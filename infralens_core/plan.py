"""The plan: which workload goes on which GPUs.

A plan arrives as TOML (``[[workloads]]``), JSON (a list, or ``{"workloads": [...]}``)
or ``--workload NAME=GPUS`` options. GPUs are nvidia-smi indices, or ``GPU-…`` and
``MIG-…`` UUIDs kept as given.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from infralens_core.errors import InputError

KINDS = ("training", "inference")
UUID_PREFIXES = ("GPU-", "MIG-")
# A GPU index list shares the CPU-list grammar, but GPUs are counted in tens.
MAX_GPU_INDEX = 1023
_UUID_BODY = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_-]*\Z")


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    gpus: tuple[str, ...]
    kind: str = "training"
    mig_profile: str | None = None
    # The plan file or option it came from, so a GPU the host lacks is reported
    # there; not part of the workload's identity.
    source: str = field(default="plan", compare=False)


def parse_gpus(value: object, source: str, where: str) -> tuple[str, ...]:
    """Read ``0-3``, ``0,2``, ``[0, 1]`` or UUIDs into a tuple of GPU references."""
    if isinstance(value, int) and not isinstance(value, bool):
        items: list[object] = [value]
    elif isinstance(value, str):
        items = [part.strip() for part in value.split(",")]
    elif isinstance(value, list):
        items = list(value)
    else:
        raise InputError(source, where, "gpus must be a list, a number or a string")
    gpus: list[str] = []
    for item in items:
        gpus.extend(_parse_gpu_item(item, source, where))
    if not gpus:
        raise InputError(source, where, "names no GPU")
    if len(set(gpus)) != len(gpus):
        raise InputError(source, where, f"names a GPU twice: {','.join(gpus)}")
    return tuple(gpus)


def _parse_gpu_item(item: object, source: str, where: str) -> list[str]:
    if isinstance(item, bool) or not isinstance(item, int | str):
        raise InputError(source, where, f"{item!r} is not a GPU index or UUID")
    if isinstance(item, int):
        return [str(_check_index(item, source, where))]
    if item.startswith(UUID_PREFIXES):
        if not _UUID_BODY.match(item[4:]):
            raise InputError(source, where, f"{item!r} is not a well-formed UUID")
        return [item]
    first, sep, last = item.partition("-")
    lo = _index(first, item, source, where)
    hi = _index(last, item, source, where) if sep else lo
    if hi < lo:
        raise InputError(source, where, f"GPU range {item!r} runs backwards")
    return [str(i) for i in range(lo, hi + 1)]


def _index(text: str, item: str, source: str, where: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise InputError(
            source, where, f"{item!r} is not a GPU index, range, GPU-… or MIG-… UUID"
        )
    return _check_index(int(text), source, where)


def _check_index(index: int, source: str, where: str) -> int:
    if not 0 <= index <= MAX_GPU_INDEX:
        raise InputError(source, where, f"GPU index {index} is out of range")
    return index


def workload_from_option(text: str) -> Workload:
    """Read ``--workload NAME=GPUS``."""
    name, sep, gpus = text.partition("=")
    if not sep or not name.strip():
        raise InputError("--workload", text, "expected NAME=GPUS, e.g. train-01=0-3")
    name = name.strip()
    check_name(name, "--workload", text)
    return Workload(
        name=name, gpus=parse_gpus(gpus, "--workload", text), source="--workload"
    )


def workload_from_mapping(data: object, source: str, where: str) -> Workload:
    """Read one workload table of a plan file."""
    if not isinstance(data, dict):
        raise InputError(source, where, "each workload must be a table")
    unknown = set(data) - {"name", "kind", "gpus", "mig_profile"}
    if unknown:
        raise InputError(
            source,
            where,
            f"unknown key {sorted(unknown)[0]!r}; "
            "workloads take name, kind, gpus, mig_profile",
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InputError(source, f"{where}.name", "must be a non-empty string")
    check_name(name, source, f"{where}.name")
    kind = data.get("kind", "training")
    if kind not in KINDS:
        raise InputError(source, f"{where}.kind", f"{kind!r} is not one of {KINDS}")
    if "gpus" not in data:
        raise InputError(source, f"{where}.gpus", "is required")
    gpus = parse_gpus(data["gpus"], source, f"{where}.gpus")
    profile = data.get("mig_profile")
    if profile is not None and not isinstance(profile, str):
        raise InputError(source, f"{where}.mig_profile", "must be a string")
    return Workload(name=name, gpus=gpus, kind=kind, mig_profile=profile, source=source)


def check_name(name: str, source: str, where: str) -> None:
    if "\0" in name or "\n" in name:
        raise InputError(source, where, "workload name holds a NUL byte or newline")
    if name.startswith("-"):
        # Rendered as `--workload NAME`, a leading dash makes argparse and most
        # option parsers read the name as an option of its own.
        raise InputError(source, where, f"workload name {name!r} starts with '-'")
    if len(name) > 200:
        raise InputError(source, where, "workload name is longer than 200 characters")


def check_unique(workloads: list[Workload], source: str) -> None:
    seen: set[str] = set()
    for number, workload in enumerate(workloads):
        if workload.name in seen:
            raise InputError(
                source,
                f"workloads[{number}].name",
                f"duplicate workload name {workload.name!r}",
            )
        seen.add(workload.name)
