"""The effective tool config: devkit's base lint.toml plus the project's own lint.toml.

Merge rules: tables merge key by key; a value in the project file replaces the base
value; keys that mean "add" append instead: ruff's `extend-*` lists, the entries of
`per-file-ignores` (a glob in both files gets both lists), `[[tool.mypy.overrides]]`, and
the `exclude` patterns of ruff and mypy (a project's excludes add to the base's; one
pattern written as a string counts as a list of one). A project that names coverage's
`include` files drops the base's `source`, which coverage would let win over them.
A key that is a table in the base must be a table in the project file too, and what
appends must be a list: anything else is an error naming the file and the dotted key.

`[tool.devkit] exclude` in pyproject.toml names folders no tool checks (nested projects
with an environment of their own): they join ruff's extend-exclude and mypy's exclude.

mypy, pytest and coverage read the merged file directly; ruff reads `[tool.ruff]` only
from a file named pyproject.toml, so its table is written out as a ruff.toml. Both land
in the project's git-ignored `.devkit/` folder and are rewritten only when a source
changed: a hash of the two sources is compared first, which is cheap.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devkit import resources
from devkit.env import cache_key, settings
from devkit.env import pyproject as pyproject_file
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.files import atomic, toml_file

PROJECT_FILE = "lint.toml"
MERGED = "lint.toml"
RUFF = "ruff.toml"
KEY = "config.key"
HEADER = (
    f"# Written by devkit from its base config and this project's {PROJECT_FILE} and pyproject.toml;\n"
    f"# rewritten when they change. To change a setting, edit (or create) {PROJECT_FILE} in the project\n"
    "# root, or [tool.devkit] exclude in pyproject.toml; `devkit config` shows the result.\n"
)
_APPENDED_TABLES = ("per-file-ignores", "extend-per-file-ignores")
_EXCLUDING_TOOLS = (("tool", "ruff"), ("tool", "mypy"))


def merge(
    base: Mapping[str, Any], extra: Mapping[str, Any], path: tuple[str, ...] = (), origin: str = PROJECT_FILE
) -> dict[str, Any]:
    """`base` with `extra` layered on top, by the rules in this module's docstring.

    Where `base` has a table, `extra` must have one too; what appends must be a list (of
    tables for mypy's overrides, of codes per glob for per-file-ignores). Anything else is
    a DevkitError naming `origin` and the dotted key.
    """
    merged = dict(base)
    for key, value in extra.items():
        here, old = (*path, key), merged.get(key)
        if key in _APPENDED_TABLES and path[:2] == ("tool", "ruff"):
            merged[key] = _merge_globs(_table(old, here, origin), _table(value, here, origin), here, origin)
        elif here == ("tool", "mypy", "overrides"):
            merged[key] = [*(old or []), *(item for item in _overrides(value, origin) if item not in (old or []))]
        elif isinstance(old, Mapping) or (old is None and isinstance(value, Mapping)):
            merged[key] = merge(old or {}, _table(value, here, origin), here, origin)
            if here == ("tool", "coverage", "run") and "include" in value and "source" not in value:
                merged[key].pop("source", None)  # coverage ignores include beside source, with a warning
        elif key.startswith("extend-") and isinstance(old, list):
            merged[key] = _append(old, _list(value, here, origin))
        elif key == "exclude" and path[:2] in _EXCLUDING_TOOLS and isinstance(old, (list, str)):
            merged[key] = _append(_patterns(old, here, origin), _patterns(value, here, origin))
        else:
            merged[key] = value
    return merged


def _append(old: list[Any], new: list[Any]) -> list[Any]:
    """`old`, then each item of `new` that `old` does not hold yet."""
    return [*old, *(item for item in new if item not in old)]


def _patterns(value: object, path: tuple[str, ...], origin: str) -> list[Any]:
    """An exclude setting as a list: one pattern written as a string is a list of one."""
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise DevkitError(f"{origin}: {_dotted(path)} must be a pattern or a list of patterns (strings): fix that key")
    return value


def _merge_globs(
    base: Mapping[str, Any], extra: Mapping[str, Any], path: tuple[str, ...], origin: str
) -> dict[str, Any]:
    merged = {glob: list(codes) for glob, codes in base.items()}
    for glob, codes in extra.items():
        new = _list(codes, (*path, glob), origin)
        if not all(isinstance(code, str) for code in new):
            raise DevkitError(f"{origin}: {_dotted((*path, glob))} must be a list of rule codes (strings)")
        merged[glob] = merged.get(glob, []) + [code for code in new if code not in merged.get(glob, [])]
    return merged


def _overrides(value: object, origin: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(item, Mapping) for item in value):
        raise DevkitError(
            f"{origin}: tool.mypy.overrides must be a list of tables: write each as [[tool.mypy.overrides]]"
        )
    return value


def _table(value: object, path: tuple[str, ...], origin: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise DevkitError(f"{origin}: {_dotted(path)} must be a table, not {_kind(value)}: fix that key")
    return value


def _list(value: object, path: tuple[str, ...], origin: str) -> list[Any]:
    if not isinstance(value, list):
        raise DevkitError(f"{origin}: {_dotted(path)} must be a list, not {_kind(value)}: fix that key")
    return value


def _dotted(path: tuple[str, ...]) -> str:
    """A key path as TOML writes it: `tool.ruff.lint.per-file-ignores."tests/**"`."""
    return ".".join(key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else json.dumps(key) for key in path)


def _kind(value: object) -> str:
    kinds = {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list", dict: "a table"}
    return kinds.get(type(value), f"a {type(value).__name__}")


def sources(project: Project) -> list[Path]:
    """The files the effective config comes from: the base, then the project's, if any."""
    own = project.root / PROJECT_FILE
    base = resources.shipped("lint.toml")
    if not own.is_file() and (own.exists() or own.is_symlink()):
        raise DevkitError(
            f"{own} is not a file (a folder or a broken link): make it the project's config file or remove it"
        )
    return [base] if not own.is_file() or own.resolve() == base.resolve() else [base, own]


def effective(project: Project) -> dict[str, Any]:
    """The merged config, parsed from the sources, with `[tool.devkit] exclude` applied."""
    merged: dict[str, Any] = {}
    for source in sources(project):
        merged = merge(merged, toml_file.load(source), origin=str(source))
    folders = settings.string_list(pyproject_file.read(project.pyproject), "exclude", '["notebooks"]')
    return _exclude(merged, folders) if folders else merged


def _exclude(merged: Mapping[str, Any], folders: list[str]) -> dict[str, Any]:
    """Folders no check looks at (for example nested projects with their own environment)."""
    mypy_exclude = [f"^{re.escape(folder.strip('/'))}/" for folder in folders]
    layer = {"tool": {"ruff": {"extend-exclude": folders}, "mypy": {"exclude": mypy_exclude}}}
    return merge(merged, layer)


def render(merged: Mapping[str, Any], tool: str | None = None) -> str:
    """The text devkit writes for `tool` ("ruff" gives ruff.toml's form), or the whole file."""
    tools = merged.get("tool", {})
    if tool is None:
        return toml_file.dumps(merged)
    if tool == "ruff":
        return toml_file.dumps(tools.get("ruff", {}))
    return toml_file.dumps({"tool": {tool: tools.get(tool, {})}}) if tool in tools else ""


def ensure(project: Project) -> Path:
    """Write the effective config files unless they are up to date; return their folder."""
    folder = project.state_dir()
    digest = cache_key.sha1(HEADER.encode(), usedforsecurity=False)
    for source in [*sources(project), project.pyproject]:
        digest.update(str(source).encode() + b"\0" + source.read_bytes() + b"\0")
    key_file = folder / KEY
    fresh = key_file.is_file() and key_file.read_bytes() == digest.hexdigest().encode()
    if fresh and (folder / MERGED).is_file() and (folder / RUFF).is_file():
        return folder
    merged = effective(project)
    atomic.write_text(folder / MERGED, HEADER + render(merged))
    atomic.write_text(folder / RUFF, HEADER + render(merged, "ruff"))
    atomic.write_text(key_file, digest.hexdigest())
    return folder
