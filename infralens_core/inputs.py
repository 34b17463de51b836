"""Reading presets and plans from files, with errors that name file and line."""

from __future__ import annotations

import difflib
import json
import re
from typing import TYPE_CHECKING

from infralens_core.errors import InputError, InputErrors
from infralens_core.plan import Workload, check_unique, workload_from_mapping
from infralens_core.textfile import read_text

if TYPE_CHECKING:
    from infralens_core.config import ExecutionConfig


def parse_toml(text: str, source: str) -> dict:
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(
            r"\s*\(at (line \d+, column \d+|end of document)\)", "", message
        )
        raise InputError(source, line, f"invalid TOML: {message}") from None
    except RecursionError:
        raise InputError(source, None, "invalid TOML: nested too deeply") from None


def load_preset(path: str) -> ExecutionConfig:
    """Read the ``[execution]`` table of a preset file."""
    text = read_text(path)
    data = parse_toml(text, path)
    table = data.get("execution")
    if table is None:
        raise InputError(path, None, "has no [execution] table")
    if not isinstance(table, dict):
        raise InputError(path, "execution", "must be a table")
    return config_from_table(table, path, text)


def config_from_table(table: dict, source: str, text: str = "") -> ExecutionConfig:
    """Validate a table into ExecutionConfig; every problem becomes one InputError."""
    from pydantic import ValidationError

    from infralens_core.config import ExecutionConfig

    try:
        return ExecutionConfig.model_validate(table)
    except ValidationError as exc:
        errors = [_field_error(e, source, text) for e in _one_per_field(exc.errors())]
        raise (errors[0] if len(errors) == 1 else InputErrors(errors)) from None


# A field that takes either of two types gets one error per type from pydantic;
# the user needs one sentence saying what the field takes.
UNION_TYPES = {
    "env_vars": "must be KEY=VALUE lines (a string) or a table of string values",
    "extra_args": "must be a string or a list of strings",
}


def _one_per_field(errors: list[dict]) -> list[dict]:
    """One error per field; a key misspelled as a known one hides its 'missing'."""
    from infralens_core.config import ExecutionConfig

    hinted = {
        close[0]
        for e in errors
        if e["type"] == "extra_forbidden" and e["loc"]
        for close in [
            difflib.get_close_matches(
                str(e["loc"][0]), ExecutionConfig.model_fields, n=1
            )
        ]
        if close
    }
    kept: dict[str, dict] = {}
    for error in errors:
        field = str(error["loc"][0]) if error["loc"] else ""
        if error["type"] == "missing" and field in hinted:
            continue
        if field in kept and field in UNION_TYPES:
            kept[field] = {**error, "type": "union_type", "msg": UNION_TYPES[field]}
        else:
            kept.setdefault(field, error)
    return list(kept.values())


def _field_error(error: dict, source: str, text: str) -> InputError:
    from infralens_core.config import ExecutionConfig

    loc = [str(part) for part in error["loc"]]
    field = loc[0] if loc else ""
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(field, ExecutionConfig.model_fields, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        message = f"unknown key{hint}"
    elif error["type"] == "missing":
        message = "is required"
    where = f"execution.{field}" if field else "execution"
    line = _line_of_key(text, field) if field else None
    if line is not None:
        line, message = _line_in_value(text, line, message)
        return InputError(source, line, f"{where}: {message}")
    return InputError(source, where, message)


def _line_in_value(text: str, key_line: int, message: str) -> tuple[int, str]:
    """Point an env_vars "line N" error at the file's own line where we can.

    A multi-line string that opens with a newline right after its quotes starts
    its first line on the next line of the file (TOML drops that newline).
    """
    match = re.match(r"line (\d+): ", message)
    opening = text.splitlines()[key_line - 1].rstrip()
    if match and opening.endswith(('"""', "'''")):
        inner = int(match.group(1))
        return key_line + inner, f"line {inner} of the value: {message[match.end() :]}"
    return key_line, message


def _line_of_key(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE)
    match = pattern.search(text)
    return text[: match.start()].count("\n") + 1 if match else None


def load_plan(path: str) -> list[Workload]:
    """Read a TOML or JSON plan file into workloads."""
    text = read_text(path)
    if not text.strip():
        raise InputError(path, None, "is empty; a plan lists at least one workload")
    entries = _plan_entries(text, path)
    if not entries:
        raise InputError(path, "workloads", "is empty; list at least one workload")
    workloads, errors = [], []
    for i, entry in enumerate(entries):
        try:
            workloads.append(workload_from_mapping(entry, path, f"workloads[{i}]"))
        except InputError as exc:  # report every bad workload, not the first
            errors.append(exc)
    if errors:
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    check_unique(workloads, path)
    return workloads


def _plan_entries(text: str, path: str) -> list:
    if _is_json(text, path):
        data = _parse_json(text, path)
    else:
        data = parse_toml(text, path)
    if isinstance(data, dict):
        unknown = set(data) - {"workloads"}
        if unknown:
            raise InputError(
                path, sorted(unknown)[0], "unknown key; a plan holds only 'workloads'"
            )
        data = data.get("workloads", [])
    if not isinstance(data, list):
        raise InputError(path, "workloads", "must be a list of workload tables")
    return data


def _is_json(text: str, path: str) -> bool:
    """JSON by extension; otherwise by its start, where TOML's ``[[workloads]]``
    and ``[table]`` also open with a bracket, but JSON's list holds ``{`` or ``]``.
    """
    if path.endswith((".json", ".toml")):
        return path.endswith(".json")
    head = text.lstrip()
    if head.startswith("{"):
        return True
    return head.startswith("[") and head[1:].lstrip()[:1] in ("{", "]")


def _unique_keys(pairs: list[tuple[str, object]]) -> dict:
    # JSON lets a key repeat and keeps the last; a plan should not hide a typo.
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"key {key!r} appears twice in one object")
        out[key] = value
    return out


def _parse_json(text: str, path: str) -> object:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise InputError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:  # a repeated key, from _unique_keys
        raise InputError(path, None, f"invalid JSON: {exc}") from None
    except RecursionError:
        raise InputError(path, None, "invalid JSON: nested too deeply") from None
