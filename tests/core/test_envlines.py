import pytest

from infralens_core.envlines import EnvLineError, parse_env_text


def test_env_text_splits_at_first_equals_and_skips_comments():
    text = "\n# comment\nA=1\nURL=http://x/?a=b\nEMPTY=\n"
    assert parse_env_text(text) == {"A": "1", "URL": "http://x/?a=b", "EMPTY": ""}


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("A=1\nnot a pair\n", 2, "not KEY=VALUE"),
        ("A=1\n\nA=2", 3, "duplicate key 'A'"),
        ("1A=x", 1, "must match"),
        ("A-B=x", 1, "must match"),
        ("A=x\0y", 1, "NUL"),
    ],
)
def test_bad_env_line_is_reported_with_its_line_number(text, line, fragment):
    with pytest.raises(EnvLineError) as info:
        parse_env_text(text)
    assert info.value.line == line
    assert fragment in str(info.value)
