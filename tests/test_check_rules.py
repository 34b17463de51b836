"""`infralens check` on whole lines: CPUs and memory next to the GPUs, PCI order."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from infralens_core.cli import cli

DATA = Path(__file__).resolve().parent / "data" / "topologies"
H100 = str(DATA / "nv-h100-8gpu-nv18-2numa-nonic.txt")
EPYC = str(DATA / "numactl-epyc-2s-nps4-8node.txt")
DGX = str(DATA / "nv-dgx-a100-nps4-mlx5cols-tabs.txt")


def check(line, *topologies):
    args = ["check", "--command", line, "--against", "topology"]
    for topology in topologies or (H100,):
        args += ["--topology", topology]
    return CliRunner().invoke(cli, args)


ORDER = "CUDA_DEVICE_ORDER=PCI_BUS_ID"


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        (
            f"CUDA_VISIBLE_DEVICES=0,1 {ORDER} taskset -c 48-95 python",
            "CPUs 48-95 are not next to GPU 0,1",
        ),
        (
            f"CUDA_VISIBLE_DEVICES=0 {ORDER} numactl -N 1 -m 1 python",
            "memory on NUMA node 1 is not next to GPU 0",
        ),
        (
            "CUDA_VISIBLE_DEVICES=0 taskset -c 0-3 python",
            "without CUDA_DEVICE_ORDER=PCI_BUS_ID",
        ),
    ],
)
def test_line_bound_away_from_its_gpus_is_warned(line, fragment):
    """check passed lines whose CPUs or memory sat on another node than the GPUs."""
    result = check(line)
    assert result.exit_code == 0
    assert fragment in result.stdout


def test_node_binding_away_from_the_gpus_is_warned_when_nodes_are_known():
    line = f"CUDA_VISIBLE_DEVICES=0 {ORDER} numactl --cpunodebind=1 --membind=3 x"
    result = check(line, DGX, EPYC)
    assert "CPUs 16-31,144-159 are not next to GPU 0" in result.stdout


def test_invalid_container_name_is_an_error():
    result = check("docker run --name 'bad name' img x")
    assert result.exit_code == 1
    assert "docker refuses it" in result.stdout


def test_rendered_example_lines_break_no_rule():
    rendered = CliRunner().invoke(cli, ["render", "--example", "--format", "json"])
    for command in json.loads(rendered.stdout)["commands"]:
        outcome = check(command["shell"])
        assert "not next to" not in outcome.stdout, command["shell"]
        assert "CUDA_DEVICE_ORDER" not in outcome.stdout


@pytest.mark.parametrize("line", ["numactl", "numactl --membind=0", "taskset -c 0"])
def test_launcher_without_a_program_is_an_error(line):
    """`numactl --membind=0` alone starts nothing, yet check found no error."""
    result = check(line)
    assert result.exit_code == 1
    assert "is given no program to start" in result.stdout
