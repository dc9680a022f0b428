"""Dependency groups: which exist, which are optional, which a sync installs (as Poetry does)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devkit.env import settings
from devkit.env.names import canonical
from devkit.env.stamp import Request
from devkit.errors import DevkitError, UsageError

MAIN = "main"


def defined(pyproject: Mapping[str, Any]) -> dict[str, bool]:
    """Every group the project declares, by its normalised name, mapped to whether it is optional."""
    tool_groups: Mapping[str, Any] = pyproject.get("tool", {}).get("poetry", {}).get("group", {})
    found = {MAIN: False, **{canonical(name): False for name in pyproject.get("dependency-groups", {})}}
    for name, group in tool_groups.items():
        found[canonical(name)] = bool(group.get("optional", False))
    return dict(sorted(found.items()))


def select(available: Mapping[str, bool], request: Request) -> tuple[str, ...]:
    """The groups to install: main and every non-optional group, narrowed by the request.

    Names compare normalised, as Poetry compares them: `--with github_actions` is the
    group `github-actions`.
    """
    for name in (*request.only, *request.with_groups, *request.without):
        if canonical(name) not in available:
            known = ", ".join(available)
            raise UsageError(f"no dependency group {name!r} in pyproject.toml; the groups are: {known}")
    if request.only:
        chosen = {canonical(name) for name in request.only}
    else:
        chosen = {name for name, optional in available.items() if not optional}
        chosen |= {canonical(name) for name in request.with_groups}
    chosen -= {canonical(name) for name in request.without}
    return tuple(sorted(chosen))


def defined_extras(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """The project's extras, normalised: `[project.optional-dependencies]` and `[tool.poetry.extras]`."""
    names = {*pyproject.get("project", {}).get("optional-dependencies", {})}
    names |= {*pyproject.get("tool", {}).get("poetry", {}).get("extras", {})}
    return tuple(sorted({canonical(str(name)) for name in names}))


def select_extras(available: Sequence[str], request: Request) -> tuple[str, ...]:
    """The extras to install: every one with `all_extras`, else those requested, each checked."""
    for name in request.extras:
        if canonical(name) not in available:
            known = ", ".join(available) or "none"
            raise UsageError(f"no extra {name!r} in pyproject.toml; the extras are: {known}")
    return tuple(available) if request.all_extras else tuple(sorted({canonical(name) for name in request.extras}))


def with_defaults(pyproject: Mapping[str, Any], request: Request) -> Request:
    """The request on top of the project's default selection in `[tool.devkit]`.

    `with = [...]` adds optional groups and `extras = [...]` (or `all-extras = true`)
    extras, as if given on every command line; options add to them, `--without` removes
    a group again and `--only` names the groups alone (the default extras still apply).
    """
    default_groups = settings.string_list(pyproject, "with", '["dev"]') or []
    default_extras = settings.string_list(pyproject, "extras", '["serve"]') or []
    all_extras = settings.table(pyproject).get("all-extras", False)
    if not isinstance(all_extras, bool):
        raise DevkitError(f"[tool.devkit] all-extras = {all_extras!r} in pyproject.toml must be true or false")
    return request._replace(
        with_groups=tuple(sorted({*map(canonical, default_groups), *request.with_groups})),
        extras=tuple(sorted({*map(canonical, default_extras), *request.extras})),
        all_extras=request.all_extras or all_extras,
    )


def defined_for_uv(pyproject: Mapping[str, Any]) -> dict[str, bool]:
    """uv's groups: those outside `tool.uv.default-groups` (default: dev) act as optional."""
    names = sorted({MAIN, *map(canonical, pyproject.get("dependency-groups", {}))})
    default = pyproject.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
    default = names if default == "all" else [canonical(str(name)) for name in default]
    return {name: name != MAIN and name not in default for name in names}
