"""devkit in the project's dev group, and the pins of the tools it provides taken out.

Poetry: `[tool.poetry.group.dev.dependencies]`; uv (PEP 735): `[dependency-groups] dev`,
with `[tool.uv.sources]` for a path or git source. The edits go through tomlkit, so the
rest of pyproject.toml keeps its comments and layout.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

import tomlkit
from tomlkit.items import Array
from tomlkit.toml_document import TOMLDocument

from devkit.env.names import canonical, requirement_name
from devkit.errors import DevkitError, UsageError
from devkit.files import toml_file

DEVKIT = "devkit-toolchain"
PROVIDED = ("ruff", "mypy", "pytest", "pytest-cov", "coverage", "pre-commit", "uv")


class Source(NamedTuple):
    """Where the project takes devkit from: a version spec, a folder or a git URL."""

    kind: str  # "index", "path" or "git"
    value: str  # ">=0.1", a folder relative to the project root, or a git URL
    ref: str | None = None


def source(spec: str | None, root: Path) -> Source:
    """The source `--from SPEC` names; without it, `>=X.Y` of the running devkit."""
    if spec is None:
        return Source("index", f">={_running_version()}")
    if spec.startswith("git+"):
        url = spec[len("git+") :]
        url, _, ref = url.rpartition("@") if "@" in url.rsplit("/", 1)[-1] else (url, "", "")
        return Source("git", url, ref or None)
    folder = Path(spec).resolve()
    if not (folder / "pyproject.toml").is_file():
        raise UsageError(f"--from {spec}: no pyproject.toml there: name devkit's source folder or a git+URL")
    return Source("path", Path(os.path.relpath(folder, root)).as_posix())


def _running_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        release = version(DEVKIT).split(".")
    except PackageNotFoundError:
        raise DevkitError(
            f"this devkit runs from source ({DEVKIT} is not installed), so there is no version to require: "
            "pass --from PATH (its folder) or --from git+URL"
        ) from None
    return ".".join(release[:2])


def is_poetry(root: Path, document: TOMLDocument) -> bool:
    """Whether the project is Poetry's: its lock, else a [tool.poetry] table without uv.lock."""
    if (root / "poetry.lock").is_file() or (root / "uv.lock").is_file():
        return (root / "poetry.lock").is_file()
    return "poetry" in document.get("tool", {})


# devkit's own Python floor, as the dev group's requirement carries it for a project that
# admits older Pythons: Poetry and uv resolve every Python the project admits.
PYTHON_FLOOR = "3.11"


def present(document: TOMLDocument) -> bool:
    """Whether the dev group names devkit already: the project adopted it before."""
    tool = document.get("tool", {})
    poetry = tool.get("poetry", {}) if isinstance(tool, Mapping) else {}
    group = poetry.get("group", {}).get("dev", {}).get("dependencies", {}) if isinstance(poetry, Mapping) else {}
    groups = document.get("dependency-groups", {})
    uv = groups.get("dev", []) if isinstance(groups, Mapping) else []
    in_poetry = isinstance(group, Mapping) and DEVKIT in group
    return in_poetry or (isinstance(uv, list) and any(requirement_name(entry) == DEVKIT for entry in uv))


def add_devkit(document: TOMLDocument, wanted: Source, *, poetry: bool, floor: bool) -> list[str]:
    """Put devkit in the dev group and take out the tools it provides; the lines to report.

    With `floor`, devkit's requirement holds only on the Pythons devkit runs on.
    """
    return _poetry(document, wanted, floor) if poetry else _uv(document, wanted, floor)


