"""`infralens check` against sysfs fixture trees, topology files and this PATH.

Each fixture tree differs from the host a line was rendered for in one way (CPUs
offline, a cgroup-cut allowed set, a node without memory, a missing tool), and the
check must name that value.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from topology.sysfs_trees import (
    DGX_A100,
    MEMORY_ONLY_NODES,
    MEMORYLESS_CPU_NODES,
    build_tree,
)

from infralens_core.check import Finding, check_command, live_host, topology_facts
from infralens_core.cli import cli
from infralens_core.topology.load import load_topology
from infralens_core.topology.sysfs import read_sysfs

DATA = Path(__file__).resolve().parent / "data" / "topologies"
DGX_DUMP = str(DATA / "nv-dgx-a100-nps4-mlx5cols-tabs.txt")
MIG_LIST = str(DATA / "nvidia-smi-L-mig-a100-80gb-7x1g.txt")


def invoke(*args: str, env: dict | None = None):
    return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def preset(tmp_path):
    path = tmp_path / "preset.toml"
    path.write_text('[execution]\nentry_command = "sh -c true"\n')
    return str(path)


@pytest.fixture
def tools(tmp_path):
    """A PATH holding numactl, taskset, docker and sh stand-ins (found, not run)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in ("numactl", "taskset", "docker", "sh"):
        (bin_dir / name).write_text("#!/bin/sh\n")
        (bin_dir / name).chmod(0o755)
    return str(bin_dir)


def tree(tmp_path: Path, spec, **changes) -> str:
    root = tmp_path / "root"
    return str(build_tree(root, dataclasses.replace(spec, **changes)))


def check(root: str, *args: str, path: str):
    return invoke("check", "--root", root, *args, env={"PATH": path})


def errors(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.startswith("error:")]


def test_check_reports_a_cpu_list_naming_offline_cpus(tmp_path, preset, tools):
    """Rendered for the DGX dump (all CPUs online), checked on the same machine
    with node 3's first cores offline."""
    root = tree(tmp_path, DGX_A100, offline="48-55")
    result = check(
        root,
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--topology",
        DGX_DUMP,
        "--style",
        "taskset",
        path=tools,
    )
    assert result.exit_code == 1
    assert errors(result) == [
        "error: w [taskset]: taskset -c 48-63,176-191: names CPUs not online on the "
        f"sysfs tree {root}: 48-55 (online: 0-47,56-255)"
    ]


def test_check_reports_a_cpu_list_naming_disallowed_cpus(tmp_path, preset, tools):
    root = tree(tmp_path, DGX_A100, allowed_cpus="0-63")
    result = check(
        root,
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--topology",
        DGX_DUMP,
        "--style",
        "numactl",
        path=tools,
    )
    assert result.exit_code == 1
    assert errors(result) == [
        "error: w [numactl]: --physcpubind=48-63,176-191: names CPUs outside the "
        "allowed set: 176-191 (Cpus_allowed_list: 0-63)"
    ]


def test_check_reports_membind_to_a_node_without_memory(tmp_path, tools):
    root = tree(tmp_path, MEMORYLESS_CPU_NODES)
    result = check(
        root, "--command", "numactl --cpunodebind=3 --membind=3 sh -c true", path=tools
    )
    assert result.exit_code == 1
    assert errors(result) == [
        "error: command 1: --membind=3: NUMA node 3 has no memory"
    ]


def test_check_reports_membind_rendered_from_a_topology_that_claimed_memory(
    tmp_path, preset, tools
):
    """The line came from a topology file where node 3 held memory; the host's
    node 3 has none, so `--membind=3` would fail at launch."""
    root = tree(tmp_path, MEMORYLESS_CPU_NODES)
    data = read_sysfs(root).to_json()
    for node in data["nodes"]:
        node["memory_mb"] = 1024
    claimed = tmp_path / "claimed.json"
    claimed.write_text(json.dumps(data))
    result = check(
        root,
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--topology",
        str(claimed),
        "--style",
        "numactl",
        path=tools,
    )
    assert result.exit_code == 1
    assert errors(result) == [
        "error: w [numactl]: --membind=3: NUMA node 3 has no memory"
    ]


def test_check_reports_a_missing_launcher_binary(tmp_path, preset):
    root = tree(tmp_path, DGX_A100)
    empty = tmp_path / "empty"
    empty.mkdir()
    result = check(
        root,
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--style",
        "numactl",
        path=str(empty),
    )
    assert result.exit_code == 1
    assert (
        "error: w [numactl]: numactl: numactl is not installed here (not found "
        "on PATH)" in errors(result)
    )


def test_check_passes_lines_rendered_for_the_host_itself(tmp_path, preset, tools):
    root = tree(tmp_path, DGX_A100, offline="48-55", allowed_cpus="0-127")
    result = check(
        root,
        "--preset",
        preset,
        "--workload",
        "a=0-1",
        "--workload",
        "b=4",
        "--style",
        "numactl",
        "--style",
        "taskset",
        path=tools,
    )
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s) in 4 command(s)" in result.output


