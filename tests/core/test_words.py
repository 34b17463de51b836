import pytest

from infralens_core.words import WordsError, split_words, unquoted_expansions


def test_words_split_like_a_posix_shell():
    assert split_words("python 'my script.py' --name \"a b\" x\\ y") == [
        "python",
        "my script.py",
        "--name",
        "a b",
        "x y",
    ]


@pytest.mark.parametrize(
    "text", ["a | b", "a && b", "a; b", "a > out", "a < in", "sleep 1 &", "(a)"]
)
def test_unquoted_shell_operator_is_refused(text):
    with pytest.raises(WordsError, match="shell operator"):
        split_words(text)


@pytest.mark.parametrize("text", ["echo 'a | b'", 'echo "x;y"', "echo a\\;b"])
def test_quoted_operator_is_a_plain_argument(text):
    assert len(split_words(text)) == 2


def test_unbalanced_quote_is_refused():
    with pytest.raises(WordsError, match="no closing quotation"):
        split_words("python 'train.py")


def test_unquoted_dollar_is_flagged_but_single_quoted_is_not():
    assert unquoted_expansions("python $HOME/x") == ["$"]
    assert unquoted_expansions('python "$HOME"') == ["$"]
    assert unquoted_expansions("python '$HOME'") == []
