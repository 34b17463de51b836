"""Property tests: whatever a preset and plan hold, what gets out means what was asked.

Presets and plans are generated with strings full of shell syntax (spaces, quotes,
``$``, backticks, ``;``, ``|``, newlines, tabs, non-ASCII, leading dashes) and
rendered through the real path: the plan and preset readers, the binding, the
plugin host with the three built-in styles, and the output formats. Every shell
line must read back into exactly the argv, environment and directory meant; the
JSON must say the same; bash must accept the script and, run for real, hand the
entry command exactly those arguments. Values no command line can carry are
refused with an error naming the field.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import H100_DUMP, builtin_host, read_shell_line, read_topology
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from infralens_core.errors import InputError, InputErrors
from infralens_core.inputs import config_from_table
from infralens_core.output import as_json, as_script
from infralens_core.plan import check_unique, workload_from_mapping
from infralens_core.render import (
    BASH_OWNED,
    VISIBILITY_VARS,
    RenderContext,
    check_config,
    render_plan,
)
from infralens_core.topology.model import Gpu, Node, Topology

# Examples per property; together well over the 10,000 the suite promises.
RENDER_EXAMPLES = 4000
REFUSE_EXAMPLES = 2500
NAME_EXAMPLES = 3000
SYNTAX_EXAMPLES = 200
RUN_EXAMPLES = 50
TOTAL_EXAMPLES = (
    RENDER_EXAMPLES
    + REFUSE_EXAMPLES
    + 2 * (REFUSE_EXAMPLES // 5)
    + NAME_EXAMPLES
    + SYNTAX_EXAMPLES
    + RUN_EXAMPLES
)
QUIET = {
    "deadline": None,
    "print_blob": False,
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
}

DOCKER_NAME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*\Z")
STYLES = ("numactl", "taskset", "docker")
# Characters a shell treats as syntax, whitespace, and text beyond ASCII.
NASTY = " '\"$`;|&<>(){}[]*?~!#\\\n\t\r=-,.:/%@+^éß中😀\u00a0\u2028\x7f\x1b"
TRICKY_WORDS = [
    "",
    "-",
    "--",
    "-x",
    "--help",
    "A=b",
    "if",
    "time",
    "!",
    "{",
    "~",
    "*",
    "$HOME",
    "`id`",
    "$(id)",
    "&&",
    ";",
    "|",
    "#",
    "'",
    '"',
    "\\",
]

chars = st.one_of(
    st.sampled_from(NASTY),
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\0"),
)
text = st.text(chars, max_size=12)
words = st.one_of(text, st.sampled_from(TRICKY_WORDS))
# An entry command starts with a program; what follows may be anything.
program = st.one_of(
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\0-"),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["A=b", "if", "time", "!", "{", "[[", "coproc", "~", "#x", "x y"]),
)
env_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True).filter(
    lambda key: key not in VISIBILITY_VARS and key not in BASH_OWNED
)
line_values = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\n\r"),
    max_size=12,
)
names = st.text(chars, min_size=1, max_size=16).filter(
    lambda n: n.strip() and "\n" not in n and not n.startswith("-")
)
images = st.from_regex(
    r"[a-z0-9][a-z0-9._/-]{0,16}(:[A-Za-z0-9_.-]{1,8})?", fullmatch=True
)


@st.composite
def presets(draw, *, env_as_lines: bool | None = None) -> dict:
    """A preset's [execution] table, with the words it is meant to split into."""
    entry = [draw(program).strip() or "prog", *draw(st.lists(words, max_size=4))]
    extra = draw(st.lists(words, max_size=4))
    if env_as_lines is None:
        env_as_lines = draw(st.booleans())
    env = draw(
        st.dictionaries(env_keys, line_values if env_as_lines else text, max_size=4)
    )
    table = {
        "environment": draw(st.sampled_from(["bare_metal", "docker"])),
        "entry_command": shlex.join(entry),
        "extra_args": extra,
        "env_vars": "".join(f"{k}={v}\n" for k, v in env.items())
        if env_as_lines
        else env,
        "image_name": draw(images),
        "container_prefix": draw(
            st.from_regex(DOCKER_NAME.pattern[:-2], fullmatch=True).filter(
                lambda p: len(p) < 40
            )
        ),
        "cpu_scope": draw(st.sampled_from(["numa_node", "socket"])),
        "smt_siblings": draw(st.booleans()),
    }
    if draw(st.booleans()):
        table["workdir"] = "/" + draw(text)
    return {"table": table, "entry": entry, "extra": extra, "env": env}