def test_missing_program_is_only_a_warning(tmp_path, tools):
    root = tree(tmp_path, DGX_A100)
    result = check(root, "--command", "taskset -c 0 no-such-trainer", path=tools)
    assert result.exit_code == 0
    assert (
        "warning: command 1: no-such-trainer: program not found on PATH"
        in result.output
    )


def test_check_names_gpus_and_nodes_the_host_lacks(tmp_path, tools):
    root = tree(tmp_path, MEMORY_ONLY_NODES)
    result = check(
        root,
        "--command",
        "CUDA_VISIBLE_DEVICES=0,3 numactl --cpunodebind=1 --membind=4 sh",
        path=tools,
    )
    assert errors(result) == [
        "error: command 1: --cpunodebind=1: NUMA node 1 has no CPUs to run on",
        "error: command 1: --membind=4: NUMA node 4 does not exist on the sysfs "
        f"tree {root} (nodes: 0-3)",
        "error: command 1: CUDA_VISIBLE_DEVICES=0,3: names GPUs the sysfs tree "
        f"{root} does not have: 3 (GPUs from sysfs PCI devices: 0)",
    ]


def test_docker_line_checks_cpuset_gpus_and_container_numbering(tmp_path, tools):
    """Fault pinned: CUDA_VISIBLE_DEVICES=2,3 inside a container given two GPUs
    hides both (DOMAIN rule 6); a bare `--gpus device=0,1` is refused by docker
    (rule 7)."""
    root = tree(tmp_path, DGX_A100)
    result = check(
        root,
        "--command",
        "docker run --rm -it --gpus '\"device=2,3\"' --cpuset-mems=8 "
        "-e CUDA_VISIBLE_DEVICES=2,3 img python x.py",
        "--command",
        "docker run --gpus device=0,1 img",
        path=tools,
    )
    assert errors(result) == [
        "error: command 1: --cpuset-mems=8: NUMA node 8 does not exist on the sysfs "
        f"tree {root} (nodes: 0-7)",
        "error: command 1: -e CUDA_VISIBLE_DEVICES=2,3: the container sees its 2 "
        "GPU(s) as 0-1: 2,3 names none of them",
        "error: command 2: --gpus device=0,1 splits into ['device=0', '1']: docker "
        "refuses it (cannot set both Count and DeviceIDs); a list needs inner double "
        "quotes",
    ]


def test_check_against_the_topology_skips_the_launcher_lookup(tmp_path, preset):
    result = invoke(
        "check",
        "--preset",
        preset,
        "--workload",
        "w=0",
        "--topology",
        DGX_DUMP,
        "--against",
        "topology",
        "--format",
        "json",
        env={"PATH": str(tmp_path)},
    )
    report = json.loads(result.output)
    assert result.exit_code == 0
    assert report["checked"] == 2 and report["findings"] == []
    assert report["notes"] == ["launchers not looked up: the facts are not this host's"]


def test_mig_uuids_are_checked_when_the_gpu_list_has_them():
    facts = topology_facts(load_topology([MIG_LIST]))
    known = facts.gpus[0].mig[0].uuid
    found = check_command(
        ["sh"], {"CUDA_VISIBLE_DEVICES": f"{known},MIG-nope"}, None, facts, "w"
    )
    assert len(found) == 1
    assert found[0].value == f"CUDA_VISIBLE_DEVICES={known},MIG-nope"
    assert found[0].message.startswith("names GPUs the topology (nvidia-smi -L")
    assert "does not have: MIG-nope (GPUs from the topology: 0)" in found[0].message


def test_live_host_reads_gpus_from_nvidia_smi_on_path(tmp_path):
    """A stand-in nvidia-smi that prints a real captured `nvidia-smi -L`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "nvidia-smi").write_text(f"#!/bin/sh\ncat {MIG_LIST}\n")
    (bin_dir / "nvidia-smi").chmod(0o755)
    facts = live_host("/", path=str(bin_dir))
    assert facts.gpu_source == "nvidia-smi -L"
    assert sorted(facts.gpus) == sorted(load_topology([MIG_LIST]).gpus)


def test_gpus_unknown_is_a_note_not_a_finding(tmp_path, tools):
    root = tree(tmp_path, DGX_A100, pci=[])
    (Path(root) / "sys/bus").mkdir(exist_ok=True)  # no pci directory at all
    result = check(root, "--command", "CUDA_VISIBLE_DEVICES=9 sh", path=tools)
    assert result.exit_code == 0
    assert "note: GPUs not checked" in result.output


def test_check_without_preset_or_command_is_a_usage_error():
    result = invoke("check")
    assert result.exit_code == 2
    assert "--preset: is required (or give --command LINE)" in result.output


def test_finding_prints_severity_where_value_and_why():
    finding = Finding("w [numactl]", "--membind=3", "NUMA node 3 has no memory")
    assert str(finding) == "error: w [numactl]: --membind=3: NUMA node 3 has no memory"


def test_missing_working_directory_is_a_warning(tmp_path, tools):
    root = tree(tmp_path, DGX_A100)
    gone = tmp_path / "gone"
    result = check(root, "--command", f"cd -- {gone} && taskset -c 0 sh", path=tools)
    assert result.exit_code == 0
    assert f"warning: command 1: cd -- {gone}: no such directory" in result.output
