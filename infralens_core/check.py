"""Checking launch lines against a host: would each one start as it says?

A line is read back from its argv (``launch_line``) and compared with the facts of
a host: the live one (sysfs and /proc under a root, nvidia-smi or NVML for GPUs,
PATH for the launchers) or a topology read from files. Each finding names the
value at fault and why the tool would refuse it or bind elsewhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from infralens_core.check_rules import rule_findings
from infralens_core.cpulist import CpuListError, format_cpulist, parse_cpulist
from infralens_core.launch_line import (
    CONTAINER_GPUS,
    CPU_NODES,
    CPUS,
    HOST_GPUS,
    PREFERRED,
    TASKSET_MASK,
    Ask,
    LaunchLine,
    read_line,
)
from infralens_core.topology.model import Gpu, Topology

ERROR, WARNING = "error", "warning"
NVSMI_TIMEOUT_S = 20


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: where (workload and style), the value as written, and why."""

    where: str
    value: str
    message: str
    severity: str = ERROR

    def __str__(self) -> str:
        value = f"{self.value}: " if self.value else ""
        return f"{self.severity}: {self.where}: {value}{self.message}"

    def to_json(self) -> dict:
        return {
            "where": self.where,
            "value": self.value,
            "message": self.message,
            "severity": self.severity,
        }


@dataclass
class HostFacts:
    """What a line is checked against.

    ``gpus`` is None when nothing could tell which GPUs exist; ``path`` is the
    PATH launchers are looked up on, None when the facts are not this host's.
    """

    topology: Topology
    label: str
    gpus: dict[int, Gpu] | None = None
    gpu_source: str | None = None
    path: str | None = None
    # Things left unchecked, each said once, for stderr.
    notes: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def live_host(root: str = "/", *, path: str | None = None) -> HostFacts:
    """This host's facts: sysfs and /proc under ``root``, GPUs from the tools.

    ``root`` other than "/" is a fixture tree; nvidia-smi and NVML describe the
    real host, so there only the tree's PCI devices count.
    """
    from infralens_core.topology.sysfs import read_sysfs

    path = os.environ.get("PATH", os.defpath) if path is None else path
    topology = read_sysfs(root)
    label = "this host" if root == "/" else f"the sysfs tree {root}"
    facts = HostFacts(topology, label, path=path)
    if root == "/" and _gpus_from_tools(facts):
        return facts
    if (Path(root) / "sys/bus/pci/devices").is_dir():
        facts.gpus, facts.gpu_source = topology.gpus, "sysfs PCI devices"
    return facts


def _gpus_from_tools(facts: HostFacts) -> bool:
    """GPUs from `nvidia-smi -L`, else NVML; False when neither answers."""
    from infralens_core.errors import InputError
    from infralens_core.topology.nvml import read_nvml
    from infralens_core.topology.nvsmi_list import parse_nvsmi_list

    nvsmi = shutil.which("nvidia-smi", path=facts.path)
    if nvsmi:
        try:
            out = subprocess.run(
                [nvsmi, "-L"],
                capture_output=True,
                text=True,
                timeout=NVSMI_TIMEOUT_S,
                check=True,
            ).stdout
            facts.gpus = parse_nvsmi_list(out, "nvidia-smi -L").gpus
            facts.gpu_source = "nvidia-smi -L"
            return True
        except (OSError, subprocess.SubprocessError, InputError) as exc:
            facts.note(f"nvidia-smi -L gave no GPU list ({exc}); trying NVML")
    try:
        facts.gpus, facts.gpu_source = read_nvml("/").gpus, "NVML"
        return True
    except InputError:
        return False


def topology_facts(topology: Topology) -> HostFacts:
    """Facts from a topology read from files: no PATH, GPUs only if it lists some."""
    label = "the topology (" + ", ".join(topology.sources) + ")"
    facts = HostFacts(topology, label)
    if topology.gpus:
        facts.gpus, facts.gpu_source = topology.gpus, "the topology"
    return facts


def check_command(
    argv: list[str], env: dict[str, str], cwd: str | None, facts: HostFacts, where: str
) -> list[Finding]:
    """Every finding for one command run with ``env`` added, in ``cwd``."""
    return check_line(read_line(argv, env, cwd), facts, where)


