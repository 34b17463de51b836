"""A preset written by infralens reads back into the same ExecutionConfig.

``preset init`` and ``dump_preset`` are how users get their first preset; if a
value changed on the way through TOML, every command rendered from it would
quietly differ from what was meant.
"""

from __future__ import annotations

import shlex
import tomllib

import pytest
from helpers import run_infralens
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infralens_core.config import ExecutionConfig
from infralens_core.cpulist import format_cpulist
from infralens_core.inputs import config_from_table, load_preset
from infralens_core.preset import dump_preset, starter_config

EXAMPLES = 1500  # per form, with and without comments
QUIET = {
    "deadline": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow],
}

chars = st.one_of(
    st.sampled_from(" '\"$`;|&\\\n\t\r=#[]{}.,-\x7f\x1b\x00\u2028éß中😀"),
    st.characters(blacklist_categories=("Cs",)),
)
text = st.text(chars, max_size=12).map(lambda t: t.replace("\0", ""))
non_blank = text.filter(str.strip)
words = st.lists(text, max_size=4)
env_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
line_values = text.map(lambda t: t.replace("\n", " ").replace("\r", " "))


@st.composite
def configs(draw) -> ExecutionConfig:
    environment = draw(st.sampled_from(["bare_metal", "docker"]))
    first = draw(non_blank.filter(lambda w: not w.strip().startswith("-")))
    extra = draw(words)
    if draw(st.booleans()):
        env = draw(st.dictionaries(env_keys, text, max_size=4))
    else:
        env = "".join(
            f"{k}={v}\n"
            for k, v in draw(st.dictionaries(env_keys, line_values, max_size=4)).items()
        )
    values = {
        "environment": environment,
        "entry_command": shlex.join([first.strip(), *draw(words)]),
        "extra_args": draw(st.sampled_from([extra, shlex.join(extra)])),
        "env_vars": env,
        "container_prefix": draw(text),
        "cpu_set_mode": draw(st.sampled_from(["auto", "manual"])),
        "cpu_scope": draw(st.sampled_from(["numa_node", "socket"])),
        "smt_siblings": draw(st.booleans()),
    }
    if values["cpu_set_mode"] == "manual" or draw(st.booleans()):
        cpus = draw(st.sets(st.integers(0, 8191), min_size=1, max_size=20))
        values["manual_cpu_set"] = format_cpulist(cpus)
    for key in ("workdir", "image_name"):
        if draw(st.booleans()):
            values[key] = draw(non_blank)
    styles = [None, "cuda_visible_devices"]
    if environment == "docker":
        styles.append("docker_gpus_device")
    values["gpu_visibility_style"] = draw(st.sampled_from(styles))
    return ExecutionConfig.model_validate(values)


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("presets")


@pytest.mark.parametrize("comments", [False, True], ids=["plain", "commented"])
@settings(max_examples=EXAMPLES, **QUIET)
@given(config=configs())
def test_dumped_preset_reads_back_equal(config, comments, scratch):
    text = dump_preset(config, comments=comments)

    table = tomllib.loads(text)
    assert set(table) == {"execution"}, "a key landed outside [execution]"
    assert config_from_table(table["execution"], "preset.toml", text) == config
    path = scratch / "preset.toml"
    path.write_text(text, encoding="utf-8")
    assert load_preset(str(path)) == config


def test_commented_preset_keeps_keys_after_env_vars_in_execution():
    """Fault: with comments, env_vars as a table was written as an ``[env_vars]``
    section, so it and every key after it left [execution]: ``preset init`` gave a
    preset whose OMP_NUM_THREADS was silently dropped."""
    config = ExecutionConfig(
        entry_command="x",
        env_vars={"A": "1"},
        cpu_set_mode="manual",
        manual_cpu_set="0-3",
    )

    table = tomllib.loads(dump_preset(config, comments=True))

    assert set(table) == {"execution"}
    assert table["execution"]["env_vars"] == {"A": "1"}
    assert table["execution"]["cpu_set_mode"] == "manual"


@pytest.mark.parametrize("environment", ["bare_metal", "docker"])
def test_preset_init_output_is_the_starter_preset(tmp_path, environment):
    result = run_infralens(
        ["preset", "init", "--environment", environment], cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    path = tmp_path / "p.toml"
    path.write_text(result.stdout)
    assert load_preset(str(path)) == starter_config(environment)
    assert all(
        line.startswith(("#", "[execution]")) or " = " in line
        for line in result.stdout.splitlines()
    )
