"""Errors the CLI turns into exit codes.

``InputError`` is a user mistake (exit 2); ``PluginError`` a plugin that failed while
serving the style the user asked for (exit 1). Both print as one line.
"""

from __future__ import annotations


class InfralensError(Exception):
    """Base of errors that carry a message fit to show the user as is."""

    exit_code = 1


class InputError(InfralensError):
    """Bad input: a file, line or field the user can fix.

    ``source`` names the file (or ``--option``), ``where`` the line or field in it.
    """

    exit_code = 2

    def __init__(self, source: str, where: str | int | None, message: str) -> None:
        self.source = source
        self.where = where
        self.message = message
        super().__init__(self.__str__())

    def __str__(self) -> str:
        place = self.source
        if self.where not in (None, ""):
            place = f"{place}:{self.where}"
        return f"{place}: {_one_line(self.message)}"


class InputErrors(InfralensError):
    """Several input problems found together, shown one per line."""

    exit_code = 2

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class PluginError(InfralensError):
    """A plugin failed while serving a style that was asked for."""

    exit_code = 1


def _one_line(message: str) -> str:
    # A value echoed back may hold newlines; the contract is one line per error.
    return " ".join(message.split("\n"))
