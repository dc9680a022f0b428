"""The settings of mypy, pytest and coverage in INI files, as lint.toml writes them.

Each tool reads its INI values with rules of its own; the same settings in TOML need
real types where the tool's TOML reader checks them: mypy wants booleans, coverage wants
booleans and lists. pytest converts strings itself, so its values stay text.
"""

from __future__ import annotations

import configparser
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from devkit.errors import DevkitError

_BOOLEANS = {"1": True, "yes": True, "true": True, "on": True, "0": False, "no": False, "false": False, "off": False}
_MYPY_INTEGERS = frozenset({"many_errors_threshold"})
_COVERAGE_LISTS = frozenset(
    {
        "concurrency",
        "debug",
        "disable_warnings",
        "include",
        "omit",
        "plugins",
        "source",
        "source_pkgs",
        "source_dirs",
        "patch",
    }
)
_COVERAGE_REGEX_LISTS = frozenset({"exclude_lines", "exclude_also", "partial_branches", "partial_branches_always"})
_COVERAGE_NUMBERS = frozenset({"fail_under", "precision", "package_depth"})
_NUMBER = re.compile(r"\d+(\.\d+)?")
_SECTION = re.compile(r"^\[([^\]]+)\]")


def parse(path: Path, text: str) -> configparser.RawConfigParser:
    """The INI file `path` holds; a syntax error names the file and line."""
    parser = configparser.RawConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=path.name)
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise DevkitError(f"{path}: {first}: fix the file, then run `devkit init` again") from None
    return parser


def mypy(parser: configparser.RawConfigParser, prefix: str = "mypy") -> dict[str, Any]:
    """`[mypy]` and `[mypy-PATTERN,...]` sections as `[tool.mypy]` with its overrides."""
    table = {key: _mypy_value(key, value) for key, value in _items(parser, prefix)}
    overrides = []
    for section in parser.sections():
        if section.startswith(f"{prefix}-"):
            modules = [module.strip() for module in section[len(prefix) + 1 :].split(",") if module.strip()]
            values = {key: _mypy_value(key, value) for key, value in _items(parser, section)}
            overrides.append({"module": modules, **values})
    if overrides:
        table["overrides"] = overrides
    return table


def _mypy_value(key: str, value: str) -> object:
    if key in _MYPY_INTEGERS and value.strip().isdigit():
        return int(value)
    return _BOOLEANS.get(value.strip().lower(), value.strip())


def pytest(parser: configparser.RawConfigParser, section: str) -> dict[str, Any]:
    """A `[pytest]` (or setup.cfg's `[tool:pytest]`) section as `[tool.pytest.ini_options]`."""
    return {"ini_options": {key: value.strip() for key, value in _items(parser, section)}}


def coverage(parser: configparser.RawConfigParser, prefix: str = "") -> dict[str, Any]:
    """Coverage's sections (`[run]`, or `[coverage:run]` with `prefix`) as `[tool.coverage]`."""
    table: dict[str, Any] = {}
    for section in parser.sections():
        if prefix and not section.startswith(prefix):
            continue
        name = section[len(prefix) :]
        table[name] = {key: _coverage_value(name, key, value) for key, value in _items(parser, section)}
    return table


def _coverage_value(section: str, key: str, value: str) -> object:
    if section == "paths" or key in _COVERAGE_LISTS:
        return [item.strip() for line in value.splitlines() for item in line.split(",") if item.strip()]
    if key in _COVERAGE_REGEX_LISTS:
        return [line.strip() for line in value.splitlines() if line.strip()]
    if key in _COVERAGE_NUMBERS and _NUMBER.fullmatch(value.strip()):
        return float(value) if "." in value else int(value)
    return _BOOLEANS.get(value.strip().lower(), value.strip())


def _items(parser: configparser.RawConfigParser, section: str) -> Iterable[tuple[str, str]]:
    return parser.items(section) if parser.has_section(section) else ()


def sections(parser: configparser.RawConfigParser, wanted: Mapping[str, bool]) -> list[str]:
    """The sections named in `wanted` (True: a prefix, False: the exact name), in file order."""
    return [
        section
        for section in parser.sections()
        if any(section.startswith(name) if prefix else section == name for name, prefix in wanted.items())
    ]


def without(text: str, dropped: Iterable[str]) -> str:
    """`text` without the sections named in `dropped`, header to the next header; the rest as written."""
    gone, kept, skipping = set(dropped), [], False
    for line in text.splitlines(keepends=True):
        header = _SECTION.match(line)
        if header:
            skipping = header.group(1).strip() in gone
        if not skipping:
            kept.append(line)
    return "".join(kept)
