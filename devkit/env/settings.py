"""`[tool.devkit]` in pyproject.toml: each setting read with its type checked.

A value of the wrong type is a one-line error naming the key, never a traceback later.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devkit.errors import DevkitError


def table(pyproject: Mapping[str, Any], *keys: str) -> Mapping[str, Any]:
    """The table `[tool.devkit]` (or `[tool.devkit.KEY...]`); empty when absent."""
    current: Mapping[str, Any] = pyproject
    path: list[str] = []
    for key in ("tool", "devkit", *keys):
        path.append(key)
        value = current.get(key, {})
        if not isinstance(value, Mapping):
            raise DevkitError(f"[{'.'.join(path)}] in pyproject.toml must be a table, not {value!r}")
        current = value
    return current


def string_list(pyproject: Mapping[str, Any], key: str, example: str) -> list[str] | None:
    """`[tool.devkit] KEY` as a list of strings; None when it is not set."""
    value = table(pyproject).get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DevkitError(f"[tool.devkit] {key} in pyproject.toml must be a list of strings, e.g. {key} = {example}")
    return value
