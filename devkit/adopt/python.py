"""`[tool.devkit] python`: the installed interpreter the project and devkit both admit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from devkit.env import interpreter, settings


def setting(document: TOMLDocument, root: Path) -> tuple[str, list[str]]:
    """The text to append to pyproject.toml (may be empty) and the lines to report.

    A project that names its Python already keeps it. Otherwise the newest interpreter on
    PATH that requires-python and devkit admit; none is a DevkitError naming both. A
    Poetry dev group marked optional, which holds devkit now, becomes part of the
    project's default selection (`with = ["dev"]`).
    """
    addition, notes = _python(document, root)
    if not _optional_dev(document.unwrap()) or "with" in document.unwrap().get("tool", {}).get("devkit", {}):
        return addition, notes
    note = '[tool.devkit] with = ["dev"]: the dev group is optional, and devkit comes with it'
    existing = document.get("tool", {}).get("devkit")
    if isinstance(existing, Table) and not existing.is_super_table():
        existing["with"] = ["dev"]
        return addition, [*notes, note]
    line = 'with = ["dev"]  # the optional dev group, with devkit, in every sync, hook and CI job\n'
    if addition:
        return addition + line, [*notes, note]
    return "\n[tool.devkit]\n" + line, [*notes, note]


def _optional_dev(pyproject: dict[str, Any]) -> bool:
    dev = pyproject.get("tool", {}).get("poetry", {}).get("group", {}).get("dev", {})
    return isinstance(dev, dict) and dev.get("optional") is True


def _python(document: TOMLDocument, root: Path) -> tuple[str, list[str]]:
    pyproject = document.unwrap()
    if interpreter.setting(pyproject) is not None:
        return "", []
    version, origin = interpreter.choose(pyproject, root)
    note = f'[tool.devkit] python = "{version}": {origin}'
    existing = document.get("tool", {}).get("devkit")
    if isinstance(existing, Table) and not existing.is_super_table():
        settings.table(pyproject)  # a [tool.devkit] that is not a table is named first
        existing["python"] = version
        return "", [note]
    return f'\n[tool.devkit]\npython = "{version}"  # the one Python setting local syncs and the CI image share\n', [
        note
    ]


def appended(text: str, addition: str) -> str:
    """`text` with `addition` after it, one blank line between; checked to parse."""
    if not addition:
        return text
    result = text.rstrip("\n") + "\n" + addition
    tomlkit.parse(result)
    return result
