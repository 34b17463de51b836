import json
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from infralens_core.cli import cli

DATA = Path(__file__).resolve().parents[1] / "data" / "topologies"


@pytest.fixture
def invoke():
    def run(*args: str, env: dict | None = None):
        runner = CliRunner()
        return runner.invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


@pytest.fixture
def dump():
    def path(name: str) -> str:
        return str(DATA / f"{name}.txt")

    return path


@pytest.fixture
def preset(tmp_path):
    def write(body: str, name: str = "preset.toml") -> str:
        path = tmp_path / name
        path.write_text(body, encoding="utf-8")
        return str(path)

    return write


def render_json(invoke, *args):
    result = invoke("render", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def split_line(line: str):
    """Split a rendered shell line back into (cwd, env, argv)."""
    words = shlex.split(line)
    cwd = None
    if words[:2] == ["cd", "--"]:
        assert words[3] == "&&"
        cwd, words = words[2], words[4:]
    env = {}
    while words and "=" in words[0] and words[0].split("=", 1)[0].isidentifier():
        key, value = words.pop(0).split("=", 1)
        env[key] = value
    return cwd, env, words
