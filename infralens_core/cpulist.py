"""The kernel's CPU-list syntax (``0-23,48-71``), parsed and written canonically."""

from __future__ import annotations

from collections.abc import Iterable

# Linux caps NR_CPUS at 8192 on x86_64 (CONFIG_NR_CPUS_RANGE_END); ids past that are
# typos, and refusing them keeps a "0-999999999" from allocating a billion-entry set.
MAX_CPU_ID = 8191


class CpuListError(ValueError):
    """A CPU list that does not follow the kernel's syntax."""


def parse_cpulist(text: str, *, max_id: int = MAX_CPU_ID) -> frozenset[int]:
    """Parse ``0-3,8,10-11`` into a set of CPU ids.

    An empty or blank string is the empty set, as in an empty sysfs ``cpulist``.
    Raises CpuListError naming the offending item.
    """
    text = text.strip()
    if not text:
        return frozenset()
    cpus: set[int] = set()
    for item in text.split(","):
        cpus.update(_parse_item(item.strip(), text, max_id))
    return frozenset(cpus)


def _parse_item(item: str, whole: str, max_id: int) -> range:
    if not item:
        raise CpuListError(f"empty item in CPU list {whole!r}")
    first, sep, last = item.partition("-")
    lo = _parse_id(first, item)
    hi = _parse_id(last, item) if sep else lo
    if hi < lo:
        raise CpuListError(f"range {item!r} runs backwards")
    if hi > max_id:
        raise CpuListError(f"CPU id {hi} in {item!r} is above the limit {max_id}")
    return range(lo, hi + 1)


def _parse_id(text: str, item: str) -> int:
    # isdecimal() also admits non-ASCII digits such as '٣', which the kernel does not.
    if not (text.isascii() and text.isdigit()):
        raise CpuListError(f"{item!r} is not a CPU id or range")
    if len(text) > 12:  # int() refuses over 4300 digits with a ValueError of its own
        raise CpuListError(f"CPU id {text[:12]}… is far above the limit {MAX_CPU_ID}")
    return int(text)


def format_cpulist(cpus: Iterable[int]) -> str:
    """Write CPU ids canonically: sorted, every run of two or more as ``a-b``."""
    ordered = sorted(set(cpus))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}-{ordered[j]}")
        i = j + 1
    return ",".join(parts)
