"""Where ruff, mypy, pytest and coverage read their settings before devkit, and what they read.

Each tool reads one place, the first of its own list that exists (and, for a shared file,
holds its section); the others it never read. That place's settings move into lint.toml,
in lint.toml's form: pyproject.toml's tables leave the document, a tool's own file is
removed, and a shared INI file (setup.cfg, tox.ini) loses the tool's sections only.
"""

from __future__ import annotations

import configparser
from collections.abc import Callable, Mapping, MutableMapping
from pathlib import Path
from typing import Any, NamedTuple

from tomlkit.container import Container, OutOfOrderTableProxy
from tomlkit.items import Table
from tomlkit.toml_document import TOMLDocument

from devkit.adopt import ini
from devkit.adopt.plan import read
from devkit.files import toml_file

TOOLS = ("ruff", "mypy", "pytest", "coverage")


class Found(NamedTuple):
    """One tool's settings as `[tool.TOOL]` of lint.toml holds them, and where they were.

    `file` is the file they leave (None: pyproject.toml, edited in the document) and
    `sections` the sections of it that go (none: the whole file goes).
    """

    tool: str
    table: MutableMapping[str, Any]
    origin: str
    file: Path | None = None
    sections: tuple[str, ...] = ()


def find(document: TOMLDocument, root: Path) -> tuple[list[Found], list[str]]:
    """Each tool's settings (taken out of `document` when they were there) and what to report."""
    found, notes = [], []
    for tool in TOOLS:
        places = [place for place in _PLACES[tool](document, root) if place is not None]
        if not places:
            continue
        chosen, *ignored = places
        found.append(chosen)
        if chosen.file is None:
            _take(document, tool)
        notes += [
            f"left {place.origin} as it is: {tool} read {chosen.origin} instead, so those settings never applied"
            for place in ignored
        ]
    return found, notes


Place = Callable[[TOMLDocument, Path], "list[Found | None]"]
Convert = Callable[[configparser.RawConfigParser], dict[str, Any]]


def _ruff(document: TOMLDocument, root: Path) -> list[Found | None]:
    own = [_toml(root / name, "ruff") for name in (".ruff.toml", "ruff.toml")]
    return [*own, _pyproject(document, "ruff")]


def _mypy(document: TOMLDocument, root: Path) -> list[Found | None]:
    own = [_ini_file(root / name, "mypy", ini.mypy) for name in ("mypy.ini", ".mypy.ini")]
    shared = _shared(root / "setup.cfg", "mypy", {"mypy": False, "mypy-": True}, ini.mypy)
    return [*own, _pyproject(document, "mypy"), shared]


def _pytest(document: TOMLDocument, root: Path) -> list[Found | None]:
    own = [
        _ini_file(root / name, "pytest", lambda parser: ini.pytest(parser, "pytest"))
        for name in ("pytest.ini", ".pytest.ini")
    ]
    tox = _shared(root / "tox.ini", "pytest", {"pytest": False}, lambda parser: ini.pytest(parser, "pytest"))
    setup = _shared(
        root / "setup.cfg", "pytest", {"tool:pytest": False}, lambda parser: ini.pytest(parser, "tool:pytest")
    )
    return [*own, _pyproject(document, "pytest"), tox, setup]


def _coverage(document: TOMLDocument, root: Path) -> list[Found | None]:
    own = _ini_file(root / ".coveragerc", "coverage", ini.coverage)
    shared = [
        _shared(root / name, "coverage", {"coverage:": True}, lambda parser: ini.coverage(parser, "coverage:"))
        for name in ("setup.cfg", "tox.ini")
    ]
    return [own, *shared, _pyproject(document, "coverage")]


_PLACES: dict[str, Place] = {"ruff": _ruff, "mypy": _mypy, "pytest": _pytest, "coverage": _coverage}


def _pyproject(document: TOMLDocument, tool: str) -> Found | None:
    table = document.get("tool", {}).get(tool)
    if not isinstance(table, Container | Table | OutOfOrderTableProxy):
        return None
    if tool != "pytest":
        # a table written in one piece moves as it is, with its comments
        moved = table if isinstance(table, Table) else table.unwrap()
        return Found(tool, moved, f"pyproject.toml [tool.{tool}]")
    # pytest 9 reads its settings from [tool.pytest] itself; earlier ones from ini_options only
    options = {key: value for key, value in table.unwrap().items() if key != "ini_options"}
    options.update(table.unwrap().get("ini_options", {}))
    name = "[tool.pytest.ini_options]" if "ini_options" in table else "[tool.pytest]"
    return Found(tool, {"ini_options": options}, f"pyproject.toml {name}") if options else None


def _take(document: TOMLDocument, tool: str) -> None:
    tools = document["tool"]
    assert isinstance(tools, MutableMapping)
    del tools[tool]
    if not tools:
        del document["tool"]


def _toml(path: Path, tool: str) -> Found | None:
    text = read(path)
    if text is None:
        return None
    return Found(tool, toml_file.loads(text, path), path.name, path)


def _ini_file(path: Path, tool: str, convert: Convert) -> Found | None:
    text = read(path)
    if text is None:
        return None
    return Found(tool, convert(ini.parse(path, text)), path.name, path)


def _shared(path: Path, tool: str, wanted: Mapping[str, bool], convert: Convert) -> Found | None:
    """A tool's sections of a file other tools read too (setup.cfg, tox.ini)."""
    text = read(path)
    if text is None:
        return None
    parser = ini.parse(path, text)
    sections = ini.sections(parser, wanted)
    if not sections:
        return None
    origin = f"{path.name} " + ", ".join(f"[{section}]" for section in sections)
    return Found(tool, convert(parser), origin, path, tuple(sections))
