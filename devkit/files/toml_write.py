"""Write plain data (tables, arrays, strings, numbers, booleans) as TOML.

Enough for the config files devkit generates for the tools; the user's own files are
never rewritten with it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for `data`; a list of tables is written as an array of tables."""
    return "".join(_table(data, ()))


def _table(data: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    lines = [f"{_key(key)} = {_value(value)}\n" for key, value in data.items() if not _is_section(value)]
    for key, value in data.items():
        if isinstance(value, Mapping):
            implicit = bool(value) and all(_is_section(item) for item in value.values())
            header = [] if implicit else [f"\n[{_dotted((*path, key))}]\n"]
            lines += [*header, *_table(value, (*path, key))]
        elif _is_section(value):
            for item in value:
                lines += [f"\n[[{_dotted((*path, key))}]]\n", *_table(item, (*path, key))]
    return lines


def _is_section(value: object) -> bool:
    if isinstance(value, Mapping):
        return True
    return isinstance(value, list) and bool(value) and all(isinstance(item, Mapping) for item in value)


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(_key(part) for part in path)


def _key(key: str) -> str:
    bare = key.replace("-", "").replace("_", "").isalnum() and key.isascii()
    return key if bare else json.dumps(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
