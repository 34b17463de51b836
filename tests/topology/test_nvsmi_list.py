"""`nvidia-smi -L`: GPUs and both MIG UUID forms."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError
from infralens_core.topology.nvsmi_list import parse_nvsmi_list

GPU0 = "GPU-11111111-2222-3333-4444-555555555555"
OLD_FORM = f"""\
GPU 0: A100-SXM4-40GB (UUID: {GPU0})
  MIG 1g.5gb Device 0: (UUID: MIG-{GPU0}/7/0)
  MIG 1g.5gb Device 1: (UUID: MIG-{GPU0}/8/0)
GPU 1: A100-SXM4-40GB (UUID: GPU-99999999-2222-3333-4444-555555555555)
"""


def test_older_mig_form_keeps_the_gpu_gi_ci_uuid_under_its_parent():
    topo = parse_nvsmi_list(OLD_FORM, "l.txt")
    gpu = topo.gpus[0]
    assert gpu.uuid == GPU0 and gpu.name == "A100-SXM4-40GB"
    assert [(m.uuid, m.profile, m.device) for m in gpu.mig] == [
        (f"MIG-{GPU0}/7/0", "1g.5gb", 0),
        (f"MIG-{GPU0}/8/0", "1g.5gb", 1),
    ]
    assert topo.gpus[1].mig == []
    assert topo.gpu_of_mig(f"MIG-{GPU0}/8/0")[0] is gpu


def test_older_mig_form_naming_another_gpu_is_refused():
    text = OLD_FORM.replace(f"MIG-{GPU0}/8/0", "MIG-GPU-deadbeef/8/0")
    with pytest.raises(InputError) as err:
        parse_nvsmi_list(text, "l.txt")
    assert err.value.where == 3


def test_mig_before_any_gpu_is_refused():
    with pytest.raises(InputError, match="before any GPU"):
        parse_nvsmi_list("  MIG 1g.5gb Device 0: (UUID: MIG-abc)\n", "l")


def test_unreadable_mig_line_is_refused():
    with pytest.raises(InputError, match="unreadable MIG line"):
        parse_nvsmi_list(OLD_FORM + "  MIG 1g.5gb Device x\n", "l")


def test_gpu_listed_twice_is_refused():
    with pytest.raises(InputError, match="listed twice"):
        parse_nvsmi_list(OLD_FORM + OLD_FORM.splitlines()[0] + "\n", "l")


def test_one_uuid_on_two_gpu_indices_is_refused():
    """Pins: one GPU UUID on two indices in one file was only a merge warning."""
    text = f"GPU 0: A (UUID: {GPU0})\nGPU 1: A (UUID: {GPU0})\n"
    with pytest.raises(InputError) as err:
        parse_nvsmi_list(text, "l.txt")
    assert (err.value.source, err.value.where) == ("l.txt", 2)
    assert err.value.message == f"UUID {GPU0} is on GPU 0 and GPU 1"


def test_mig_uuid_listed_twice_is_refused():
    """Pins: one MIG UUID under two GPUs was accepted, so it named either GPU."""
    text = (
        f"GPU 0: A (UUID: {GPU0})\n  MIG 1g.10gb Device 0: (UUID: MIG-x)\n"
        "GPU 1: A (UUID: GPU-b)\n  MIG 1g.10gb Device 0: (UUID: MIG-x)\n"
    )
    with pytest.raises(InputError, match="MIG slice MIG-x is listed twice") as err:
        parse_nvsmi_list(text, "l.txt")
    assert err.value.where == 4


def test_gpu_index_of_thousands_of_digits_is_an_input_error():
    """Pins: int() on a 5000-digit GPU index escaped as a ValueError."""
    with pytest.raises(InputError, match="GPU index .* is too large"):
        parse_nvsmi_list("GPU " + "9" * 5000 + f": A (UUID: {GPU0})\n", "l.txt")