@st.composite
def plans(draw, gpu_count: int = 8) -> list[dict]:
    workload_names = draw(st.lists(names, min_size=1, max_size=4, unique=True))
    return [
        {
            "name": name,
            "kind": draw(st.sampled_from(["training", "inference"])),
            "gpus": draw(
                st.lists(
                    st.integers(0, gpu_count - 1), min_size=1, max_size=4, unique=True
                )
            ),
        }
        for name in workload_names
    ]


def read_plan(entries: list[dict]) -> list:
    workloads = [
        workload_from_mapping(e, "plan.toml", f"workloads[{i}]")
        for i, e in enumerate(entries)
    ]
    check_unique(workloads, "plan.toml")
    return workloads


def small_host(gpus: int = 4) -> Topology:
    """This machine's CPUs as one NUMA node with memory, and GPUs hanging off it."""
    cpus = frozenset(os.sched_getaffinity(0))
    return Topology(
        nodes={0: Node(0, cpus=cpus, memory_mb=4096, socket=0)},
        gpus={i: Gpu(i, numa_node=0, cpus=cpus) for i in range(gpus)},
        sockets={0: cpus},
        sources=["test"],
    )


# A host whose GPUs' NUMA nodes are unknown: no binding, so no wrapper either and
# the entry command's first word starts the shell line.
TOPOLOGIES = {
    "h100": read_topology(H100_DUMP),
    "small": small_host(8),
    "unknown": Topology(gpus={i: Gpu(i) for i in range(8)}),
}
HOST = builtin_host()


def program_tail(preset: dict, workload) -> list[str]:
    return [*preset["entry"], "--workload", workload.name, *preset["extra"]]


def check_wrapper(style: str, argv: list[str], tail: list[str], preset, binding):
    """The style's own words come first, then exactly the program's argv."""
    assert argv[len(argv) - len(tail) :] == tail
    head = argv[: len(argv) - len(tail)]
    if style == "taskset":
        assert head in ([], ["taskset", "-c", binding.cpulist])
    elif style == "numactl":
        assert head == [] or (
            head[0] == "numactl" and all(w.startswith("--") for w in head[1:])
        )
    else:
        assert head[:2] == ["docker", "run"]
        assert head[-1] == preset["table"]["image_name"]
        if "workdir" in preset["table"]:
            assert head[head.index("-w") + 1] == preset["table"]["workdir"]
        passed = [head[i + 1] for i, w in enumerate(head) if w == "-e"]
        assert all(f"{k}={v}" in passed for k, v in preset["env"].items())


def check_item(item, preset: dict) -> None:
    command, style = item.command, item.style
    check_wrapper(
        style, command.argv, program_tail(preset, item.workload), preset, item.binding
    )
    if style != "docker":
        assert preset["env"].items() <= command.env.items()
        assert command.cwd == preset["table"].get("workdir")
    cwd, env, argv = read_shell_line(item.shell)
    assert (cwd, env, argv) == (command.cwd, command.env, command.argv)
    prefix = [] if cwd is None else ["cd", "--", cwd, "&&"]
    assert shlex.split(item.shell) == [
        *prefix,
        *(f"{k}={v}" for k, v in env.items()),
        *argv,
    ]


