"""Write plain data (mappings, lists, strings, numbers, booleans) as block-style YAML.

Enough for the CI file devkit renders; strings are quoted whenever YAML could read them
as anything but the same string, and a multi-line string in a list is a literal block.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_PLAIN = re.compile(r"^[A-Za-z_./$][A-Za-z0-9_./$ -]*$")
_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "y", "n", "~"}


def dumps(data: Mapping[str, Any]) -> str:
    """YAML text for `data`."""
    return "".join(_mapping(data, 0))


def _mapping(data: Mapping[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, value in data.items():
        if isinstance(value, Mapping) and value:
            lines += [f"{pad}{_scalar(key)}:\n", *_mapping(value, indent + 2)]
        elif isinstance(value, list) and value:
            lines += [f"{pad}{_scalar(key)}:\n", *_sequence(value, indent + 2)]
        else:
            lines.append(f"{pad}{_scalar(key)}: {_scalar(value)}\n")
    return lines


def _sequence(items: list[Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for item in items:
        if isinstance(item, Mapping) and item:
            first, *rest = _mapping(item, indent + 2)
            lines += [f"{pad}- {first.lstrip()}", *rest]
        elif isinstance(item, list) and item:
            lines += [f"{pad}-\n", *_sequence(item, indent + 2)]
        elif isinstance(item, str) and "\n" in item:
            lines += [f"{pad}- |-\n", *(f"{pad}  {line}\n" if line else "\n" for line in item.split("\n"))]
        else:
            lines.append(f"{pad}- {_scalar(item)}\n")
    return lines


def _scalar(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, list):
        return "[]"
    if isinstance(value, str):
        plain = _PLAIN.match(value) and value.lower() not in _RESERVED and not value.endswith(" ")
        return value if plain else json.dumps(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")
