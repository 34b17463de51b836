"""The plugin host: registering plugins, routing each style to its own plugin."""

import pytest

from infralens_core import hookimpl
from infralens_core.command import Command
from infralens_core.errors import InputError, InputErrors
from infralens_core.manager import PluginHost, Problem, build_host
from infralens_core.render import check_config, render_plan
from plugins.support import DGX_A100, config, topology, workload


class Echo:
    """Renders ``echo STYLE`` and sees only the arguments it names."""

    def __init__(self, *styles: str) -> None:
        self.STYLES = styles
        self.seen: list[str] = []

    @hookimpl
    def render_command(self, style, binding):
        self.seen.append(style)
        return Command(argv=["echo", style, binding.cpulist])


class Picky(Echo):
    @hookimpl
    def validate_config(self, style, config):
        return (
            [Problem("workdir", f"{style} needs a workdir")]
            if not config.workdir
            else []
        )


def test_fresh_host_has_no_plugins_until_added():
    """Pins a host built at import time that tests would have to reload."""
    assert build_host(entry_points=False).styles == {}
    first, second = PluginHost(), PluginHost()
    first.add("echo", Echo("a"))
    assert second.styles == {} and list(first.styles) == ["a"]


def test_each_style_goes_to_its_own_plugin_only():
    ab, c = Echo("a", "b"), Echo("c")
    host = PluginHost()
    host.add("ab", ab)
    host.add("c", c)
    result = render_plan(
        host, config(), [workload("job", 0)], topology(DGX_A100), ("b", "c", "a")
    )
    assert [r.command.argv[1] for r in result.commands] == ["b", "c", "a"]
    assert ab.seen == ["b", "a"] and c.seen == ["c"]


def test_a_hook_gets_only_the_arguments_it_names():
    host = PluginHost()
    host.add("echo", Echo("a"))
    result = render_plan(
        host, config(), [workload("job", 0)], topology(DGX_A100), ("a",)
    )
    assert result.commands[0].command.argv == ["echo", "a", "48-63,176-191"]


def test_problems_of_core_and_plugins_are_reported_together():
    host = PluginHost()
    host.add("picky", Picky("p", "q"))
    cfg = config(env_vars={"CUDA_VISIBLE_DEVICES": "0"})
    with pytest.raises(InputErrors) as caught:
        check_config(host, cfg, topology(DGX_A100), ("p", "q"), "preset.toml")
    assert [(e.source, e.where, e.message) for e in caught.value.errors] == [
        (
            "preset.toml",
            "execution.env_vars.CUDA_VISIBLE_DEVICES",
            "is set from the plan's GPUs; remove it here",
        ),
        ("preset.toml", "execution.workdir", "p needs a workdir"),
        ("preset.toml", "execution.workdir", "q needs a workdir"),
    ]


def test_plugin_without_validate_config_accepts_every_preset():
    host = PluginHost()
    host.add("echo", Echo("a"))
    assert host.validate("a", config(), topology(DGX_A100)) == []


def test_unknown_style_names_the_installed_ones():
    host = PluginHost()
    host.add("echo", Echo("b", "a"))
    with pytest.raises(InputError, match=r"unknown style; installed styles: a, b"):
        host.plugin_for("nope")


def test_a_style_may_be_a_plain_string():
    host = PluginHost()
    plugin = Echo()
    plugin.STYLES = "solo"
    host.add("solo", plugin)
    assert list(host.styles) == ["solo"]


def test_disabling_an_unknown_plugin_name_is_flagged_not_listed(monkeypatch):
    """A typo in INFRALENS_DISABLE_PLUGINS was listed as 'disabled', hiding it."""
    from click.testing import CliRunner

    from infralens_core.cli import cli

    monkeypatch.setenv("INFRALENS_DISABLE_PLUGINS", "taskset,tasket")
    result = CliRunner().invoke(cli, ["plugins"])
    assert result.exit_code == 0
    assert "taskset: disabled" in result.stdout
    assert "tasket" not in result.stdout
    assert "names 'tasket', but no installed plugin" in result.stderr
