"""Loading sources: kind detection, file checks, stdin, local, merge of several."""

from __future__ import annotations

import io
import sys
import types

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infralens_core import textfile
from infralens_core.errors import InputError
from infralens_core.topology.load import (
    detect_kind,
    load_topology,
    parse_text,
    read_source,
)

from .sysfs_trees import DGX_A100, build_tree
from .test_dumps import DUMPS
from .test_nvml import H100, fake_pynvml


def by_name(part: str):
    return next(d for d in DUMPS if part in d.name)


@pytest.mark.parametrize(
    ("part", "kind"),
    [
        ("nv-dgx-a100", "nvidia-smi topo -m"),
        ("numactl-epyc", "numactl --hardware"),
        ("lscpu-2s", "lscpu"),
        ("lscpu-p-", "lscpu -p"),
        ("nvidia-smi-L", "nvidia-smi -L"),
        ("rocm-smi", "rocm-smi --showtoponuma"),
    ],
)
def test_detect_kind_of_real_dumps(part, kind):
    assert detect_kind(by_name(part).read_text()) == kind


def test_detect_kind_of_lscpu_e_and_json():
    assert detect_kind("CPU NODE SOCKET CORE ONLINE\n0 0 0 0 yes\n") == "lscpu -e"
    assert detect_kind('{"sources": [], "nodes": [], "gpus": []}') == "infralens JSON"
    assert detect_kind("hello world\n") is None


def test_unknown_file_kind_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    with pytest.raises(InputError) as err:
        read_source(str(path))
    assert err.value.source == str(path)
    assert "does not look like nvidia-smi topo -m, numactl --hardware" in str(err.value)


@pytest.mark.parametrize("content", [b"", b"  \n\t\n"])
def test_empty_file_is_refused(tmp_path, content):
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match="file is empty"):
        read_source(str(path))


def test_invalid_utf8_names_line_and_byte_offset(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"available: 1 nodes (0)\nnode 0 cpus: 0\xff 1\n")
    with pytest.raises(InputError) as err:
        read_source(str(path))
    assert err.value.where == 2
    assert "0xff at byte offset 37" in err.value.message


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + by_name("numactl-epyc").read_bytes())
    assert len(read_source(str(path)).nodes) == 8


def test_file_over_8_mib_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(textfile.MAX_BYTES + 1)  # sparse: costs no disk
    monkeypatch.setattr("builtins.open", _no_open)
    with pytest.raises(InputError, match="over the 8 MiB limit"):
        read_source(str(path))


def _no_open(*args, **kwargs):
    raise AssertionError("the file was opened although it is too big")


def test_missing_file_and_directory_are_refused(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_source(str(tmp_path / "nope.txt"))
    with pytest.raises(InputError, match="is a directory"):
        read_source(str(tmp_path))


def test_stdin_is_read_with_its_own_name(monkeypatch):
    data = by_name("nv-h100").read_bytes()
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=io.BytesIO(data)))
    topo = read_source("-")
    assert topo.sources == ["nvidia-smi topo -m (<stdin>)"]
    assert len(topo.gpus) == 8


def test_stdin_over_the_limit_is_refused(monkeypatch):
    big = io.BytesIO(b"x" * (textfile.MAX_BYTES + 1))
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=big))
    with pytest.raises(InputError, match="<stdin>"):
        read_source("-")


def test_local_without_pynvml_is_sysfs_alone(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", None)
    topo = read_source("local", sysfs_root=str(build_tree(tmp_path, DGX_A100)))
    assert topo.sources == [f"sysfs ({tmp_path})"]
    assert topo.gpus[0].numa_node == 3


def test_local_with_nvml_adds_uuids_to_sysfs_gpus(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynvml", fake_pynvml(mig_on={0}))
    topo = read_source("local", sysfs_root=str(build_tree(tmp_path, H100)))
    assert topo.sources == ["nvml", f"sysfs ({tmp_path})"]
    assert topo.gpus[5].uuid.startswith("GPU-00000005")
    assert topo.gpus[5].numa_node == 1 and len(topo.gpus[0].mig) == 2
    assert topo.nodes[1].memory_mb == 1_000_000
    assert topo.conflicts == []


def test_load_topology_merges_in_order():
    topo = load_topology([str(by_name("nv-dgx-a100")), str(by_name("numactl-epyc"))])
    assert topo.nodes[3].cpus is not None and topo.nodes[3].memory_mb == 64447
    assert topo.gpus[0].numa_node == 3
    assert topo.conflicts == []


def test_no_source_is_refused():
    with pytest.raises(InputError, match="no topology source"):
        load_topology([])


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "\tGPU0\tGPU1\tCPU Affinity\tNUMA Affinity\tGPU NUMA ID",
                "GPU0\t X \tNV12\t0-7\t0\t\tN/A",
                "GPU1\tNV12NV12\t0-7",
                "GPU1\tSYS\t X \t\t\tN/A",
                "available: 2 nodes (0-1)",
                "node 0 cpus: 0 1",
                "node 1 size: x MB",
                "node   0   1",
                "  0:  10",
                "# CPU,Core,Socket,Node",
                "0,0,,",
                "a,b,c",
                "NUMA node0 CPU(s): 0-3",
                "GPU 0: X (UUID: GPU-a)",
                "  MIG 1g Device 0: (UUID: MIG-GPU-b/1/0)",
                "GPU[0] : Numa Node: 1",
                "CPU NODE SOCKET CORE ONLINE",
                "  0    0      0    0    maybe",
                "{",
                "",
            ]
        )
        | st.text(max_size=40),
        max_size=8,
    )
)
def test_any_input_gives_a_topology_or_an_input_error_never_a_traceback(lines):
    try:
        parse_text("\n".join(lines), "fuzz.txt")
    except InputError:
        pass


def test_stdin_named_twice_is_refused_before_reading(monkeypatch):
    """Pins: `--from - --from -` was accepted; the second read found stdin drained."""
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(buffer=_Unread()))
    with pytest.raises(InputError) as err:
        load_topology(["-", str(by_name("numactl-epyc")), "-"])
    assert str(err.value) == "--topology:-: stdin can be read once"


class _Unread:
    def read(self, *args):
        raise AssertionError("stdin was read although the sources are refused")


@pytest.mark.parametrize("content", [b"", b" \n\t\n"])
def test_empty_stdin_is_named_as_stdin_not_a_file(monkeypatch, content):
    """Pins: empty stdin was reported as "<stdin>: file is empty"."""
    stdin = types.SimpleNamespace(buffer=io.BytesIO(content))
    monkeypatch.setattr(sys, "stdin", stdin)
    with pytest.raises(InputError) as err:
        read_source("-")
    assert str(err.value) == "<stdin>: is empty"
