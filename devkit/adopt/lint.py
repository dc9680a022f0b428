"""The project's own ruff, mypy, pytest and coverage settings, moved into its lint.toml.

devkit's tools read the merged config (devkit's base plus the project's lint.toml), so
settings left where the tools used to read them would be silently ignored. Each moved key
keeps its value; ruff's lint keys written at the top of `[tool.ruff]` (the old style) go
under `[tool.ruff.lint]`, where devkit's base has them; pytest's settings go under
`[tool.pytest.ini_options]`. `select` stays `select`: it replaces devkit's list, as it
replaced ruff's default before. On adoption, the settings the project left at its tools'
defaults and devkit's baseline changes keep those defaults (see `baseline`).

An existing lint.toml keeps its comments and layout: keys are added to it, and where it
already sets a key, its value wins.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.items import AoT, Table
from tomlkit.toml_document import TOMLDocument

from devkit.adopt import baseline, ini, tool_config
from devkit.adopt.plan import Plan, read
from devkit.checks.config import PROJECT_FILE
from devkit.errors import DevkitError
from devkit.files import toml_file

HEADER = "# This project's settings on top of devkit's shared lint.toml (`devkit config TOOL` shows the result).\n"
RUFF_LINT_KEYS = frozenset(
    {
        "select", "ignore", "extend-select", "extend-ignore", "fixable", "unfixable", "extend-fixable",
        "extend-safe-fixes", "extend-unsafe-fixes", "per-file-ignores", "extend-per-file-ignores",
        "dummy-variable-rgx", "allowed-confusables", "task-tags", "typing-modules", "external",
        "explicit-preview-rules", "logger-objects", "ignore-init-module-imports",
        "flake8-annotations", "flake8-bandit", "flake8-bugbear", "flake8-builtins", "flake8-comprehensions",
        "flake8-copyright", "flake8-errmsg", "flake8-gettext", "flake8-implicit-str-concat",
        "flake8-import-conventions", "flake8-pytest-style", "flake8-quotes", "flake8-self",
        "flake8-tidy-imports", "flake8-type-checking", "flake8-unused-arguments", "isort", "mccabe",
        "pep8-naming", "pycodestyle", "pydocstyle", "pyflakes", "pylint", "pyupgrade",
    }
)  # fmt: skip
# a table of a TOML document; a table written in pieces is a proxy over them
_Container = Container | Table | OutOfOrderTableProxy


def plan(plan: Plan, document: TOMLDocument, *, adopting: bool) -> None:
    """Move the tools' settings into lint.toml; with `adopting`, keep their defaults too.

    The tables leave `document` (pyproject.toml, written by the caller); lint.toml and
    the tools' own files are edits of `plan`, lint.toml first, so an interrupted run
    leaves the settings in both places and the next run finishes the move.
    """
    found, notes = tool_config.find(document, plan.root)
    path = plan.root / PROJECT_FILE
    current = read(path)
    if current is not None:
        toml_file.loads(current, path)  # a syntax error is named with its line first
    lint = tomlkit.parse(current) if current is not None else tomlkit.document()
    tools = _tools(lint)
    for moved in found:
        table = _ruff(moved.table) if moved.tool == "ruff" else moved.table
        kept = _add(tools, {moved.tool: table}, ("tool",))
        notes.append(f"moved {moved.origin} into {PROJECT_FILE}")
        notes += [f"kept {PROJECT_FILE}'s {key}; {moved.origin} had another value, dropped" for key in kept]
    held = _hold(tools, document) if adopting else []
    if held:
        notes.append(f"{PROJECT_FILE} keeps the tools' defaults for {', '.join(held)}, as before devkit: {_HOW}")
    plan.notes += notes
    if found or held:
        text = lint.as_string()
        new = text if current is not None else HEADER + (_EXPLAINED if held else "") + text.lstrip("\n")
        plan.change(path, new)
    _leave_files(plan, found)


_HOW = 'delete a line marked "as before devkit" to take devkit\'s baseline'
_EXPLAINED = f'# Lines marked "{baseline.MARK}"\n# keep what the checks did before devkit where its baseline differs.\n'


def _tools(lint: TOMLDocument) -> _Container:
    if "tool" not in lint:
        lint.add("tool", tomlkit.table(is_super_table=True))
    tools = lint["tool"]
    assert isinstance(tools, Table)
    return tools


def _ruff(settings: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Old-style lint keys at the top of [tool.ruff] moved under [tool.ruff.lint], comments and all.

    Where `[tool.ruff.lint]` sets the same key, its value wins, as it did for ruff.
    """
    old_style = [key for key in settings if key in RUFF_LINT_KEYS]
    if not old_style:
        return settings
    if not isinstance(settings, Table):
        lint = {key: settings.pop(key) for key in old_style}
        settings["lint"] = {**lint, **dict(settings.get("lint", {}))}
        return settings
    if "lint" not in settings:
        settings.add("lint", tomlkit.table())
    lint = settings["lint"]
    for key in old_style:
        item = settings.item(key)
        settings.remove(key)
        if key not in lint:
            lint[key] = item
    return settings


def _add(container: _Container, moved: Mapping[str, Any], path: tuple[str, ...]) -> list[str]:
    """`moved`'s keys added where `container` lacks them; the dotted keys it already set otherwise."""
    kept = []
    for key, value in moved.items():
        here = (*path, key)
        old = container.get(key)
        if old is None:
            container[key] = value
        elif isinstance(old, Table | OutOfOrderTableProxy) and isinstance(value, Mapping):
            kept += _add(old, value, here)
        elif isinstance(old, AoT) and isinstance(value, list):
            for item in value:
                if item not in old.unwrap():
                    old.append(item)
        elif toml_file.plain(old) != toml_file.plain(value):
            kept.append(".".join(here))
    return kept


def _hold(tools: _Container, document: TOMLDocument) -> list[str]:
    """The baseline's settings the project left unset, added with their old defaults, marked."""
    held = []
    for key, value in baseline.pins(document.unwrap()):
        *tables, name = key
        container = tools
        for depth, table in enumerate(tables):
            if table not in container:
                container[table] = tomlkit.table(is_super_table=depth < len(tables) - 1)
            inner = container[table]
            if not isinstance(inner, Table | OutOfOrderTableProxy):
                dotted = ".".join(("tool", *tables[: depth + 1]))
                raise DevkitError(f"{PROJECT_FILE}: {dotted} must be a table: fix it, then run `devkit init` again")
            container = inner
        if name not in container:
            item = tomlkit.item(value)
            item.comment(baseline.MARK)
            container[name] = item
            held.append(".".join(key))
    return held


def _leave_files(plan: Plan, found: list[tool_config.Found]) -> None:
    """Each tool's own file removed; a shared file (setup.cfg, tox.ini) without the moved sections.

    A shared file left with nothing but blank lines goes too.
    """
    sections: dict[Path, list[str]] = {}
    for moved in found:
        if moved.file is not None:
            sections.setdefault(moved.file, []).extend(moved.sections)
    for path, names in sections.items():
        text = read(path)
        if text is None:
            continue
        rest = ini.without(text, names) if names else ""
        if rest.strip():
            plan.change(path, rest)
        else:
            plan.remove(path)


def document_text(document: TOMLDocument) -> str:
    """The document's text, checked to parse."""
    text = document.as_string()
    tomlkit.parse(text)
    return text
