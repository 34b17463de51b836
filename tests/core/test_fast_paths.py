"""The shortcuts rendering takes for speed give exactly what the plain way gives."""

from __future__ import annotations

import dataclasses
import gc
import shlex

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infralens_core.binding import bind
from infralens_core.command import Command, quote_argv, shell_line
from infralens_core.config import ExecutionConfig
from infralens_core.cpulist import format_cpulist
from infralens_core.errors import InputError, PluginError
from infralens_core.hookspecs import hookimpl
from infralens_core.manager import PluginHost
from infralens_core.plan import Workload
from infralens_core.render import render_plan
from tests.helpers import H100_DUMP, builtin_host, read_topology

# Words mixing what shlex leaves bare with what it must quote, the empty word
# and a non-ASCII letter (which shlex quotes).
WORDS = st.lists(
    st.text(alphabet=st.sampled_from("aZ09_@%+=:,./- '\"$\\\n\té"), max_size=6),
    max_size=8,
)


@given(WORDS)
def test_quote_argv_matches_shlex_for_any_words(argv):
    """Pins a quoting cache that answers for one word with another's quoting."""
    assert quote_argv(argv) == " ".join(map(shlex.quote, argv))


@given(WORDS, st.lists(st.text(max_size=5), max_size=3), st.none() | st.text())
def test_shell_line_splits_back_into_env_and_argv(argv, values, cwd):
    """Pins an env value, cwd or argv word printed other than a shell reads it."""
    argv = argv or ["run"]
    env = {f"V{i}": value for i, value in enumerate(values)}
    line = shell_line(Command(argv=argv, env=env, cwd=cwd))
    words = shlex.split(line)
    if cwd is not None:
        assert words[:3] == ["cd", "--", cwd] and words[3] == "&&"
        words = words[4:]
    assert words == [f"{k}={v}" for k, v in env.items()] + argv


def config(**values):
    return ExecutionConfig.model_validate({"entry_command": "run", **values})


def test_argv_of_each_preset_is_its_own_after_caching():
    """Pins a cached split handing one preset's argv to another, or a shared list."""
    first = config(entry_command="python a.py", extra_args="--x 1")
    second = config(entry_command="python 'b c.py'", extra_args="--y")
    first.entry_argv.append("changed")
    assert first.entry_argv == ["python", "a.py"]
    assert second.entry_argv == ["python", "b c.py"]
    assert (first.extra_argv, second.extra_argv) == (["--x", "1"], ["--y"])


def test_binding_cpulist_follows_its_cpus():
    """Pins a CPU list written once at creation going stale on a changed copy."""
    topology = read_topology(H100_DUMP)
    binding = bind(topology, config(), Workload("job", ("0",)))
    assert binding.cpulist == format_cpulist(binding.cpus)
    narrowed = dataclasses.replace(binding, cpus=frozenset({2, 3, 5}))
    assert narrowed.cpulist == "2-3,5"
    assert dataclasses.replace(binding, cpus=None).cpulist == ""


class _Raising:
    STYLES = ("boom",)

    @hookimpl
    def render_command(self):
        raise RuntimeError("broken on purpose")


@pytest.mark.parametrize("enabled", [True, False])
def test_render_plan_leaves_the_collector_as_it_found_it(enabled):
    """Pins rendering that switches the cycle collector off for good, or on."""
    host = builtin_host()
    host.add("boom", _Raising())
    topology = read_topology(H100_DUMP)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        result = render_plan(
            host, config(), [Workload("job", ("0",))], topology, ("numactl", "boom")
        )
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
    assert [r.style for r in result.commands] == ["numactl"]
    assert isinstance(result.errors[0], PluginError)


def test_render_plan_lets_the_collector_run_again_after_an_exception():
    """Pins an exception inside rendering that leaves the collector switched off."""
    host = PluginHost()
    topology = read_topology(H100_DUMP)
    with pytest.raises(InputError):
        render_plan(host, config(), [Workload("job", ("99",))], topology, ("numactl",))
    assert gc.isenabled()


def test_version_fast_path_prints_what_click_prints():
    """`infralens --version` skips click; both spellings must agree."""
    import subprocess
    import sys
    from pathlib import Path

    from click.testing import CliRunner

    from infralens_core import __version__
    from infralens_core.cli import cli

    script = Path(sys.executable).parent / "infralens"
    fast = subprocess.run([str(script), "--version"], capture_output=True, text=True)
    slow = CliRunner().invoke(cli, ["--version"])
    assert fast.stdout == slow.output == f"infralens {__version__}\n"
