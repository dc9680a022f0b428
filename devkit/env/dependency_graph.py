"""Who requires whom, read from the lock: the edges `devkit audit` follows to explain a package.

The project is a node of its own, with an edge to each direct requirement of the
selected groups and extras (from pyproject.toml for poetry.lock, from the project's own
entry for uv.lock). Every locked package has an edge to each of its dependencies.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devkit.env.groups import MAIN
from devkit.env.names import canonical, requirement_name
from devkit.env.project import Project


@dataclass(frozen=True)
class Graph:
    """The project's canonical name and every node's dependencies, by canonical name."""

    project: str
    edges: Mapping[str, tuple[str, ...]]


def read(project: Project, pyproject: Mapping[str, Any], groups: Sequence[str], extras: Sequence[str]) -> Graph:
    """The graph of the project's lock, the project's edges those of `groups` and `extras`."""
    name = project_name(project, pyproject)
    if project.is_poetry:
        from devkit.env.locks import poetry_lock

        edges = _merged((canonical(p.name), p.dependencies) for p in poetry_lock.read(project.lock).packages)
        edges[name] = tuple(sorted(_poetry_direct(pyproject, groups, extras)))
        return Graph(name, edges)
    from devkit.env.locks import uv_lock

    packages = uv_lock.read(project.lock).packages
    edges = _merged((canonical(p.name), (*p.dependencies, *_flat(p.optional_dependencies.values()))) for p in packages)
    own = next((p for p in packages if canonical(p.name) == name), None)
    if own is not None:
        wanted = [
            *(own.dependencies if MAIN in groups else ()),
            *_flat(own.optional_dependencies.get(e, ()) for e in extras),
        ]
        wanted += _flat(own.dev_dependencies.get(group, ()) for group in groups)
        edges[name] = tuple(sorted(set(wanted)))
    return Graph(name, edges)


def shortest_chain(
    edges: Mapping[str, Sequence[str]], start: str, goal: str, allowed: Container[str]
) -> tuple[str, ...] | None:
    """The shortest path `start` ... `goal` along `edges` through `allowed` nodes; None when there is none."""
    previous: dict[str, str] = {start: start}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while path[-1] != start:
                path.append(previous[path[-1]])
            return tuple(reversed(path))
        for following in edges.get(node, ()):
            if following not in previous and following in allowed:
                previous[following] = node
                queue.append(following)
    return None


def project_name(project: Project, pyproject: Mapping[str, Any]) -> str:
    """`[project] name`, else `[tool.poetry] name`, else the project's folder name; canonical."""
    poetry = pyproject.get("tool", {}).get("poetry", {})
    name = pyproject.get("project", {}).get("name") or poetry.get("name") or project.root.name
    return canonical(str(name))


def _merged(pairs: Iterable[tuple[str, Sequence[str]]]) -> dict[str, tuple[str, ...]]:
    """Edges by node; a package locked twice (under exclusive markers) has both entries' edges."""
    merged: dict[str, set[str]] = {}
    for name, dependencies in pairs:
        merged.setdefault(name, set()).update(dependencies)
    return {name: tuple(sorted(targets)) for name, targets in merged.items()}


def _flat(lists: Iterable[Sequence[str]]) -> list[str]:
    return [item for names in lists for item in names]


def _poetry_direct(pyproject: Mapping[str, Any], groups: Sequence[str], extras: Sequence[str]) -> set[str]:
    """The project's direct requirements in `groups` and `extras`, as pyproject.toml declares them."""
    project, poetry = pyproject.get("project", {}), pyproject.get("tool", {}).get("poetry", {})
    names: set[str] = set()
    if MAIN in groups:
        names |= _requirement_names(project.get("dependencies", []))
        declared = poetry.get("dependencies", {})
        names |= {key for key, value in declared.items() if key != "python" and not _optional(value)}
    optional, poetry_extras = project.get("optional-dependencies", {}), poetry.get("extras", {})
    for extra in extras:
        names |= _requirement_names(_by_name(optional, extra, []))
        names |= _requirement_names(_by_name(poetry_extras, extra, []))
    for group in groups:
        names |= set(_by_name(poetry.get("group", {}), group, {}).get("dependencies", {}))
        names |= _requirement_names(_group_requirements(pyproject.get("dependency-groups", {}), group, set()))
    return {canonical(name) for name in names}


def _group_requirements(table: Mapping[str, Any], group: str, seen: set[str]) -> list[str]:
    """A PEP 735 group's requirement strings, its `{include-group = "..."}` entries followed."""
    seen.add(canonical(group))
    found: list[str] = []
    for item in _by_name(table, group, []):
        included = item.get("include-group") if isinstance(item, Mapping) else None
        if isinstance(included, str) and canonical(included) not in seen:
            found += _group_requirements(table, included, seen)
        elif isinstance(item, str):
            found.append(item)
    return found


def _by_name(table: Mapping[str, Any], name: str, default: Any) -> Any:
    """The value of the key of `table` whose canonical form is `name`'s."""
    return next((value for key, value in table.items() if canonical(key) == canonical(name)), default)


def _requirement_names(requirements: object) -> set[str]:
    """The names at the start of requirement strings (PEP 508), or a list of bare names."""
    items = requirements if isinstance(requirements, list) else []
    return {name for item in items if (name := requirement_name(item))}


def _optional(value: object) -> bool:
    return isinstance(value, Mapping) and value.get("optional") is True
