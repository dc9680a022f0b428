"""uv.lock read as data: the locked packages' names, versions, sources and dependencies.

What devkit itself takes from uv.lock (the CI bootstrap pins devkit-toolchain and uv
from it; `devkit audit` follows the dependencies), checked field by field; uv reads the
rest when it installs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devkit.env.locks import NAME, VERSION
from devkit.env.names import canonical
from devkit.files import fields, toml_file

ADVICE = "run `uv lock` to rewrite the lock"
SOURCE_KINDS = ("registry", "git", "url", "path", "directory", "editable", "virtual")
# A project folder may leave its version dynamic; uv then records none.
LOCAL_KINDS = ("directory", "editable", "virtual")


@dataclass(frozen=True)
class Source:
    """Where a package comes from: its kind (registry, editable...) and the URL or path."""

    kind: str
    location: str


@dataclass(frozen=True)
class Package:
    """One `[[package]]` entry; `version` is "" for a local project without a static one."""

    name: str
    version: str
    source: Source
    dependencies: tuple[str, ...] = ()
    optional_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    dev_dependencies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def local(self) -> str | None:
        """The path of a package from a local folder or file, relative to the lock; None for anything else."""
        return self.source.location if self.source.kind in ("directory", "editable", "path") else None

    @property
    def folder(self) -> str | None:
        """The path of a local project folder, relative to the lock; None for anything else."""
        return self.source.location if self.source.kind in ("directory", "editable") else None


@dataclass(frozen=True)
class Lock:
    """A parsed uv.lock."""

    path: Path
    version: int
    packages: tuple[Package, ...]


def read(path: Path) -> Lock:
    """Parse uv.lock; malformed TOML names file, line and column, a wrong field the package and key."""
    text = toml_file.decode(path.read_bytes(), path)
    lock = fields.Table(toml_file.loads(text, path), path.name, "", ADVICE)
    version = lock.integer("version")
    return Lock(path=path, version=version, packages=tuple(_package(entry) for entry in lock.sections("package", [])))


def _package(entry: fields.Table) -> Package:
    name = entry.matching("name", NAME, "a package name")
    entry = entry.at(f"{entry.where} ({name})")
    source = _source(entry)
    required = fields.MISSING if source.kind not in LOCAL_KINDS else ""
    return Package(
        name=name,
        version=entry.matching("version", VERSION, "a version", required),
        source=source,
        dependencies=_names(entry, "dependencies"),
        optional_dependencies=_named_lists(entry.table("optional-dependencies", {})),
        dev_dependencies=_named_lists(entry.table("dev-dependencies", {})),
    )


def _names(table: fields.Table, key: str) -> tuple[str, ...]:
    """The canonical names of a list of dependency tables, `[{ name = "..." }, ...]`."""
    return tuple(sorted({canonical(item.matching("name", NAME, "a package name")) for item in table.tables(key, [])}))


def _named_lists(table: fields.Table) -> dict[str, tuple[str, ...]]:
    """`{ EXTRA-OR-GROUP = [{ name = "..." }, ...] }`, by canonical extra or group name."""
    return {canonical(key): _names(table, key) for key in table.data}


def _source(entry: fields.Table) -> Source:
    """The one kind key of `source = { registry = "..." }` and its value."""
    table = entry.table("source")
    kinds = [kind for kind in SOURCE_KINDS if kind in table.data]
    if len(kinds) != 1:
        raise entry.error("source", f"must name one of {', '.join(SOURCE_KINDS)}, got {fields.shown(table.data)}")
    return Source(kind=kinds[0], location=table.string(kinds[0]))