def check_line(line: LaunchLine, facts: HostFacts, where: str) -> list[Finding]:
    findings = [Finding(where, "", text) for text in line.problems]
    findings += [Finding(where, "", text, WARNING) for text in line.unread]
    findings += _check_binaries(line, facts, where)
    findings += [
        Finding(where, value, message, severity)
        for severity, value, message in rule_findings(line, facts)
    ]
    for ask in line.asks:
        findings += [
            Finding(where, ask.shown, message, severity)
            for severity, message in _check_ask(ask, line, facts)
        ]
    return findings


def _check_binaries(line: LaunchLine, facts: HostFacts, where: str) -> list[Finding]:
    """The launcher must be on PATH; a missing program or directory is a warning.

    The program or the job's directory may be made later, and a docker line's
    program and directory are inside the image.
    """
    if facts.path is None:
        facts.note("launchers not looked up: the facts are not this host's")
        return []
    path = line.env.get("PATH", facts.path)
    found = []
    if line.launcher and not shutil.which(line.argv[0], path=path):
        found.append(
            Finding(
                where,
                line.argv[0],
                f"{line.launcher} is not installed here (not found on PATH)",
            )
        )
    program = line.program[0] if line.program else None
    if (
        line.launcher != "docker"
        and program
        and not _program_exists(program, path, line.cwd)
    ):
        found.append(Finding(where, program, "program not found on PATH", WARNING))
    if line.cwd is not None and not os.path.isdir(line.cwd):
        found.append(Finding(where, f"cd -- {line.cwd}", "no such directory", WARNING))
    return found


def _program_exists(program: str, path: str, cwd: str | None) -> bool:
    if "/" in program:
        return os.path.exists(os.path.join(cwd or os.getcwd(), program))
    return shutil.which(program, path=path) is not None


def _check_ask(ask: Ask, line: LaunchLine, facts: HostFacts) -> list[tuple[str, str]]:
    if ask.kind in (HOST_GPUS, CONTAINER_GPUS):
        return _check_gpus(ask, line, facts)
    try:
        ids = _ids(ask)
    except CpuListError as exc:
        return [(ERROR, f"not a CPU or node list: {exc}")]
    if ids is None:
        return []  # "all", a relative (+) or inverted (!) list: the tool resolves it
    if ask.kind in (CPUS, TASKSET_MASK):
        return _check_cpus(ids, facts)
    return _check_nodes(ids, ask.kind, facts)


def _ids(ask: Ask) -> frozenset[int] | None:
    value = ask.value.strip()
    if ask.kind == TASKSET_MASK:
        return _mask_cpus(value)
    if value == "all" or value.startswith(("+", "!")):
        return None
    return parse_cpulist(value)


def _mask_cpus(value: str) -> frozenset[int]:
    digits = value.lower().removeprefix("0x").replace(",", "")
    try:
        mask = int(digits, 16)
    except ValueError:
        raise CpuListError(f"{value!r} is not a hexadecimal CPU mask") from None
    return frozenset(bit for bit in range(mask.bit_length()) if mask >> bit & 1)


def _check_cpus(cpus: frozenset[int], facts: HostFacts) -> list[tuple[str, str]]:
    topo = facts.topology
    if not cpus:
        return [(ERROR, "names no CPU")]
    out = []
    present = cpus
    if topo.online_cpus is not None:
        present = cpus & topo.online_cpus
        if off := cpus - topo.online_cpus:
            out.append(
                (
                    ERROR,
                    f"names CPUs not online on {facts.label}: "
                    f"{format_cpulist(off)} (online: "
                    f"{format_cpulist(topo.online_cpus)})",
                )
            )
    elif (known := topo.all_cpus()) is not None and (gone := cpus - known):
        out.append(
            (
                ERROR,
                f"names CPUs {facts.label} does not have: "
                f"{format_cpulist(gone)} (it has {format_cpulist(known)})",
            )
        )
    # An offline CPU is said once above, not again as disallowed.
    if topo.allowed_cpus is not None and (barred := present - topo.allowed_cpus):
        out.append(
            (
                ERROR,
                f"names CPUs outside the allowed set: "
                f"{format_cpulist(barred)} (Cpus_allowed_list: "
                f"{format_cpulist(topo.allowed_cpus)})",
            )
        )
    return out


