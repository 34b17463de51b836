"""Regression tests for faults the bad-input corpus found in presets and plans."""

from __future__ import annotations

import pytest

from infralens_core.errors import InputError, InputErrors
from infralens_core.inputs import config_from_table, load_plan


def test_toml_plan_opening_with_array_of_tables_is_not_read_as_json(tmp_path):
    """Fault: a plan whose first line is ``[[workloads]]`` was sniffed as JSON by its
    leading bracket and refused with 'invalid JSON: Expecting value'."""
    for name in ("plan.toml", "plan"):
        path = tmp_path / name
        path.write_text('[[workloads]]\nname = "a"\ngpus = "0-1"\n')
        assert [w.gpus for w in load_plan(str(path))] == [("0", "1")]


def test_json_plan_without_extension_is_still_json(tmp_path):
    path = tmp_path / "plan"
    path.write_text('[ {"name": "a", "gpus": [2]} ]')
    assert [w.gpus for w in load_plan(str(path))] == [("2",)]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("env_vars", 5, "KEY=VALUE lines"),
        ("env_vars", {"A": 1}, "KEY=VALUE lines"),
        ("extra_args", ["--n", 3], "a string or a list of strings"),
    ],
)
def test_field_taking_two_types_reports_one_error(field, value, says):
    """Fault: a wrong type in a str-or-table field gave two lines, one per type
    pydantic tried ('should be a valid dictionary' and 'a valid string')."""
    with pytest.raises(InputError) as caught:
        config_from_table({"entry_command": "x", field: value}, "p.toml")
    assert caught.value.where == f"execution.{field}"
    assert says in caught.value.message


def test_misspelled_required_key_is_not_also_reported_missing():
    """Fault: ``entry_comand`` gave 'entry_command is required' on top of 'unknown
    key; did you mean entry_command?', two lines for one typo."""
    text = '[execution]\nentry_comand = "x"\n'
    with pytest.raises(InputError) as caught:
        config_from_table({"entry_comand": "x"}, "p.toml", text)
    assert str(caught.value) == (
        "p.toml:2: execution.entry_comand: unknown key; did you mean 'entry_command'?"
    )


def test_separate_problems_are_still_all_reported():
    with pytest.raises(InputErrors) as caught:
        config_from_table(
            {"entry_command": "x", "workdirr": "/a", "cpu_scope": "r"}, "p.toml"
        )
    assert len(caught.value.errors) == 2


def test_gpu_missing_from_host_names_the_plan_file_it_came_from(tmp_path):
    """Fault: render reported a GPU the host lacks as 'plan:workload ...', naming
    neither the plan file nor the --workload option the workload came from."""
    from helpers import H100_DUMP, builtin_host, read_topology

    from infralens_core.plan import workload_from_option
    from infralens_core.render import render_plan

    path = tmp_path / "jobs.toml"
    path.write_text('[[workloads]]\nname = "a"\ngpus = [0, 8]\n')
    config = config_from_table({"entry_command": "x"}, "p.toml")
    topology = read_topology(H100_DUMP)
    for workloads, source in (
        (load_plan(str(path)), str(path)),
        ([workload_from_option("b=9")], "--workload"),
    ):
        with pytest.raises(InputError) as caught:
            render_plan(builtin_host(), config, workloads, topology, ("taskset",))
        assert caught.value.source == source
