"""lscpu in its plain, `-e` and `-p` shapes, and in other locales."""

from __future__ import annotations

import pytest

from infralens_core.cpulist import parse_cpulist
from infralens_core.errors import InputError
from infralens_core.topology.lscpu import looks_like_lscpu, parse_lscpu

LSCPU_E = """\
CPU NODE SOCKET CORE L1d:L1i:L2:L3 ONLINE    MAXMHZ   MINMHZ
  0    0      0    0 0:0:0:0          yes 3400.0000 800.0000
  1    1      1    1 1:1:1:1          yes 3400.0000 800.0000
  2    0      0    0 0:0:0:0          yes 3400.0000 800.0000
  3    -      -    - :::               no         -        -
"""

LSCPU_P_SELECTED = """\
# The following is the parsable format, which can be fed to other
# programs. Each different item in every column has an unique ID
# starting from zero.
# CPU,Core,Socket,Node
0,0,0,0
1,1,0,0
2,0,0,0
3,1,0,0
4,2,1,1
5,2,1,1
"""


def cpus(text: str) -> frozenset[int]:
    return parse_cpulist(text)


def test_lscpu_e_reads_nodes_sockets_smt_and_online():
    topo = parse_lscpu(LSCPU_E, "e.txt")
    assert topo.sources == ["lscpu -e (e.txt)"]
    assert {n: topo.nodes[n].cpus for n in topo.nodes} == {0: cpus("0,2"), 1: cpus("1")}
    assert topo.sockets == {0: cpus("0,2"), 1: cpus("1")}
    assert topo.smt_siblings[0] == cpus("0,2")
    assert topo.online_cpus == cpus("0-2")


def test_lscpu_e_german_online_column():
    text = LSCPU_E.replace(" yes", "  ja").replace("  no ", "nein ")
    assert parse_lscpu(text, "e").online_cpus == cpus("0-2")


def test_lscpu_e_unknown_online_word_is_refused_with_line():
    with pytest.raises(InputError) as err:
        parse_lscpu(LSCPU_E.replace(" yes", "  vai", 1), "e.txt")
    assert err.value.where == 2


def test_lscpu_p_with_selected_columns_reads_smt_from_core():
    topo = parse_lscpu(LSCPU_P_SELECTED, "p.txt")
    assert topo.sources == ["lscpu -p (p.txt)"]
    assert topo.nodes[1].cpus == cpus("4-5")
    assert topo.sockets == {0: cpus("0-3"), 1: cpus("4-5")}
    assert topo.smt_siblings[1] == cpus("1,3")
    assert topo.smt_siblings[4] == cpus("4-5")
    assert topo.online_cpus is None  # -p without ONLINE does not say


def test_lscpu_p_empty_node_on_a_vm_leaves_nodes_unknown():
    text = "# CPU,Core,Socket,Node\n0,0,0,\n1,1,0,\n"
    topo = parse_lscpu(text, "vm.txt")
    assert topo.nodes == {}
    assert topo.sockets == {0: cpus("0-1")}


@pytest.mark.parametrize(
    "lines",
    [
        [
            "NUMA-Knoten(s):      2",
            "NUMA-Knoten0 CPU(s): 0-11",
            "NUMA-Knoten1 CPU(s): 12-23",
        ],
        [
            "Nœud(s) NUMA :       2",
            "Nœud NUMA 0 de processeur(s) : 0-11",
            "Nœud NUMA 1 de processeur(s) : 12-23",
        ],
        [
            "NUMA 节点：           2",
            "NUMA 节点0 CPU：     0-11",
            "NUMA 节点1 CPU：     12-23",
        ],
        [
            "Nodo(s) NUMA:        2",
            "CPU(s) del nodo NUMA 0: 0-11",
            "CPU(s) del nodo NUMA 1: 12-23",
        ],
    ],
    ids=["de", "fr", "zh", "es"],
)
def test_plain_lscpu_in_other_locales(lines):
    text = "Architektur: x86_64\nCPU(s): 24\n" + "\n".join(lines) + "\n"
    assert looks_like_lscpu(text) == "lscpu"
    topo = parse_lscpu(text, "l.txt")
    assert {n: topo.nodes[n].cpus for n in topo.nodes} == {
        0: cpus("0-11"),
        1: cpus("12-23"),
    }


def test_node_count_line_is_not_read_as_node_cpus():
    # "NUMA node(s): 2" carries no node number, so its value is not node 2's CPUs.
    topo = parse_lscpu("NUMA node(s): 2\nNUMA node0 CPU(s): 0-3\n", "l")
    assert list(topo.nodes) == [0]


def test_plain_lscpu_cpu_less_node_is_empty():
    topo = parse_lscpu("NUMA node0 CPU(s): 0-3\nNUMA node1 CPU(s):\n", "l")
    assert topo.nodes[1].cpus == frozenset()


def test_plain_lscpu_online_list_and_no_sockets():
    text = "CPU(s): 4\nOn-line CPU(s) list: 0-2\nSocket(s): 2\nNUMA node0 CPU(s): 0-3\n"
    topo = parse_lscpu(text, "l")
    assert topo.online_cpus == cpus("0-2")
    assert topo.sockets == {}


def test_unrecognised_text_is_refused():
    with pytest.raises(InputError):
        parse_lscpu("Architecture: x86_64\n", "l")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("NUMA node0 CPU(s): 0-3\nNUMA node1 CPU(s): 3-7\n", 2),
        ("# CPU,Core,Socket,Node\n0,0,0,0\n1,1,0,0\n1,1,0,1\n", 4),
        ("CPU NODE SOCKET CORE\n  0    0      0    0\n  0    1      0    0\n", 3),
    ],
    ids=["plain", "-p", "-e"],
)
def test_cpu_on_two_nodes_is_refused_naming_cpu_and_nodes(text, line):
    """Pins: a CPU on two NUMA nodes was accepted on both."""
    with pytest.raises(InputError) as err:
        parse_lscpu(text, "l.txt")
    assert err.value.where == line
    assert err.value.message.startswith("CPU ")
    assert "is in NUMA node 0 and NUMA node 1" in err.value.message


def test_plain_node_line_listed_twice_is_refused():
    """Pins: a second `NUMA node0 CPU(s):` line replaced the first silently."""
    text = "NUMA node0 CPU(s): 0-3\nNUMA node0 CPU(s): 4-7\n"
    with pytest.raises(InputError, match="NUMA node 0 is listed twice") as err:
        parse_lscpu(text, "l.txt")
    assert err.value.where == 2


@pytest.mark.parametrize(
    "text",
    [
        "NUMA node1024 CPU(s): 0-3\n",
        "NUMA node" + "9" * 5000 + " CPU(s): 0-3\n",
        "# CPU,Core,Socket,Node\n0,0,0,4096\n",
    ],
    ids=["plain", "plain-5000-digits", "-p"],
)
def test_node_id_past_1023_is_refused(text):
    """Pins: node ids past Linux's MAX_NUMNODES were accepted."""
    with pytest.raises(InputError, match="outside 0-1023"):
        parse_lscpu(text, "l.txt")
