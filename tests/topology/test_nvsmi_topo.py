"""`nvidia-smi topo -m` traps, each as a small inline variant of real output."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError
from infralens_core.topology.nvsmi_topo import looks_like_topo, parse_nvsmi_topo

TWO_GPUS = (
    "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
    "GPU0\t X \tNV12\t0-47,96-143\t0\t\tN/A\n"
    "GPU1\tNV12\t X \t48-95,144-191\t1\t\tN/A\n"
)
LEGEND_MP = (
    "\nLegend:\n\n  X    = Self\n"
    "  PIX  = Connection traversing at most a single PCIe bridge\n"
)
LEGEND = LEGEND_MP + "  NV#  = Connection traversing a bonded set of # NVLinks\n"


def parse(text: str):
    return parse_nvsmi_topo(text, "topo.txt")


def gpu_view(topo):
    return {i: (g.numa_node, g.cpus and min(g.cpus)) for i, g in topo.gpus.items()}


def test_reads_gpu_rows_and_nvlink_pairs_once_lower_index_first():
    topo = parse(TWO_GPUS)
    assert gpu_view(topo) == {0: (0, 0), 1: (1, 48)}
    assert topo.nvlink == [(0, 1, "NV12")]
    assert topo.sources == ["nvidia-smi topo -m (topo.txt)"]


def test_ansi_colour_codes_do_not_glue_onto_cells():
    coloured = TWO_GPUS.replace("NV12", "\x1b[32mNV12\x1b[0m").replace(
        "GPU0\t X", "\x1b[1mGPU0\x1b[0m\t X"
    )
    assert parse(coloured).nvlink == [(0, 1, "NV12")]
    assert gpu_view(parse(coloured)) == {0: (0, 0), 1: (1, 48)}


@pytest.mark.parametrize(
    "preamble",
    [
        "2 NICs found\n",
        "$ nvidia-smi topo -m\n",
        "# captured on the node\n",
        "GPU Topology:\n",
        "root@HOST:/# nvidia-smi topo -m\n\n",
    ],
)
def test_label_prompt_or_nic_count_before_the_header_is_skipped(preamble):
    assert gpu_view(parse(preamble + TWO_GPUS)) == {0: (0, 0), 1: (1, 48)}


def test_nic_rows_and_nic_legend_are_not_gpus():
    text = (
        "\tGPU0\tNIC0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
        "GPU0\t X \tPIX\t0-7\t0\t\tN/A\n"
        "NIC0\tPIX\t X \n" + LEGEND + "\nNIC Legend:\n\n  NIC0: mlx5_0\n"
    )
    topo = parse(text)
    assert list(topo.gpus) == [0]
    assert topo.nvlink == []


def test_matrix_stops_at_the_blank_line_before_topo_c_blocks():
    text = TWO_GPUS + LEGEND + "\n# nvidia-smi topo -c 48\nGPU0 X\n0, 1\n"
    assert list(parse(text).gpus) == [0, 1]


def test_lone_gpu_numa_id_is_not_shifted_into_numa_affinity():
    # Space-aligned paste with CPU and NUMA Affinity blank (vLLM #19607 shape).
    text = (
        "        GPU0    GPU1    CPU Affinity    NUMA Affinity   GPU NUMA ID\n"
        "GPU0     X      NV12                                    N/A\n"
        "GPU1    NV12     X                                      N/A\n"
    )
    topo = parse(text)
    assert gpu_view(topo) == {0: (None, None), 1: (None, None)}


def test_short_cpu_cell_does_not_move_numa_affinity_by_header_position():
    # `64-71` ends a tab stop before the header, so `1` sits under no header.
    text = (
        "        GPU0    CPU Affinity    NUMA Affinity   GPU NUMA ID\n"
        "GPU0     X      64-71   1               N/A\n"
    )
    assert gpu_view(parse(text)) == {0: (1, 64)}


def test_numa_affinity_na_is_unknown_not_node_zero():
    text = (
        "\tGPU0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
        "GPU0\t X \t0-7\t\tN/A\t\tN/A\n"
    )
    topo = parse(text)
    assert topo.gpus[0].numa_node is None
    assert topo.nodes == {}


def test_blank_numa_affinity_keeps_the_cpu_list():
    text = "        GPU0    CPU Affinity    NUMA Affinity\nGPU0     X      0-11\n"
    topo = parse(text)
    assert gpu_view(topo) == {0: (None, 0)}


def test_values_packed_closer_than_a_tab_stop_are_refused_with_the_line():
    text = (
        "        GPU0    CPU Affinity    NUMA Affinity   GPU NUMA ID\n"
        "GPU0     X      0-7  N/A\n"
    )
    with pytest.raises(InputError) as err:
        parse("$ nvidia-smi topo -m\n" + text)
    assert err.value.where == 3
    assert "cannot tell which column" in err.value.message


def test_cpu_list_shifted_into_a_numa_column_is_refused():
    text = (
        "        GPU0    CPU Affinity    NUMA Affinity   GPU NUMA ID\n"
        "GPU0     X                      0-47,96-143\n"
    )
    with pytest.raises(InputError, match="NUMA Affinity '0-47,96-143'"):
        parse(text)


@pytest.mark.parametrize(
    "row",
    [
        "GPU0\t X \tNV12NV12\t0-7\t0\t\tN/A",
        "GPU0\t XNV12\tNV12\t0-7\t0\t\tN/A",
        "GPU0\tXNV12NV12\t0-7\t0\t\tN/A",
    ],
)
def test_ran_together_link_cells_are_split_when_unambiguous(row):
    text = (
        "\tGPU0\tGPU1\tGPU2\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
        + row
        + "\nGPU1\tNV12\t X \tNV12\t0-7\t0\t\tN/A\n"
        "GPU2\tNV12\tNV12\t X \t0-7\t0\t\tN/A\n"
    )
    topo = parse(text)
    assert topo.nvlink == [(0, 1, "NV12"), (0, 2, "NV12"), (1, 2, "NV12")]
    assert gpu_view(topo)[0] == (0, 0)


def test_link_cell_ran_into_the_cpu_list_is_split_when_unambiguous():
    text = (
        "\tGPU0\tNIC0\tCPU Affinity\tNUMA Affinity\n"
        "GPU0\t X \tSYS0-7\t0\n"
        "NIC0\tSYSPIX\n"
    )
    topo = parse(text)
    assert gpu_view(topo) == {0: (0, 0)}
    assert max(topo.gpus[0].cpus) == 7


def test_cell_ran_into_cpu_list_after_nv_digits_is_refused_with_line_number():
    # `NV120-47` is NV12 + 0-47 or NV1 + 20-47: refusing beats guessing.
    text = (
        "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\n"
        "GPU0\t X \tNV12\t0-47\t0\n"
        "GPU1\tNV12\t X \t0-47\t0\n"
    )
    text = text.replace("GPU0\t X \tNV12\t0-47", "GPU0\t X \tNV120-47")
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.where == 2
    assert "split more than one way" in err.value.message


def test_row_missing_a_cell_is_refused_not_shifted():
    text = (
        "\tGPU0\tGPU1\tGPU2\tCPU Affinity\tNUMA Affinity\n"
        "GPU0\t X \tNV12\tNV12\t0-7\t0\n"
        "GPU1\tNV12\t X \t0-7\t0\n"
        "GPU2\tNV12\tNV12\t X \t0-7\t0\n"
    )
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.where == 3
    assert "refusing to guess" in err.value.message


def test_topo_mp_leaves_nvlink_unknown_by_command_line():
    assert (
        parse("$ nvidia-smi topo -mp\n" + TWO_GPUS.replace("NV12", "PIX")).nvlink
        is None
    )


def test_topo_mp_is_recognised_by_a_legend_without_nv_line():
    pci = TWO_GPUS.replace("NV12", "PIX")
    assert parse(pci + LEGEND_MP).nvlink is None
    assert parse(pci + LEGEND).nvlink == []
    assert parse(pci).nvlink == []  # no legend at all: a `-m` cut short


def test_mlx5_columns_without_nic_legend():
    text = (
        "\tGPU0\tmlx5_0\tmlx5_10\tCPU Affinity\tNUMA Affinity\n"
        "GPU0\t X \tPXB\tSYS\t48-63,176-191\t3\n"
        "mlx5_0\tPXB\t X \tSYS\n"
        "mlx5_10\tSYS\tSYS\t X \n"
    )
    topo = parse(text)
    assert gpu_view(topo) == {0: (3, 48)}
    assert 3 in topo.nodes and topo.nodes[3].cpus is None


def test_asymmetric_nvlink_cells_are_refused():
    text = TWO_GPUS.replace("GPU1\tNV12", "GPU1\tNV8")
    with pytest.raises(InputError, match="NV12 one way and NV8"):
        parse(text)


def test_gpu_column_without_a_row_is_refused():
    text = TWO_GPUS.rsplit("GPU1\t", 1)[0]
    with pytest.raises(InputError, match="GPU1 has no row"):
        parse(text)


def test_unknown_column_after_the_matrix_is_refused():
    text = TWO_GPUS.replace("GPU NUMA ID", "GPU NUMA ID\tPower")
    with pytest.raises(InputError, match="unknown column 'Power'"):
        parse(text)


def test_header_is_required():
    assert not looks_like_topo("GPU0 X NV12\n")
    with pytest.raises(InputError, match="no `nvidia-smi topo -m` header"):
        parse("hello\n")


def test_too_many_values_is_refused():
    text = TWO_GPUS.replace("0\t\tN/A\nGPU1", "0\t\tN/A\t7\nGPU1")
    with pytest.raises(InputError, match="4 values for 3 columns"):
        parse(text)


@pytest.mark.parametrize("name", ["GPU9X", "GPU", "GPU１", "30,", "GPU1"])
def test_mangled_or_repeated_header_column_is_refused_not_a_traceback(name):
    text = TWO_GPUS.replace("\tGPU1\tCPU", f"\tGPU1\t{name}\tCPU", 1)
    with pytest.raises(InputError) as err:
        parse(text)
    assert err.value.where == 1


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("NUMA Affinity", "99999999999999999999"),
        ("NUMA Affinity", "1024"),
        ("GPU NUMA ID", "4096"),
        ("GPU NUMA ID", "9" * 5000),
    ],
)
def test_numa_id_past_1023_is_refused_with_its_line(column, value):
    """Pins: NUMA Affinity `99999999999999999999` was read as a node to bind to."""
    numa, numa_id = (value, "N/A") if column == "NUMA Affinity" else ("0", value)
    text = (
        "\tGPU0\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID\n"
        f"GPU0\t X \t0-7\t{numa}\t{numa_id}\n"
    )
    with pytest.raises(InputError, match=f"{column} .* is outside 0-1023") as err:
        parse(text)
    assert (err.value.source, err.value.where) == ("topo.txt", 2)


def test_gpu_column_of_thousands_of_digits_is_an_input_error():
    """Pins: `GPU999…` (5000 digits) escaped as a ValueError from int()."""
    big = "GPU" + "9" * 5000
    text = f"\tGPU0\t{big}\n GPU0\t X \tSYS\n{big}\tSYS\t X \n"
    with pytest.raises(InputError, match="is not a column name"):
        parse(text)
