"""Typed reads of parsed TOML: a value of the wrong type or a missing key is one DevkitError.

The message names the file, the place in it, the key and the value found, then says what
to do: ``poetry.lock: [[package]] 3 (numpy): groups must be a list of strings, got 'main':
run `poetry lock` to rewrite the lock``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from devkit.errors import DevkitError

MISSING: Any = object()  # the default of a key that must be present
_SHOWN = 60


class Table:
    """One table of a file, read key by key with type checks."""

    def __init__(self, data: Mapping[str, Any], file: str, where: str, advice: str, prefix: str = "") -> None:
        self.data = data
        self.file = file
        self.where = where
        self.advice = advice
        self.prefix = prefix

    def error(self, key: str, problem: str, label: str = "") -> DevkitError:
        """The error for `key` of this table: `FILE: WHERE: KEY PROBLEM: ADVICE`."""
        place = "".join(f"{part}: " for part in (self.file, self.where) if part)
        return DevkitError(f"{place}{label or self.prefix + key} {problem}: {self.advice}")

    def get(self, key: str, kind: str, accept: Callable[[Any], bool], default: Any = MISSING, label: str = "") -> Any:
        """The value of `key` when `accept` takes it; `default` when it is missing."""
        value = self.data.get(key, MISSING)
        if value is MISSING:
            if default is MISSING:
                raise self.error(key, "is missing", label)
            return default
        if not accept(value):
            raise self.error(key, f"must be {kind}, got {shown(value)}", label)
        return value

    def at(self, where: str) -> Table:
        """This table, named `where` in messages."""
        return Table(self.data, self.file, where, self.advice, self.prefix)

    def string(self, key: str, default: Any = MISSING) -> str:
        """A string on one line: no control characters."""
        value: str = self.get(key, "a string on one line", is_line, default)
        return value

    def matching(self, key: str, pattern: re.Pattern[str], kind: str, default: Any = MISSING) -> str:
        """A string that `pattern` matches in full."""
        value: str = self.get(key, kind, lambda item: isinstance(item, str) and bool(pattern.fullmatch(item)), default)
        return value

    def boolean(self, key: str, default: Any = MISSING) -> bool:
        value: bool = self.get(key, "true or false", lambda item: isinstance(item, bool), default)
        return value

    def integer(self, key: str, default: Any = MISSING) -> int:
        value: int = self.get(key, "an integer", lambda item: type(item) is int, default)
        return value

    def strings(self, key: str, default: Any = MISSING) -> tuple[str, ...]:
        """A list of one-line strings."""
        return tuple(self.get(key, "a list of strings", is_line_list, default))

    def table(self, key: str, default: Any = MISSING) -> Table:
        """A sub-table; its keys are named `KEY.SUBKEY` in messages."""
        value = self.get(key, "a table", is_table, default)
        return Table(value, self.file, self.where, self.advice, f"{self.prefix}{key}.")

    def tables(self, key: str, default: Any = MISSING) -> list[Table]:
        """A list of tables; the keys of item N are named `KEY[N].SUBKEY` (N from 1)."""
        value = self.get(key, "a list of tables", lambda item: is_list_of(item, is_table), default)
        place = f"{self.prefix}{key}"
        return [Table(item, self.file, self.where, self.advice, f"{place}[{n}].") for n, item in enumerate(value, 1)]

    def section(self, key: str, default: Any = MISSING) -> Table:
        """A top-level table `[KEY]`: its keys are named after it in messages."""
        value = self.get(key, "a table", is_table, default, label=f"[{key}]")
        return Table(value, self.file, f"[{key}]", self.advice)

    def sections(self, key: str, default: Any = MISSING) -> list[Table]:
        """An array of tables `[[KEY]]`: item N is named `[[KEY]] N` (N from 1) in messages."""
        value = self.get(key, "a list of tables", lambda item: is_list_of(item, is_table), default, f"[[{key}]]")
        return [Table(item, self.file, f"[[{key}]] {n}", self.advice) for n, item in enumerate(value, 1)]


def is_line(value: object) -> bool:
    """A string without control characters (a newline would start another line of a file devkit writes)."""
    return isinstance(value, str) and not any(ord(char) < 32 or char == "\x7f" for char in value)


def is_table(value: object) -> bool:
    return isinstance(value, Mapping) and all(isinstance(key, str) for key in value)


def is_list_of(value: object, accept: Callable[[object], bool]) -> bool:
    return isinstance(value, list) and all(accept(item) for item in value)


def is_line_list(value: object) -> bool:
    return is_list_of(value, is_line)


def shown(value: object) -> str:
    """A value as a message shows it: on one line, cut short when long."""
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 3] + "..."