@settings(max_examples=RENDER_EXAMPLES, **QUIET)
@given(presets(), plans(), st.sampled_from(sorted(TOPOLOGIES)))
def test_rendered_lines_read_back_into_the_argv_env_and_cwd_meant(preset, plan, topo):
    topology = TOPOLOGIES[topo]
    config = config_from_table(preset["table"], "preset.toml")
    as_string = config_from_table(
        {**preset["table"], "extra_args": shlex.join(preset["extra"])}, "preset.toml"
    )
    workloads = read_plan(plan)
    check_config(HOST, config, topology, STYLES, "preset.toml")

    result = render_plan(HOST, config, workloads, topology, STYLES)
    again = render_plan(HOST, as_string, workloads, topology, STYLES)

    assert not result.errors
    assert len(result.commands) == len(workloads) * len(STYLES)
    for item in result.commands:
        check_item(item, preset)
    assert [i.command.argv for i in again.commands] == [
        i.command.argv for i in result.commands
    ]
    listed = json.loads(as_json(result))["commands"]
    for item, entry in zip(result.commands, listed, strict=True):
        assert (entry["argv"], entry["env"], entry["cwd"], entry["shell"]) == (
            item.command.argv,
            item.command.env,
            item.command.cwd,
            item.shell,
        )
    containers = [
        i.command.argv[i.command.argv.index("--name") + 1]
        for i in result.commands
        if i.style == "docker"
    ]
    assert all(DOCKER_NAME.match(name) for name in containers)
    assert len(set(containers)) == len(workloads)


# What no command line can carry, each with the field the error must name.
BAD_KEYS = ["1A", "A-B", "A B", "é"]


@st.composite
def unsafe_presets(draw) -> tuple[dict, str]:
    table = draw(presets())["table"]
    nul = draw(text).join(["", "\0"]) + draw(text)
    field, value = draw(
        st.sampled_from(
            [
                ("entry_command", "prog " + shlex.quote(nul)),
                ("extra_args", [nul]),
                ("extra_args", shlex.quote(nul)),
                ("workdir", "/" + nul),
                ("image_name", nul),
                (
                    "entry_command",
                    shlex.join(
                        [
                            draw(st.sampled_from(["-m", "--x", "-"])),
                            *draw(st.lists(words, max_size=2)),
                        ]
                    ),
                ),
                ("env_vars", {"A": nul}),
                ("env_vars", f"A={nul}\n"),
                ("env_vars", {nul: "x"}),
                ("env_vars", {draw(text) + "\n" + draw(text): "x"}),
                (
                    "env_vars",
                    {draw(st.sampled_from(BAD_KEYS + ["", "A.B", "A=", " A"])): "x"},
                ),
                ("env_vars", f"{draw(st.sampled_from(BAD_KEYS))}=x\n"),
                ("env_vars", "A=1\nA=2\n"),
                ("env_vars", draw(st.sampled_from(["NOEQUALS\n", "A=1\n=x\n"]))),
            ]
        )
    )
    return {**table, field: value}, field


@settings(max_examples=REFUSE_EXAMPLES, **QUIET)
@given(unsafe_presets())
def test_values_no_command_line_can_carry_are_refused_naming_the_field(case):
    table, field = case
    with pytest.raises((InputError, InputErrors)) as caught:
        config_from_table(table, "preset.toml")
    errors = getattr(caught.value, "errors", [caught.value])
    assert any(f"execution.{field}" in str(e) for e in errors), str(caught.value)
    assert all("\n" not in str(e) and "\0" not in str(e) for e in errors)


