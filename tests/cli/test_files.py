"""Files the CLI reads and writes: only regular files, read with a cap."""

import os

H100 = "nv-h100-8gpu-nv18-2numa-nonic"
BARE = '[execution]\nentry_command = "python train.py"\n'


def render_to(invoke, preset, dump, output, *extra):
    return invoke(
        "render",
        "--preset",
        preset(BARE),
        "--workload",
        "a=0",
        "--topology",
        dump(H100),
        "-o",
        output,
        *extra,
    )


def test_force_never_replaces_a_device_node(invoke, preset, dump, tmp_path):
    """-o /dev/null --force as root left a regular file where the device was."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    result = render_to(invoke, preset, dump, str(fifo), "--force")
    assert result.exit_code == 2
    assert "is not a regular file" in result.stderr
    assert fifo.is_fifo()


def test_force_never_replaces_a_symlink(invoke, preset, dump, tmp_path):
    target = tmp_path / "real.sh"
    target.write_text("keep\n")
    link = tmp_path / "link.sh"
    link.symlink_to(target)
    result = render_to(invoke, preset, dump, str(link), "--force")
    assert result.exit_code == 2
    assert link.is_symlink() and target.read_text() == "keep\n"


def test_dash_output_means_stdout_not_a_file_named_dash(
    invoke, preset, dump, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    result = render_to(invoke, preset, dump, "-")
    assert result.exit_code == 0 and "taskset" in result.stdout
    assert not (tmp_path / "-").exists()


def test_empty_output_path_is_refused(invoke, preset, dump):
    result = render_to(invoke, preset, dump, "")
    assert result.exit_code == 2
    assert "--output: is empty" in result.stderr


def test_device_as_preset_is_refused_not_read_forever(invoke):
    """--preset /dev/zero read until memory ran out: the size check passed at 0."""
    result = invoke("render", "--preset", "/dev/zero", "--workload", "a=0")
    assert result.exit_code == 2
    assert "/dev/zero: is a device, not a file" in result.stderr


def test_preset_with_a_utf8_bom_reads_like_one_without(invoke, preset, dump):
    path = preset("\ufeff" + BARE)
    result = invoke("validate", "--preset", path, "--topology", dump(H100))
    assert result.exit_code == 0, result.stderr


def test_deeply_nested_toml_is_bad_input_not_an_internal_error(invoke, tmp_path):
    """tomllib's RecursionError surfaced as 'internal error', exit 1."""
    path = tmp_path / "deep.toml"
    path.write_text(
        '[execution]\nentry_command = "x"\nextra_args = '
        + "[" * 5000
        + "]" * 5000
        + "\n"
    )
    result = invoke("validate", "--preset", str(path))
    assert result.exit_code == 2
    assert "deep.toml: invalid TOML: nested too deeply" in result.stderr


def test_json_plan_with_a_repeated_key_is_refused(invoke, preset, dump, tmp_path):
    """json.loads kept the last of two "gpus" keys without a word."""
    plan = tmp_path / "plan.json"
    plan.write_text('[{"name": "a", "gpus": [0], "gpus": [7]}]')
    result = invoke(
        "render",
        "--preset",
        preset(BARE),
        "--plan",
        str(plan),
        "--topology",
        dump(H100),
    )
    assert result.exit_code == 2
    assert "plan.json: invalid JSON: key 'gpus' appears twice" in result.stderr


def test_smt_siblings_takes_a_real_boolean(invoke, preset):
    """smt_siblings = "no" was read as False by pydantic's lax mode."""
    result = invoke("validate", "--preset", preset(BARE + 'smt_siblings = "no"\n'))
    assert result.exit_code == 2
    assert "execution.smt_siblings" in result.stderr
