"""`rocm-smi --showtoponuma`."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError
from infralens_core.topology.rocm import parse_rocm


def test_numa_node_minus_one_is_unknown():
    text = (
        "GPU[0]\t\t: (Topology) Numa Node: -1\n"
        "GPU[0]\t\t: (Topology) Numa Affinity: -1\n"
        "GPU[1]          : (Topology) Numa Node: 1\n"
    )
    topo = parse_rocm(text, "r.txt")
    assert topo.gpus[0].numa_node is None
    assert topo.gpus[1].numa_node == 1
    assert topo.gpus[1].vendor == "amd"


def test_numa_node_line_wins_over_affinity():
    text = (
        "GPU[0] : Numa Affinity: 1\nGPU[0] : Numa Node: 0\nGPU[0] : Numa Affinity: 1\n"
    )
    assert parse_rocm(text, "r").gpus[0].numa_node == 0


@pytest.mark.parametrize("value", ["-2", "1024", "99999999999999999999"])
def test_numa_node_outside_0_1023_is_refused_with_its_line(value):
    """Pins: rocm-smi nodes past 1023 were accepted and other negatives taken as
    unknown; only -1 means the firmware did not say."""
    text = f"GPU[0] : Numa Node: 0\nGPU[1] : Numa Node: {value}\n"
    with pytest.raises(InputError, match="outside 0-1023") as err:
        parse_rocm(text, "r.txt")
    assert (err.value.source, err.value.where) == ("r.txt", 2)