def _check_nodes(
    nodes: frozenset[int], kind: str, facts: HostFacts
) -> list[tuple[str, str]]:
    topo = facts.topology
    if not topo.nodes:
        facts.note(f"NUMA nodes not checked: {facts.label} lists none")
        return []
    out = []
    if missing := nodes - set(topo.nodes):
        out.append(
            (
                ERROR,
                f"NUMA node {format_cpulist(missing)} does not exist on "
                f"{facts.label} (nodes: {format_cpulist(topo.nodes)})",
            )
        )
    present = sorted(nodes & set(topo.nodes))
    if kind == CPU_NODES:
        out += _check_cpu_nodes(present, facts)
    else:
        out += _check_mem_nodes(present, kind, facts)
    return out


def _check_cpu_nodes(nodes: list[int], facts: HostFacts) -> list[tuple[str, str]]:
    topo = facts.topology
    usable = topo.online_cpus
    if topo.allowed_cpus is not None:
        usable = topo.allowed_cpus if usable is None else usable & topo.allowed_cpus
    out = []
    for nid in nodes:
        cpus = topo.nodes[nid].cpus
        if cpus is not None and not cpus:
            out.append((ERROR, f"NUMA node {nid} has no CPUs to run on"))
        elif cpus and usable is not None and not cpus & usable:
            out.append(
                (
                    ERROR,
                    f"no CPU of NUMA node {nid} ({format_cpulist(cpus)}) "
                    f"is online and allowed here ({format_cpulist(usable)})",
                )
            )
    return out


def _check_mem_nodes(
    nodes: list[int], kind: str, facts: HostFacts
) -> list[tuple[str, str]]:
    topo = facts.topology
    # A preferred node without memory only falls back; a binding fails outright.
    severity = WARNING if kind == PREFERRED else ERROR
    out = []
    for nid in nodes:
        if not topo.nodes[nid].has_memory:
            out.append((severity, f"NUMA node {nid} has no memory"))
    if topo.allowed_mems is not None and (barred := set(nodes) - topo.allowed_mems):
        out.append(
            (
                ERROR,
                f"NUMA node {format_cpulist(barred)} is outside the "
                f"allowed set (Mems_allowed_list: "
                f"{format_cpulist(topo.allowed_mems)})",
            )
        )
    return out


def _check_gpus(ask: Ask, line: LaunchLine, facts: HostFacts) -> list[tuple[str, str]]:
    refs = [ref.strip() for ref in ask.value.split(",")]
    if ask.kind == CONTAINER_GPUS:
        return _check_container_gpus(refs, line)
    if facts.gpus is None:
        facts.note(
            f"GPUs not checked: nothing tells which GPUs {facts.label} has "
            "(no nvidia-smi, NVML or PCI devices)"
        )
        return []
    missing = [ref for ref in refs if not _gpu_exists(ref, facts)]
    if not missing:
        return []
    gpus = facts.gpus
    have = ",".join(str(i) for i in sorted(gpus)) if gpus else "none"
    return [
        (
            ERROR,
            f"names GPUs {facts.label} does not have: {','.join(missing)} "
            f"(GPUs from {facts.gpu_source}: {have})",
        )
    ]


def _gpu_exists(ref: str, facts: HostFacts) -> bool:
    gpus = facts.gpus or {}
    if ref.isdigit():
        return int(ref) in gpus
    if not any(gpu.uuid for gpu in gpus.values()):
        facts.note(f"GPU and MIG UUIDs not checked: {facts.gpu_source} gives none")
        return True
    if ref.startswith("MIG-"):
        return _has_mig(ref, gpus)
    return any(gpu.uuid == ref for gpu in gpus.values())


def _has_mig(ref: str, gpus: dict[int, Gpu]) -> bool:
    # Drivers before R470 name a slice MIG-GPU-<parent uuid>/<gi>/<ci>.
    parent = ref.removeprefix("MIG-").split("/", 1)[0]
    return any(ref == mig.uuid for gpu in gpus.values() for mig in gpu.mig) or (
        "/" in ref and any(gpu.uuid == parent for gpu in gpus.values())
    )


def _check_container_gpus(refs: list[str], line: LaunchLine) -> list[tuple[str, str]]:
    """Inside a container the given GPUs are renumbered 0..n-1 (DOMAIN rule 6)."""
    count = line.container_gpu_count
    if count is None:
        return []
    beyond = [r for r in refs if r.isdigit() and int(r) >= count]
    if not beyond:
        return []
    own = format_cpulist(range(count))
    return [
        (
            ERROR,
            f"the container sees its {count} GPU(s) as {own}: "
            f"{','.join(beyond)} names none of them",
        )
    ]
