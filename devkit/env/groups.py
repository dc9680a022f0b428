"""Dependency groups: which exist, which are optional, which a sync installs (as Poetry does)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devkit.env.stamp import Request
from devkit.errors import UsageError

MAIN = "main"


def defined(pyproject: Mapping[str, Any]) -> dict[str, bool]:
    """Every group the project declares, mapped to whether it is optional."""
    tool_groups: Mapping[str, Any] = pyproject.get("tool", {}).get("poetry", {}).get("group", {})
    names = {MAIN, *tool_groups, *pyproject.get("dependency-groups", {})}
    return {name: bool(tool_groups.get(name, {}).get("optional", False)) for name in sorted(names)}


def select(available: Mapping[str, bool], request: Request) -> tuple[str, ...]:
    """The groups to install: main and every non-optional group, narrowed by the request."""
    for name in (*request.only, *request.with_groups, *request.without):
        if name not in available:
            known = ", ".join(available)
            raise UsageError(f"no dependency group {name!r} in pyproject.toml; the groups are: {known}")
    if request.only:
        chosen = set(request.only)
    else:
        chosen = {name for name, optional in available.items() if not optional}
        chosen |= set(request.with_groups)
    chosen -= set(request.without)
    return tuple(sorted(chosen))


def defined_for_uv(pyproject: Mapping[str, Any]) -> dict[str, bool]:
    """uv's groups: those outside `tool.uv.default-groups` (default: dev) act as optional."""
    names = sorted({MAIN, *pyproject.get("dependency-groups", {})})
    default = pyproject.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
    if default == "all":
        default = names
    return {name: name != MAIN and name not in default for name in names}
