"""poetry.lock (lock-version 2.1) read as data.

The locked packages with their groups, markers, hashes and sources, and the exact
selection for a set of groups.

Nothing is re-resolved: a package is selected when one of the requested groups is among
its `groups`, under the marker the lock records for that group. The markers travel with
each requirement to uv, which evaluates them for the `.venv` interpreter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devkit.env.locks import NAME, VERSION
from devkit.env.names import canonical
from devkit.files import fields, toml_file

SUPPORTED_VERSION = (2, 1)
DIRECT_SOURCES = ("git", "directory", "file", "url")
ADVICE = "run `poetry lock` to rewrite the lock"
# ASCII digits, a few of them: `\d` takes other scripts' digits, and int() refuses 4,300 of them.
_LOCK_VERSION = re.compile(r"[0-9]{1,4}(\.[0-9]{1,4})*")
_HASH = re.compile(r"[a-z0-9]+:[0-9a-fA-F]+")


@dataclass(frozen=True)
class Source:
    """Where a package comes from when it is not the default index."""

    type: str
    url: str
    reference: str = ""
    resolved_reference: str = ""
    subdirectory: str = ""


@dataclass(frozen=True)
class Package:
    """One `[[package]]` entry."""

    name: str
    version: str
    groups: tuple[str, ...]
    markers: str | Mapping[str, str]
    hashes: tuple[str, ...]
    source: Source | None
    develop: bool
    dependencies: tuple[str, ...] = ()

    @property
    def folder(self) -> str | None:
        """The path of a local project folder, relative to the lock; None for anything else."""
        return self.source.url if self.source is not None and self.source.type == "directory" else None

    def marker_for(self, groups: Iterable[str]) -> str | None:
        """The marker under which this package belongs to `groups`; None when it does not."""
        requested = {canonical(group) for group in groups}
        wanted = [group for group in self.groups if canonical(group) in requested]
        if not wanted:
            return None
        if isinstance(self.markers, str):
            return self.markers
        by_group = {canonical(group): marker for group, marker in self.markers.items()}
        parts = [by_group.get(canonical(group), "") for group in wanted]
        if "" in parts:
            return ""
        return " or ".join(f"({part})" for part in dict.fromkeys(parts))


@dataclass(frozen=True)
class Lock:
    """A parsed poetry.lock."""

    path: Path
    header: str
    version: tuple[int, ...]
    content_hash: str
    packages: tuple[Package, ...]

    def unsupported(self) -> str | None:
        """Why devkit cannot install this lock exactly itself, or None when it can."""
        if self.version[:2] != SUPPORTED_VERSION:
            shown = ".".join(map(str, self.version))
            return f"{self.path.name} has lock-version {shown}; devkit reads {'.'.join(map(str, SUPPORTED_VERSION))}"
        for package in self.packages:
            if package.source is not None and package.source.type not in ("legacy", *DIRECT_SOURCES):
                return f"{package.name} comes from a {package.source.type!r} source"
        return None


def read(path: Path) -> Lock:
    """Parse poetry.lock, checking every field devkit uses before anything is installed.

    Malformed TOML is reported with file, line and column; a field of the wrong type or
    a missing key with the file, the package and the key.
    """
    text = toml_file.decode(path.read_bytes(), path)
    lock = fields.Table(toml_file.loads(text, path), path.name, "", ADVICE)
    metadata = lock.section("metadata")
    version = metadata.matching("lock-version", _LOCK_VERSION, 'a version like "2.1"')
    return Lock(
        path=path,
        header=text.partition("\n")[0],
        version=tuple(int(part) for part in version.split(".")),
        content_hash=metadata.string("content-hash"),
        packages=tuple(_package(entry) for entry in lock.sections("package", [])),
    )


def _package(entry: fields.Table) -> Package:
    name = entry.matching("name", NAME, "a package name")
    entry = entry.at(f"{entry.where} ({name})")
    return Package(
        name=name,
        version=entry.matching("version", VERSION, "a version"),
        groups=entry.strings("groups", ["main"]),
        markers=_markers(entry),
        hashes=tuple(item.matching("hash", _HASH, 'a hash like "sha256:..."') for item in entry.tables("files", [])),
        source=_source(entry),
        develop=entry.boolean("develop", False),
        dependencies=_dependencies(entry),
    )


def _dependencies(entry: fields.Table) -> tuple[str, ...]:
    """The names of `[package.dependencies]`, canonical: each a constraint, a table or a list of tables.

    A table may say `markers` (a string) and `optional` (true or false); an optional
    dependency is still an edge, taken when the package's extra is asked for.
    """
    table = entry.table("dependencies", {})
    kind = "a version constraint, a table or a list of tables"
    for name in table.data:
        if not NAME.fullmatch(name):
            raise table.error(name, "is not a package name")
        value = table.get(name, kind, _is_dependency)
        choices = [value] if isinstance(value, Mapping) else value if isinstance(value, list) else []
        for n, item in enumerate(choices, 1):
            place = f"{table.prefix}{name}." if isinstance(value, Mapping) else f"{table.prefix}{name}[{n}]."
            choice = fields.Table(item, table.file, table.where, table.advice, place)
            choice.string("markers", "")
            choice.boolean("optional", False)
    return tuple(sorted({canonical(name) for name in table.data}))


def _is_dependency(value: object) -> bool:
    return fields.is_line(value) or fields.is_table(value) or fields.is_list_of(value, fields.is_table)


def _markers(entry: fields.Table) -> str | Mapping[str, str]:
    """One marker for every group, or one per group."""
    kind = "a marker string or a table of marker strings"
    markers: str | Mapping[str, str] = entry.get("markers", kind, _is_markers, "")
    for group, marker in ({"": markers} if isinstance(markers, str) else markers).items():
        _check_marker(entry, f"markers.{group}" if group else "markers", marker)
    return markers


def _is_markers(value: object) -> bool:
    if isinstance(value, Mapping):
        return fields.is_table(value) and all(map(fields.is_line, value.values()))
    return fields.is_line(value)


def _check_marker(entry: fields.Table, key: str, marker: str) -> None:
    """Refuse a marker `packaging` cannot parse or compare; without packaging, uv judges it.

    Comparing is tried here, on this interpreter's values: a comparison packaging cannot
    make (`os_name ~= 'posix'`) fails for any interpreter, and would otherwise fail
    only once the install has begun.
    """
    try:
        from packaging.markers import InvalidMarker, Marker, UndefinedComparison
    except ImportError:
        return
    try:
        if marker:
            Marker(marker).evaluate()  # on this interpreter, with no extra
    except (InvalidMarker, UndefinedComparison):
        raise entry.error(key, f"is not a valid marker: {fields.shown(marker)}") from None


def _source(entry: fields.Table) -> Source | None:
    if "source" not in entry.data:
        return None
    source = entry.table("source")
    return Source(
        type=source.string("type"),
        url=source.string("url"),
        reference=source.string("reference", ""),
        resolved_reference=source.string("resolved_reference", ""),
        subdirectory=source.string("subdirectory", ""),
    )
