"""`[tool.devkit] python`: the installed interpreter the project and devkit both admit."""

from __future__ import annotations

from pathlib import Path

import tomlkit
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from devkit.env import interpreter, settings


def setting(document: TOMLDocument, root: Path) -> tuple[str, list[str]]:
    """The text to append to pyproject.toml (may be empty) and the lines to report.

    A project that names its Python already keeps it. Otherwise the newest interpreter on
    PATH that requires-python and devkit admit; none is a DevkitError naming both.
    """
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
