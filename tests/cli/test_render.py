"""``infralens render`` through click's runner, on real topology dumps."""

import json

from tests.cli.conftest import render_json, split_line

BARE = '[execution]\nentry_command = "python train.py"\nextra_args = "--lr 0.1"\n'
DOCKER = (
    '[execution]\nenvironment = "docker"\nentry_command = "python train.py"\n'
    'image_name = "pytorch:24"\n'
)


def render_a0(invoke, preset_path, topology, *extra):
    """Render workload a on GPU 0 with a preset and a topology."""
    return invoke(
        "render",
        "--preset",
        preset_path,
        "--workload",
        "a=0",
        "--topology",
        topology,
        *extra,
    )


def by_style(data):
    return {c["style"]: c for c in data["commands"]}


def test_example_renders_three_styles_bound_to_the_dumps_nodes(invoke):
    data = render_json(invoke, "--example")
    styles = {(c["workload"], c["style"]) for c in data["commands"]}
    assert ("training-01", "numactl") in styles and ("inference-01", "docker") in styles
    first = {c["style"]: c for c in data["commands"] if c["workload"] == "training-01"}
    # GPUs 0-3 of the H100 dump sit on node 0 with CPUs 0-47,96-143.
    assert "--membind=0" in first["numactl"]["argv"]
    assert first["taskset"]["argv"][:3] == ["taskset", "-c", "0-47,96-143"]
    assert "--cpuset-cpus=0-47,96-143" in first["docker"]["argv"]
    assert "--cpuset-mems=0" in first["docker"]["argv"]


def test_example_text_groups_lines_under_a_comment_per_workload(invoke):
    result = invoke("render", "--example")
    assert result.exit_code == 0
    comments = [line for line in result.stdout.splitlines() if line.startswith("#")]
    assert len(comments) == 3
    assert "NUMA node(s) 1" in comments[1] and "CPUs 48-95,144-191" in comments[1]


def test_dgx_a100_gpus_0_1_bind_node_3_in_every_style(invoke, preset, dump):
    path = preset(DOCKER.replace('"docker"', '"bare_metal"'))
    data = render_json(
        invoke,
        "--preset",
        path,
        "--workload",
        "job=0,1",
        "--topology",
        dump("nv-dgx-a100-nps4-mlx5cols-tabs"),
        "--style",
        "numactl",
        "--style",
        "taskset",
        "--style",
        "docker",
    )
    commands = by_style(data)
    assert "--physcpubind=48-63,176-191" in commands["numactl"]["argv"]
    assert "--membind=3" in commands["numactl"]["argv"]
    assert commands["taskset"]["argv"][:3] == ["taskset", "-c", "48-63,176-191"]
    assert "--cpuset-cpus=48-63,176-191" in commands["docker"]["argv"]
    assert "--cpuset-mems=3" in commands["docker"]["argv"]
    for command in commands.values():
        assert command["binding"] == {
            "cpus": "48-63,176-191",
            "cpu_nodes": [3],
            "mem_nodes": [3],
        }


