"""Every hook is documented, in its docstring and in docs/plugins.md, and tested.

A hook added without a word for plugin authors, or without a test plugin that
implements it, fails here.
"""

import inspect
from pathlib import Path

import pytest

from infralens_core import hookspecs

ROOT = Path(__file__).resolve().parents[2]
HOOKS = sorted(
    name for name, value in vars(hookspecs).items() if hasattr(value, "infralens_spec")
)


def test_the_hooks_are_found():
    assert HOOKS == ["render_command", "validate_config"]


@pytest.mark.parametrize("hook", HOOKS)
def test_docstring_names_every_parameter_and_the_return(hook):
    spec = getattr(hookspecs, hook)
    doc = inspect.getdoc(spec) or ""
    for param in inspect.signature(spec).parameters:
        assert f":param {param}:" in doc, f"{hook}: {param} is not documented"
    assert ":return:" in doc, f"{hook}: the return value is not documented"


@pytest.mark.parametrize("hook", HOOKS)
def test_docs_page_has_a_section_naming_every_parameter(hook):
    text = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    heading = f"### `{hook}("
    assert heading in text, f"docs/plugins.md has no section {heading}"
    section = text.split(heading, 1)[1].split("\n### ", 1)[0]
    for param in inspect.signature(getattr(hookspecs, hook)).parameters:
        assert f"`{param}`" in section, f"docs/plugins.md: {hook} lacks {param}"


@pytest.mark.parametrize("hook", HOOKS)
def test_some_test_plugin_implements_the_hook(hook):
    here = Path(__file__).parent
    sources = [p.read_text(encoding="utf-8") for p in here.glob("test_*.py")]
    assert any(f"def {hook}(" in s for s in sources), f"no test implements {hook}"
