"""`devkit audit`: what production must not contain, and why it does.

The organisation's deny list (`DENY`: notebooks, test and lint tools, devkit itself) is
checked against the exported selection, by default the main group's closure (what
`devkit export --only main` lists). `[tool.devkit.audit] deny = [...]` adds names or globs,
`allow = [...]` exempts names; names compare canonical (`Jupyter_Core` is `jupyter-core`).
Each denied package found is reported with the shortest chain of requirements from the
project to it, read from the lock.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devkit.env import settings
from devkit.env.dependency_graph import Graph, project_name, shortest_chain
from devkit.env.export import Export
from devkit.env.names import canonical
from devkit.env.project import Project
from devkit.errors import DevkitError

# The organisation's default: what a service's production dependencies never need.
DENY = (
    "jupyter",
    "jupyter-*",
    "jupyterlab",
    "notebook",
    "ipykernel",
    "ipython",
    "ipywidgets",
    "pytest",
    "pytest-*",
    "mypy",
    "ruff",
    "pre-commit",
    "devkit-toolchain",
)
_PATTERN = re.compile(r"[A-Za-z0-9*?]([A-Za-z0-9._*?-]*[A-Za-z0-9*?])?")
_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")


@dataclass(frozen=True)
class Rules:
    """Canonical name globs that are denied, and canonical names exempted from them."""

    deny: tuple[str, ...]
    allow: frozenset[str]

    def denies(self, name: str) -> bool:
        name = canonical(name)
        return name not in self.allow and any(fnmatch.fnmatchcase(name, pattern) for pattern in self.deny)


@dataclass(frozen=True)
class Violation:
    """A denied package and the chain from the project to it: (name, version) pairs, the project's version ""."""

    name: str
    chain: tuple[tuple[str, str], ...]

    def __str__(self) -> str:
        steps = " -> ".join(f"{name} {version}".strip() for name, version in self.chain)
        return f"{self.name}: {steps}"


def rules(pyproject: Mapping[str, Any]) -> Rules:
    """The default deny list with `[tool.devkit.audit]`'s additions and exemptions, each checked."""
    table = settings.table(pyproject, "audit")
    deny = _names(table, "deny", _PATTERN, "a name or a glob such as 'jupyter-*'")
    allow = _names(table, "allow", _NAME, "a package name")
    return Rules(deny=tuple(dict.fromkeys((*DENY, *deny))), allow=frozenset(allow))


def violations(export: Export, graph: Graph, rules: Rules) -> list[Violation]:
    """Every denied package of the export, with its shortest chain from the project."""
    found = []
    for name in export.pins:
        if not rules.denies(name):
            continue
        chain = shortest_chain(graph.edges, graph.project, name, export.pins) or (name,)  # no chain: itself
        steps = tuple((step, export.pins.get(step, "")) for step in chain)
        found.append(Violation(name, steps))
    return found


def _names(table: Mapping[str, Any], key: str, pattern: re.Pattern[str], kind: str) -> list[str]:
    value = table.get(key, [])
    example = f'{key} = ["jupyter-*"]' if key == "deny" else f'{key} = ["ipython"]'
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DevkitError(f"[tool.devkit.audit] {key} in pyproject.toml must be a list of strings, e.g. {example}")
    for item in value:
        if not pattern.fullmatch(item):
            raise DevkitError(
                f"[tool.devkit.audit] {key} in pyproject.toml: {item!r} is not {kind}; fix it, e.g. {example}"
            )
    return [canonical(item) for item in value]


def wanted(
    project: Project, pyproject: Mapping[str, Any], export: Export, environment: Mapping[str, str]
) -> dict[str, str]:
    """What an environment built from `export` holds under `environment`: its pins, and the project if a package.

    The project's version is pyproject.toml's; "" (any version) when it has none there.
    """
    chosen = export.applying(environment)
    if is_package(project, pyproject):
        poetry = pyproject.get("tool", {}).get("poetry", {})
        version = pyproject.get("project", {}).get("version") or poetry.get("version") or ""
        chosen[project_name(project, pyproject)] = str(version)
    return chosen


def is_package(project: Project, pyproject: Mapping[str, Any]) -> bool:
    """Whether the project itself is installed: Poetry's package-mode; for uv, `tool.uv.package` or a build system."""
    tool = pyproject.get("tool", {})
    if project.is_poetry:
        return tool.get("poetry", {}).get("package-mode", True) is not False
    package = tool.get("uv", {}).get("package")
    return package if isinstance(package, bool) else "build-system" in pyproject


def differences(wanted: Mapping[str, str], installed: Mapping[str, str]) -> list[str]:
    """One line per difference: a package extra, missing, or at another version."""
    lines = [f"extra: {name} {installed[name]}" for name in sorted(installed.keys() - wanted.keys())]
    lines += [f"missing: {name} {wanted[name]}".strip() for name in sorted(wanted.keys() - installed.keys())]
    for name in sorted(wanted.keys() & installed.keys()):
        if wanted[name] and not _same_version(wanted[name], installed[name]):
            lines.append(f"other version: {name} {installed[name]} (the lock has {wanted[name]})")
    return lines


def _same_version(one: str, other: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(one) == Version(other)
    except InvalidVersion:
        return one == other
