"""`numactl --hardware`: CPU-less and memory-less nodes, distances, prompts."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError
from infralens_core.topology.numactl import parse_numactl

GRACE_HOPPER_LIKE = """\
user@host:~$ numactl --hardware
available: 3 nodes (0-2)
node 0 cpus: 0 1 2 3
node 0 size: 491520 MB
node 0 free: 400000 MB
node 1 cpus:
node 1 size: 97280 MB
node 1 free: 97000 MB
node 2 cpus:
node 2 size: 0 MB
node 2 free: 0 MB
node distances:
node   0   1   2 |
  0:  10  80  80 |
  1:  80  10 255 |
  2:  80 255  10 |

""".replace("|", "")  # numactl ends matrix lines with a blank


def test_cpu_less_node_has_empty_cpus_not_unknown():
    topo = parse_numactl(GRACE_HOPPER_LIKE, "n.txt")
    assert topo.nodes[1].cpus == frozenset()
    assert topo.nodes[1].memory_mb == 97280
    assert topo.nodes[0].cpus == frozenset(range(4))


def test_zero_mb_node_has_no_memory():
    topo = parse_numactl(GRACE_HOPPER_LIKE, "n.txt")
    assert topo.nodes[2].memory_mb == 0
    assert not topo.nodes[2].has_memory


def test_distance_matrix_with_trailing_blanks():
    topo = parse_numactl(GRACE_HOPPER_LIKE, "n.txt")
    assert topo.nodes[1].distances == {0: 80, 1: 10, 2: 255}


def test_sparse_node_ids_map_distances_by_header():
    text = (
        "available: 2 nodes (0,2)\nnode 0 cpus: 0\nnode 0 size: 10 MB\n"
        "node 2 cpus: 1\nnode 2 size: 10 MB\nnode distances:\nnode   0   2\n"
        "  0:  10  20\n  2:  20  10\n"
    )
    assert parse_numactl(text, "n").nodes[2].distances == {0: 20, 2: 10}


def test_size_not_in_mb_is_refused_with_line():
    text = "available: 1 nodes (0)\nnode 0 cpus: 0\nnode 0 size: 10 GB\n"
    with pytest.raises(InputError) as err:
        parse_numactl(text, "n.txt")
    assert (err.value.source, err.value.where) == ("n.txt", 3)


def test_distance_row_wider_than_header_is_refused():
    text = (
        "available: 1 nodes (0)\nnode 0 cpus: 0\nnode distances:\nnode 0\n 0: 10 20\n"
    )
    with pytest.raises(InputError, match="distance row"):
        parse_numactl(text, "n.txt")


def test_bad_cpu_id_is_refused():
    with pytest.raises(InputError, match="CPU id 'x'"):
        parse_numactl("available: 1 nodes (0)\nnode 0 cpus: 0 x\n", "n")


@pytest.mark.parametrize("field", ["cpus: 1", "size: 10 MB"])
def test_node_line_listed_twice_is_refused_with_its_line(field):
    """Pins: `node 0 cpus:` listed twice let the later line win silently."""
    text = (
        f"available: 1 nodes (0)\nnode 0 cpus: 0\nnode 0 size: 10 MB\nnode 0 {field}\n"
    )
    with pytest.raises(InputError, match="listed twice") as err:
        parse_numactl(text, "n.txt")
    assert (err.value.source, err.value.where) == ("n.txt", 4)


def test_cpu_on_two_nodes_is_refused_naming_cpu_and_nodes():
    """Pins: a CPU listed under two nodes was accepted on both."""
    text = "available: 2 nodes (0-1)\nnode 0 cpus: 0 1 2\nnode 1 cpus: 2 3\n"
    with pytest.raises(InputError) as err:
        parse_numactl(text, "n.txt")
    assert err.value.where == 3
    assert err.value.message == "CPU 2 is in NUMA node 0 and NUMA node 1"


@pytest.mark.parametrize(
    "text",
    [
        "available: 1 nodes (0)\nnode 1024 cpus: 0\n",
        "available: 1 nodes (0)\nnode 99999999999999999999 size: 1 MB\n",
        "available: 1 nodes (0)\nnode 0 cpus: 0\nnode distances:\nnode 0 2000\n",
    ],
)
def test_node_id_past_1023_is_refused(text):
    """Pins: node ids past Linux's MAX_NUMNODES were accepted."""
    with pytest.raises(InputError, match="NUMA node .* is outside 0-1023"):
        parse_numactl(text, "n.txt")


def test_distance_of_thousands_of_digits_is_an_input_error():
    """Pins: int() on a 5000-digit distance escaped as a ValueError."""
    text = "available: 1 nodes (0)\nnode 0 cpus: 0\nnode distances:\nnode 0\n"
    with pytest.raises(InputError, match="distance .* is too large"):
        parse_numactl(text + " 0: " + "1" * 5000 + "\n", "n.txt")
