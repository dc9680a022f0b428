"""poetry.lock (lock-version 2.1) read as data.

The locked packages with their groups, markers, hashes and sources, and the exact
selection for a set of groups.

Nothing is re-resolved: a package is selected when one of the requested groups is among
its `groups`, under the marker the lock records for that group. The markers travel with
each requirement to uv, which evaluates them for the `.venv` interpreter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.env.names import canonical
from devkit.files import toml_file

SUPPORTED_VERSION = (2, 1)
DIRECT_SOURCES = ("git", "directory", "file", "url")


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
    """Parse poetry.lock; malformed TOML is reported with file, line and column."""
    text = path.read_text()
    data = toml_file.loads(text, path)
    metadata = data.get("metadata", {})
    version = tuple(int(part) for part in str(metadata.get("lock-version", "0")).split(".") if part.isdigit())
    return Lock(
        path=path,
        header=text.partition("\n")[0],
        version=version,
        content_hash=str(metadata.get("content-hash", "")),
        packages=tuple(_package(entry) for entry in data.get("package", [])),
    )


def _package(entry: Mapping[str, Any]) -> Package:
    raw_source = entry.get("source")
    source = None
    if raw_source is not None:
        source = Source(
            type=str(raw_source.get("type", "")),
            url=str(raw_source.get("url", "")),
            reference=str(raw_source.get("reference", "") or ""),
            resolved_reference=str(raw_source.get("resolved_reference", "") or ""),
            subdirectory=str(raw_source.get("subdirectory", "") or ""),
        )
    return Package(
        name=str(entry["name"]),
        version=str(entry["version"]),
        groups=tuple(entry.get("groups", ["main"])),
        markers=entry.get("markers", ""),
        hashes=tuple(str(item["hash"]) for item in entry.get("files", []) if item.get("hash")),
        source=source,
        develop=bool(entry.get("develop", False)),
    )
