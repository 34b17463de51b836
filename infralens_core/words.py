"""Split an entry command into argv the way a POSIX shell splits words.

The rendered command runs its argv directly, so shell syntax inside it would be
passed on as literal text. Operators are refused; expansions are flagged.
"""

from __future__ import annotations

import shlex

OPERATOR_CHARS = frozenset("|&;<>()")


class WordsError(ValueError):
    """Text that cannot become an argv list."""


def split_words(text: str) -> list[str]:
    """Split like ``sh`` would, refusing unbalanced quotes and unquoted operators."""
    if "\0" in text:
        raise WordsError("holds a NUL byte, which no argument can carry")
    operator = _first_unquoted(text, OPERATOR_CHARS)
    if operator is not None:
        raise WordsError(
            f"shell operator {operator!r} is not run by a shell here; put the "
            "pipeline in a script and name the script as the entry command"
        )
    try:
        return shlex.split(text, posix=True)
    except ValueError as exc:  # shlex says "No closing quotation"
        raise WordsError(f"cannot split: {str(exc).lower()}") from None


def unquoted_expansions(text: str) -> list[str]:
    """Return ``$`` or backtick characters a shell would have expanded here."""
    found = _first_unquoted(text, frozenset("$`"), single_only=True)
    return [found] if found else []


def _first_unquoted(
    text: str, chars: frozenset[str], *, single_only: bool = False
) -> str | None:
    """The first char of ``chars`` outside quotes (or outside single quotes)."""
    quote = ""
    escaped = False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quote != "'":
            escaped = True
        elif quote:
            if ch == quote:
                quote = ""
            elif single_only and quote == '"' and ch in chars:
                return ch
        elif ch in "'\"":
            quote = ch
        elif ch in chars:
            return ch
    return None