def _poetry(document: TOMLDocument, wanted: Source, floor: bool) -> list[str]:
    group = _table(document, "tool", "poetry", "group", "dev", "dependencies")
    notes = []
    poetry = document.get("tool", {}).get("poetry", {})
    # Poetry resolves every group together: a pin of devkit's tools in any group clashes.
    tables = {f"the {name} group": table.get("dependencies") for name, table in poetry.get("group", {}).items()}
    tables["the dev group"] = group
    tables["[tool.poetry.dev-dependencies]"] = poetry.get("dev-dependencies")
    for place, table in tables.items():
        for name in [key for key in (table if isinstance(table, MutableMapping) else {}) if canonical(key) in PROVIDED]:
            del table[name]
            notes.append(f"removed {name} from {place}: devkit provides it")
    value: Any = wanted.value
    if wanted.kind != "index" or floor:
        value = tomlkit.inline_table()
        value.update(_poetry_source(wanted))
        value.update({"python": f">={PYTHON_FLOOR}"} if floor else {})
    current = group.get(DEVKIT)
    if current is None or toml_file.plain(current) != toml_file.plain(value):
        group[DEVKIT] = value
        notes.append(f"{DEVKIT} {_shown(wanted)} in the dev group [tool.poetry.group.dev.dependencies]")
    return notes


def _poetry_source(wanted: Source) -> dict[str, Any]:
    if wanted.kind == "index":
        return {"version": wanted.value}
    if wanted.kind == "path":
        return {"path": wanted.value, "develop": True}
    return {"git": wanted.value, **({"rev": wanted.ref} if wanted.ref else {})}


def _uv(document: TOMLDocument, wanted: Source, floor: bool) -> list[str]:
    groups = _table(document, "dependency-groups")
    dev = groups.setdefault("dev", tomlkit.array())
    if not isinstance(dev, Array):
        raise DevkitError("[dependency-groups] dev in pyproject.toml must be a list: fix it and run again")
    notes: list[str] = []
    requirement = DEVKIT + (wanted.value if wanted.kind == "index" else "")
    requirement += f"; python_version >= '{PYTHON_FLOOR}'" if floor else ""
    ours = [str(entry) for entry in dev if requirement_name(entry) == DEVKIT]
    for group_name, entries in groups.items():  # uv resolves every group together
        if isinstance(entries, Array):
            notes += _unpin(entries, "the dev group" if group_name == "dev" else f"the {group_name} group")
    for index in reversed(range(len(dev))):
        if requirement_name(dev[index]) == DEVKIT and ours != [requirement]:
            del dev[index]
    if ours != [requirement]:
        dev.append(requirement)
        notes.append(f"{DEVKIT} {_shown(wanted)} in the dev group [dependency-groups] dev")
    if wanted.kind != "index":
        sources = _table(document, "tool", "uv", "sources")
        value = tomlkit.inline_table()
        value.update({"path": wanted.value, "editable": True} if wanted.kind == "path" else _git(wanted))
        if toml_file.plain(sources.get(DEVKIT)) != toml_file.plain(value):
            sources[DEVKIT] = value
            notes.append(f"{DEVKIT} from {wanted.value} in [tool.uv.sources]")
    return notes


def _unpin(entries: Array, place: str) -> list[str]:
    """Take the tools devkit provides out of one uv group; the lines to report."""
    notes: list[str] = []
    for index in reversed(range(len(entries))):
        name = requirement_name(entries[index])
        if name in PROVIDED:
            del entries[index]
            notes.insert(0, f"removed {name} from {place}: devkit provides it")
    return notes


def _git(wanted: Source) -> dict[str, Any]:
    return {"git": wanted.value, **({"rev": wanted.ref} if wanted.ref else {})}


def _shown(wanted: Source) -> str:
    return {"index": wanted.value, "path": f"from {wanted.value}", "git": f"from git {wanted.value}"}[wanted.kind]


def _table(document: TOMLDocument, *keys: str) -> Any:
    """The table at `keys`, created (as a [header] table) where missing."""
    current: Any = document
    for depth, key in enumerate(keys):
        if key not in current:
            current[key] = tomlkit.table(is_super_table=depth < len(keys) - 1)
        current = current[key]
        if not isinstance(current, MutableMapping):
            raise DevkitError(
                f"[{'.'.join(keys[: depth + 1])}] in pyproject.toml must be a table: fix it and run again"
            )
    return current