@settings(max_examples=REFUSE_EXAMPLES // 5, **QUIET)
@given(
    presets(),
    st.one_of(
        text.map(lambda t: "-" + t),
        st.sampled_from(
            ["nvcr.io/x y", "img;rm", "'img'", "$IMG", "img\n", ".img", "/img", "é"]
        ),
    ),
)
def test_image_names_docker_would_misread_are_refused(preset, image):
    config = config_from_table({**preset["table"], "image_name": image}, "p.toml")
    with pytest.raises(InputErrors) as caught:
        check_config(HOST, config, TOPOLOGIES["h100"], ("docker",), "p.toml")
    assert [e.where for e in caught.value.errors] == ["execution.image_name"]


@settings(max_examples=REFUSE_EXAMPLES // 5, **QUIET)
@given(presets(), st.sampled_from(["\0", "\n", "-"]), text)
def test_workload_names_no_command_line_can_carry_are_refused(preset, bad, rest):
    name = ("x" + bad + rest) if bad != "-" else bad + rest
    with pytest.raises(InputError) as caught:
        read_plan([{"name": name, "gpus": [0]}])
    assert "workloads[0].name" in str(caught.value)


@settings(max_examples=NAME_EXAMPLES, **QUIET)
@given(
    st.lists(
        st.tuples(st.sampled_from(["job", "infralens-job", "a.b_c", "X9"]), names),
        min_size=1,
        max_size=12,
    )
)
def test_container_names_follow_docker_grammar_and_stay_unique(pairs):
    context = RenderContext()
    given_names = {pair: context.unique_name(*pair) for pair in pairs}
    made = list(given_names.values())
    assert all(DOCKER_NAME.match(name) for name in made)
    assert len(set(made)) == len(made)
    # Asking again for the same workload gives the same name.
    assert all(context.unique_name(*pair) == name for pair, name in given_names.items())


def bash_syntax_ok(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-n"], input=script.encode(), capture_output=True, timeout=30
    )


@settings(max_examples=SYNTAX_EXAMPLES, **QUIET)
@given(presets(), plans(), st.sampled_from(STYLES))
def test_scripts_pass_bash_syntax_check(preset, plan, style):
    config = config_from_table(preset["table"], "preset.toml")
    result = render_plan(HOST, config, read_plan(plan), TOPOLOGIES["h100"], (style,))
    checked = bash_syntax_ok(as_script(result))
    assert checked.returncode == 0, checked.stderr.decode()


STUB = """#!/bin/bash
# Records what it was started with: argv, environment and directory.
out={out}/$$
printf '%s\\0' "$@" > "$out.argv"
cat /proc/$$/environ > "$out.env"
pwd -P > "$out.cwd"
"""


@pytest.fixture(scope="module")
def stub_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("run")
    # The program's own path needs quoting too.
    home = root / "stub dir $x `;|'\" é"
    home.mkdir()
    return home


# Keys that do not change how bash or the stub itself behaves.
run_env_keys = st.from_regex(r"IL_[A-Za-z0-9_]{0,8}", fullmatch=True)
dir_names = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\0/"),
    min_size=1,
    max_size=12,
).filter(lambda n: n not in (".", "..") and len(n.encode()) < 100)


@settings(max_examples=RUN_EXAMPLES, **QUIET)
@given(data=st.data())
@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash")
def test_scripts_run_hand_the_program_exactly_its_arguments(stub_dir, data):
    style = data.draw(
        st.sampled_from([s for s in ("numactl", "taskset") if shutil.which(s)])
    )
    out = stub_dir / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    stub = stub_dir / "prog 'it'"
    stub.write_text(STUB.format(out=shlex.quote(str(out))))
    stub.chmod(0o755)
    workdir = stub_dir / "wd"
    workdir.mkdir(exist_ok=True)
    workdir = workdir / data.draw(dir_names)
    workdir.mkdir(exist_ok=True)
    args = data.draw(st.lists(words, max_size=4))
    extra = data.draw(st.lists(words, max_size=4))
    env = data.draw(st.dictionaries(run_env_keys, text, max_size=3))
    config = config_from_table(
        {
            "entry_command": shlex.join([str(stub), *args]),
            "extra_args": extra,
            "env_vars": env,
            "workdir": str(workdir),
        },
        "preset.toml",
    )
    workloads = read_plan(data.draw(plans(gpu_count=4)))
    result = render_plan(HOST, config, workloads, small_host(), (style,))
    script = stub_dir / "run.sh"
    script.write_text(as_script(result), encoding="utf-8")

    ran = subprocess.run(
        ["bash", str(script)],
        capture_output=True,
        timeout=60,
        env={"PATH": os.environ["PATH"]},
        cwd=stub_dir,
    )

    assert ran.returncode == 0, ran.stderr.decode(errors="replace")
    seen = {}
    for argv_file in out.glob("*.argv"):
        argv = [w.decode() for w in argv_file.read_bytes().split(b"\0")[:-1]]
        environ = dict(
            e.decode().partition("=")[::2]
            for e in argv_file.with_suffix(".env").read_bytes().split(b"\0")
            if e
        )
        cwd = argv_file.with_suffix(".cwd").read_bytes().decode()[:-1]
        seen[argv[len(args) + 1]] = (argv, environ, cwd)
    assert sorted(seen) == sorted(w.name for w in workloads)
    for item in result.commands:
        argv, environ, cwd = seen[item.workload.name]
        assert argv == [*args, "--workload", item.workload.name, *extra]
        assert item.command.env.items() <= environ.items()
        assert cwd == os.path.realpath(workdir)


def test_the_properties_generate_at_least_ten_thousand_cases():
    assert TOTAL_EXAMPLES >= 10_000


def test_program_named_like_an_assignment_or_keyword_stays_the_program():
    """Fault: with no wrapper in front (binding unknown), an entry command whose
    first word was ``A=b`` or ``time`` went out bare, so a shell read it as an
    assignment or as syntax instead of running it."""
    for first in ("A=b", "time", "if", "_x=", "coproc"):
        config = config_from_table({"entry_command": shlex.join([first, "-v"])}, "p")
        result = render_plan(
            HOST,
            config,
            read_plan([{"name": "w", "gpus": [0]}]),
            TOPOLOGIES["unknown"],
            ("numactl", "taskset"),
        )
        for item in result.commands:
            assert item.command.argv[0] == first
            assert item.shell.split(" ")[-4:] == [f"'{first}'", "-v", "--workload", "w"]
            assert read_shell_line(item.shell)[2] == item.command.argv


def test_entry_command_starting_with_an_option_is_refused():
    """Fault: ``entry_command = "-m torch.distributed.run"`` rendered as
    ``numactl --physcpubind=… -m torch.distributed.run``, where numactl took ``-m``
    for its own --membind."""
    with pytest.raises(InputError) as caught:
        config_from_table({"entry_command": "-m torch.distributed.run"}, "p.toml")
    assert "execution.entry_command" in str(caught.value)
    assert "starts with the option '-m'" in str(caught.value)


def test_workload_name_starting_with_a_dash_is_refused():
    """Fault: a workload named ``-debug`` rendered ``--workload -debug``, which
    argparse reads as a missing value followed by an unknown option."""
    with pytest.raises(InputError) as caught:
        read_plan([{"name": "-debug", "gpus": [0]}])
    assert str(caught.value) == (
        "plan.toml:workloads[0].name: workload name '-debug' starts with '-'"
    )


def test_docker_image_starting_with_a_dash_is_refused():
    """Fault: ``image_name = "--privileged"`` went out after the other options of
    ``docker run``, which read it as one more option."""
    config = config_from_table(
        {"entry_command": "x", "image_name": "--privileged"}, "p.toml"
    )
    with pytest.raises(InputErrors) as caught:
        check_config(HOST, config, TOPOLOGIES["h100"], ("docker",), "p.toml")
    assert "'--privileged' is not an image reference" in str(caught.value)


@pytest.mark.parametrize("key", sorted(BASH_OWNED))
def test_env_keys_bash_keeps_for_itself_are_refused_for_bare_metal(key):
    """Fault: ``env_vars = {UID = "1000"}`` rendered ``UID=1000 numactl …``; bash
    says 'UID: readonly variable' (or silently resets the key) and starts the
    program without it."""
    passed = subprocess.run(
        ["bash", "-c", f"{key}=set-by-preset env"], capture_output=True, text=True
    )
    assert f"{key}=set-by-preset" not in passed.stdout.splitlines()
    bare = config_from_table({"entry_command": "x", "env_vars": {key: "1"}}, "p")
    with pytest.raises(InputErrors) as caught:
        check_config(HOST, bare, TOPOLOGIES["h100"], ("numactl",), "p.toml")
    assert str(caught.value).startswith(f"p.toml:execution.env_vars.{key}: is kept")
    # docker passes it with -e, where bash plays no part.
    docker = config_from_table(
        {
            "entry_command": "x",
            "env_vars": {key: "1"},
            "environment": "docker",
            "image_name": "i",
        },
        "p",
    )
    check_config(HOST, docker, TOPOLOGIES["h100"], ("docker",), "p.toml")
