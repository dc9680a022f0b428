"""pyproject.toml as the environment reads it, each field it uses checked for its type.

The fields that decide what a sync installs: [project] requires-python, the
[dependency-groups] table, [tool.poetry] package-mode, dependencies.python, its groups
(`optional`) and sources, and [tool.uv] default-groups. A value of the wrong type is one
DevkitError naming pyproject.toml and the key, raised before anything is installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devkit.files import fields, toml_file

ADVICE = "fix it in pyproject.toml and run again"


def read(path: Path) -> dict[str, Any]:
    """Parse pyproject.toml and check the fields the environment reads."""
    data = toml_file.load(path)
    check(data, path.name)
    return data


def check(data: Mapping[str, Any], name: str = "pyproject.toml") -> None:
    """Raise DevkitError, naming the key, when a field the environment reads has the wrong type."""
    top = fields.Table(data, name, "", ADVICE)
    top.table("project", {}).string("requires-python", "")
    groups = top.table("dependency-groups", {})
    for group in groups.data:
        groups.get(group, "a list of requirements", lambda value: isinstance(value, list))
    tool = top.table("tool", {})
    _check_poetry(tool.table("poetry", {}))
    tool.table("uv", {}).get("default-groups", 'a list of group names or "all"', _is_default_groups, "all")
    tool.table("devkit", {})


def _check_poetry(poetry: fields.Table) -> None:
    poetry.boolean("package-mode", True)
    poetry.table("dependencies", {}).string("python", "")
    groups = poetry.table("group", {})
    for name in groups.data:
        group = groups.table(name)
        group.boolean("optional", False)
        group.table("dependencies", {})
    for source in poetry.tables("source", []):
        source.string("name")
        source.string("url", "")
        source.string("priority", "")


def _is_default_groups(value: object) -> bool:
    return value == "all" or fields.is_line_list(value)