def test_bare_metal_defaults_to_numactl_and_taskset(invoke, preset, dump):
    data = render_json(
        invoke,
        "--preset",
        preset(BARE),
        "--workload",
        "a=4",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert sorted(by_style(data)) == ["numactl", "taskset"]


def test_docker_hides_host_indices_inside_the_container(invoke, preset, dump):
    data = render_json(
        invoke,
        "--preset",
        preset(DOCKER),
        "--workload",
        "a=2,3",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    argv = by_style(data)["docker"]["argv"]
    assert argv[argv.index("--gpus") + 1] == '"device=2,3"'
    assert not any(a.startswith("CUDA_VISIBLE_DEVICES=2") for a in argv)


def test_mixed_plan_renders_every_workload(invoke, preset, dump, tmp_path):
    plan = tmp_path / "plan.json"
    plan.write_text(
        json.dumps(
            {
                "workloads": [
                    {"name": "t1", "kind": "training", "gpus": [0, 1]},
                    {"name": "i1", "kind": "inference", "gpus": "5"},
                    {"name": "i2", "kind": "inference", "gpus": ["7"]},
                ]
            }
        )
    )
    data = render_json(
        invoke,
        "--preset",
        preset(BARE),
        "--plan",
        str(plan),
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    kinds = {(c["workload"], c["kind"]) for c in data["commands"]}
    assert kinds == {("t1", "training"), ("i1", "inference"), ("i2", "inference")}
    assert len(data["commands"]) == 6


def test_gpus_across_nodes_bind_the_union_and_warn(invoke, preset, dump):
    data = render_json(
        invoke,
        "--preset",
        preset(BARE),
        "--workload",
        "a=3,4",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert "--membind=0-1" in by_style(data)["numactl"]["argv"]
    assert any("union" in w["message"] for w in data["warnings"])


def test_unknown_numa_node_warns_and_binds_no_memory(invoke, preset, dump):
    data = render_json(
        invoke,
        "--preset",
        preset(BARE),
        "--workload",
        "a=0",
        "--topology",
        dump("nv-2x1080ti-phb-numa-na-oldfmt"),
    )
    argv = by_style(data)["numactl"]["argv"]
    assert "--physcpubind=0-11" in argv
    assert not any(a.startswith("--membind") for a in argv)
    assert any("unknown" in w["message"] for w in data["warnings"])


def test_shell_lines_split_back_into_argv_env_and_cwd(invoke, preset, dump):
    body = BARE + 'workdir = "/srv/my jobs"\nenv_vars = "A=it\'s $HOME `x`; y"\n'
    data = render_json(
        invoke,
        "--preset",
        preset(body),
        "--workload",
        "a b=0",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    for command in data["commands"]:
        cwd, env, argv = split_line(command["shell"])
        assert (cwd, env, argv) == (command["cwd"], command["env"], command["argv"])
    assert data["commands"][0]["env"]["A"] == "it's $HOME `x`; y"


def test_docker_without_image_is_exit_2_naming_the_field(invoke, preset, dump):
    body = DOCKER.replace('image_name = "pytorch:24"\n', "")
    result = render_a0(invoke, preset(body), dump("nv-h100-8gpu-nv18-2numa-nonic"))
    assert result.exit_code == 2
    assert "execution.image_name: is required" in result.stderr


def test_malformed_env_line_is_exit_2_with_its_line_number(invoke, preset, dump):
    body = BARE + 'env_vars = """\nA=1\nnot-a-pair\n"""\n'
    result = render_a0(invoke, preset(body), dump("nv-h100-8gpu-nv18-2numa-nonic"))
    assert result.exit_code == 2
    assert "line 2" in result.stderr and "Traceback" not in result.stderr


def test_manual_mode_with_empty_cpu_list_is_exit_2(invoke, preset, dump):
    body = BARE + 'cpu_set_mode = "manual"\nmanual_cpu_set = ""\n'
    result = render_a0(invoke, preset(body), dump("nv-h100-8gpu-nv18-2numa-nonic"))
    assert result.exit_code == 2
    assert "manual_cpu_set" in result.stderr


def test_manual_cpu_set_outside_the_host_is_refused(invoke, preset, dump):
    body = BARE + 'cpu_set_mode = "manual"\nmanual_cpu_set = "0-3,300"\n'
    result = render_a0(invoke, preset(body), dump("numactl-epyc-2s-nps4-8node"))
    assert result.exit_code == 2
    assert "CPUs 300 are not on this host (it has 0-255)" in result.stderr


def test_unknown_key_names_the_closest_valid_key(invoke, preset, dump):
    body = BARE + 'extra_arg = "--x"\n'
    result = render_a0(invoke, preset(body), dump("nv-h100-8gpu-nv18-2numa-nonic"))
    assert result.exit_code == 2
    assert "did you mean 'extra_args'?" in result.stderr
    assert "preset.toml:4: " in result.stderr  # the line of the misspelled key


def test_unknown_style_lists_installed_ones(invoke, preset, dump):
    result = render_a0(
        invoke, preset(BARE), dump("nv-h100-8gpu-nv18-2numa-nonic"), "--style", "slurm"
    )
    assert result.exit_code == 2
    assert "installed styles: docker, numactl, taskset" in result.stderr


def test_gpu_not_on_the_host_is_exit_2(invoke, preset, dump):
    result = invoke(
        "render",
        "--preset",
        preset(BARE),
        "--workload",
        "a=9",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 2
    assert "GPU 9 is not on this host" in result.stderr


def test_script_format_is_bash_that_starts_each_workload(invoke, preset, dump):
    result = invoke(
        "render",
        "--preset",
        preset(BARE),
        "--workload",
        "a=0",
        "--workload",
        "b=4",
        "--style",
        "taskset",
        "--format",
        "script",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "#!/usr/bin/env bash" and "set -euo pipefail" in lines
    assert sum(line.endswith(" &") for line in lines) == 2


def test_unquoted_dollar_in_entry_command_warns_it_is_literal(invoke, preset, dump):
    """A `$HOME` that a user expects expanded is passed literally: say so."""
    body = '[execution]\nentry_command = "python x.py --out $HOME/o"\n'
    data = render_json(
        invoke,
        "--preset",
        preset(body),
        "--workload",
        "a=0",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert "$HOME/o" in data["commands"][0]["argv"]
    messages = [w["message"] for w in data["warnings"] if w["workload"] is None]
    assert messages and "passed literally" in messages[0]


def test_bad_env_line_in_multiline_string_names_the_files_own_line(
    invoke, preset, dump
):
    """The env_vars error pointed at the key's line, not the bad line itself."""
    body = BARE + 'env_vars = """\nA=1\n\nbad line\n"""\n'
    result = invoke(
        "validate",
        "--preset",
        preset(body),
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 2
    assert "preset.toml:7: execution.env_vars: line 3 of the value" in result.stderr


def test_ansi_escapes_in_values_reach_stdout_unchanged(preset, dump):
    """click.echo stripped escape sequences off a piped text line, unlike JSON."""
    import subprocess
    import sys
    from pathlib import Path

    body = BARE + 'env_vars = { LOG_PREFIX = "\\u001b[31mERR\\u001b[0m" }\n'
    script = Path(sys.executable).parent / "infralens"
    out = subprocess.run(
        [
            str(script),
            "render",
            "--preset",
            preset(body),
            "--workload",
            "a=0",
            "--topology",
            dump("nv-h100-8gpu-nv18-2numa-nonic"),
            "--style",
            "taskset",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    _, env, _ = split_line(out.splitlines()[1])
    assert env["LOG_PREFIX"] == "\x1b[31mERR\x1b[0m"


def test_manual_cpu_set_in_auto_mode_is_ignored_with_a_warning(invoke, preset, dump):
    """The README preset failed validation on a host without CPUs 0-23,48-71,
    although auto mode never uses manual_cpu_set."""
    body = BARE + 'manual_cpu_set = "0-3,300"\n'
    data = render_json(
        invoke,
        "--preset",
        preset(body),
        "--workload",
        "a=0",
        "--topology",
        dump("numactl-epyc-2s-nps4-8node"),
        "--topology",
        dump("nv-dgx-a100-nps4-mlx5cols-tabs"),
    )
    messages = [w["message"] for w in data["warnings"] if w["workload"] is None]
    assert any("manual_cpu_set is ignored" in m for m in messages)


def test_env_keys_bash_drops_are_refused_on_bare_metal(invoke, preset, dump):
    """BASH_ARGV=5 cmd never reaches cmd: bash keeps the name for itself."""
    body = BARE + 'env_vars = { BASH_ARGV = "5" }\n'
    result = invoke(
        "validate",
        "--preset",
        preset(body),
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 2
    assert "env_vars.BASH_ARGV: is kept by bash" in result.stderr


def test_validate_reports_preset_and_plan_problems_together(
    invoke, preset, dump, tmp_path
):
    """validate stopped at the first problem although it promises all of them."""
    body = DOCKER.replace('image_name = "pytorch:24"\n', 'container_prefix = "-x"\n')
    plan = tmp_path / "plan.toml"
    plan.write_text(
        '[[workloads]]\nname = "a"\ngpus = "x"\n'
        '[[workloads]]\nname = "b"\nkind = "eval"\ngpus = [1]\n'
    )
    result = invoke(
        "validate",
        "--preset",
        preset(body),
        "--plan",
        str(plan),
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4 and all(line.startswith("Error: ") for line in lines)
    for fragment in (
        "image_name",
        "container_prefix",
        "workloads[0].gpus",
        "workloads[1].kind",
    ):
        assert any(fragment in line for line in lines), fragment


def test_control_characters_in_a_name_are_escaped_in_the_comment_only(
    invoke, preset, dump
):
    """An escape sequence in a workload name redrew the terminal from the comment."""
    result = invoke(
        "render",
        "--preset",
        preset(BARE),
        "--workload",
        "w\x1b[2J=0",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
        "--style",
        "taskset",
    )
    comment, line = result.stdout.splitlines()[:2]
    assert comment.startswith("# w\\x1b[2J (training)")
    argv = split_line(line)[2]
    assert argv[argv.index("--workload") + 1] == "w\x1b[2J"


def test_validate_takes_workloads_on_the_command_line(invoke, preset, dump):
    result = invoke(
        "validate",
        "--preset",
        preset(BARE),
        "--workload",
        "a=9",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
    )
    assert result.exit_code == 2
    assert "GPU 9 is not on this host" in result.stderr


def test_run_names_preset_warnings_as_the_preset_not_none(invoke, preset, dump):
    """run printed 'warning: None: execution.entry_command …' for preset warnings."""
    body = '[execution]\nentry_command = "python x.py --out $HOME/o"\n'
    result = invoke(
        "run",
        "a",
        "--preset",
        preset(body),
        "--workload",
        "a=0",
        "--topology",
        dump("nv-h100-8gpu-nv18-2numa-nonic"),
        "--style",
        "taskset",
        "--dry-run",
    )
    assert result.exit_code == 0
    assert "warning: preset: execution.entry_command" in result.stderr
    assert "None" not in result.stderr
