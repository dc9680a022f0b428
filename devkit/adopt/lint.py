"""The project's own ruff, mypy, pytest and coverage settings, moved into its lint.toml.

devkit's tools read the merged config (devkit's base plus the project's lint.toml), so
settings left in pyproject.toml would be silently ignored. Each moved key keeps its
value; ruff's lint keys written at the top of `[tool.ruff]` (the old style) go under
`[tool.ruff.lint]`, where devkit's base has them. `select` stays `select`: it replaces
devkit's list, as it replaced ruff's default before.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.toml_document import TOMLDocument

from devkit.checks.config import PROJECT_FILE
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


def move(document: TOMLDocument, root: Path) -> tuple[str | None, list[str]]:
    """Take the tool tables out of `document`; lint.toml's new text (None: unchanged) and the report."""
    moved, notes = _take(document)
    if not moved:
        return None, []
    path = root / PROJECT_FILE
    current = toml_file.load(path) if path.is_file() else {}
    merged, kept = _combine(current, {"tool": moved})
    notes += [f"kept {PROJECT_FILE}'s {key}; pyproject.toml's value is dropped" for key in kept]
    text = toml_file.dumps(merged)
    return (HEADER if not path.is_file() else "") + text, notes


def _take(document: TOMLDocument) -> tuple[dict[str, Any], list[str]]:
    tool = document.get("tool")
    if not isinstance(tool, MutableMapping):
        return {}, []
    moved: dict[str, Any] = {}
    notes = []
    for name in ("ruff", "mypy", "coverage"):
        if isinstance(tool.get(name), Mapping):
            moved[name] = tool[name].unwrap()
            del tool[name]
            notes.append(f"moved [tool.{name}] from pyproject.toml into {PROJECT_FILE}")
    pytest = tool.get("pytest")
    if isinstance(pytest, MutableMapping) and isinstance(pytest.get("ini_options"), Mapping):
        moved["pytest"] = {"ini_options": pytest["ini_options"].unwrap()}
        del pytest["ini_options"]
        if not pytest:
            del tool["pytest"]
        notes.append(f"moved [tool.pytest.ini_options] from pyproject.toml into {PROJECT_FILE}")
    if "ruff" in moved:
        moved["ruff"] = _ruff(moved["ruff"])
    return moved, notes


def _ruff(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Old-style lint keys at the top of [tool.ruff] moved under [tool.ruff.lint]."""
    top = {key: value for key, value in settings.items() if key not in RUFF_LINT_KEYS}
    old_style = {key: value for key, value in settings.items() if key in RUFF_LINT_KEYS}
    if old_style:
        top["lint"] = {**old_style, **dict(top.get("lint", {}))}
    return top


def _combine(current: Mapping[str, Any], moved: Mapping[str, Any], path: str = "") -> tuple[dict[str, Any], list[str]]:
    """`current` with `moved`'s keys added; where both set a key, `current` wins (and is named)."""
    merged, kept = dict(current), []
    for key, value in moved.items():
        here = f"{path}.{key}" if path else key
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key], inner = _combine(old, value, here)
            kept += inner
        elif key in merged and old != value:
            kept.append(here)
        else:
            merged[key] = value
    return merged, kept


def document_text(document: TOMLDocument) -> str:
    """The document's text, checked to parse."""
    text = document.as_string()
    tomlkit.parse(text)
    return text
