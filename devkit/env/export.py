"""The selection `devkit sync` installs, as a requirements file with hashes.

The same selection code as the sync: the project's `[tool.devkit]` defaults applied by
`groups.with_defaults`, the groups chosen by `groups.select`, and then, for poetry.lock,
the packages of those groups as `uv_pip` lists them for uv, each with its lock marker
and hashes (the marker's `extra` comparisons decided for the requested extras); for
uv.lock, `uv export` with the options `uv sync` gets. The project itself is not listed:
an image installs it from its own wheel. Packages from a local folder or file are kept
apart from the hashed lines (`Export.local`): an image build copies them in.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.env.project import Project
from devkit.env.stamp import Request


@dataclass(frozen=True)
class Pin:
    """One selected package: its canonical name, version and marker ("" when it always applies).

    `line` is its hashed requirement line; a package from a local folder or file has its
    absolute `path` instead.
    """

    name: str
    version: str
    marker: str
    line: str = ""
    path: Path | None = None


@dataclass(frozen=True)
class Export:
    """A selection of the lock as requirements.

    `pins` maps each selected package's canonical name to its version; a package the lock
    holds at two versions under exclusive markers maps to both, joined by ", "
    (`applying` gives the one an environment gets).
    """

    header: str
    requirements: tuple[Pin, ...]
    lines: tuple[str, ...]
    local: tuple[tuple[str, Path], ...]
    pins: dict[str, str]

    def text(self) -> str:
        """The requirements file: the header, the hashed lines, then the local packages by file URL."""
        local = [_local_line(pin.name, path, pin.marker) for pin in self.requirements if (path := pin.path)]
        return "".join(f"{line}\n" for line in (*self.header.splitlines(), *self.lines, *local))

    def applying(self, environment: Mapping[str, str]) -> dict[str, str]:
        """The pins whose marker holds for `environment` (PEP 508's variables), by canonical name."""
        from packaging.markers import Marker

        values = {"extra": "", **environment}
        return {
            pin.name: pin.version for pin in self.requirements if not pin.marker or Marker(pin.marker).evaluate(values)
        }


@dataclass(frozen=True)
class Choice:
    """The groups and extras a request selects, with the project's defaults applied as a sync applies them."""

    groups: tuple[str, ...]
    extras: tuple[str, ...]
    selection: Request


def choose(project: Project, pyproject: Mapping[str, Any], request: Request) -> Choice:
    """What `devkit sync` with `request` selects: unknown groups or extras are usage errors."""
    from devkit.env import groups

    selection = groups.with_defaults(pyproject, request)
    defined = groups.defined(pyproject) if project.is_poetry else groups.defined_for_uv(pyproject)
    chosen = groups.select(defined, selection)
    return Choice(chosen, groups.select_extras(groups.defined_extras(pyproject), selection), selection)


def export(project: Project, request: Request, pyproject: Mapping[str, Any] | None = None) -> Export:
    """What `devkit sync` with `request` installs from the project's lock, but the project itself.

    `pyproject` is the project's pyproject.toml when the caller has read it already.
    """
    if pyproject is None:
        from devkit.env import pyproject as pyproject_file

        pyproject = pyproject_file.read(project.pyproject)
    choice = choose(project, pyproject, request)
    if project.is_poetry:
        pins = _from_poetry_lock(project, pyproject, choice.groups, choice.extras)
    else:
        from devkit.env import uv_export

        pins = uv_export.pins(project, choice.selection, choice.extras)
    return assemble(_header(project, choice.groups, choice.extras), pins)


def assemble(header: str, requirements: Sequence[Pin]) -> Export:
    """The export of these pins, in the order given."""
    pins: dict[str, list[str]] = {}
    for pin in requirements:
        pins.setdefault(pin.name, []).append(pin.version)
    return Export(
        header=header,
        requirements=tuple(requirements),
        lines=tuple(pin.line for pin in requirements if pin.path is None),
        local=tuple((pin.name, path) for pin in requirements if (path := pin.path)),
        pins={name: ", ".join(dict.fromkeys(versions)) for name, versions in sorted(pins.items())},
    )


def _from_poetry_lock(
    project: Project, pyproject: Mapping[str, Any], chosen: Sequence[str], extras: Sequence[str]
) -> list[Pin]:
    from devkit.env import extras_marker
    from devkit.env.installers import uv_pip
    from devkit.env.names import canonical
    from devkit.env.sync import require_fresh_poetry_lock

    lock = require_fresh_poetry_lock(project, pyproject)
    pins = []
    for package, marker in uv_pip.selected(lock.packages, chosen):
        reduced = extras_marker.reduce(marker, extras)
        if reduced is None:
            continue
        name, source = canonical(package.name), package.source
        if source is not None and source.type in ("directory", "file"):
            path = (project.root / source.url).resolve()
            pins.append(Pin(name, package.version, reduced, path=path))
        else:
            pins.append(Pin(name, package.version, reduced, line=uv_pip.line(package, project.root, reduced)))
    return pins


def _header(project: Project, chosen: Sequence[str], extras: Sequence[str]) -> str:
    return (
        f"# Exported by devkit from {project.lock_name}: groups {', '.join(chosen) or 'none'}; "
        f"extras {', '.join(extras) or 'none'}.\n"
        "# Do not edit: `devkit export` writes it again from the lock.\n"
    )


def _local_line(name: str, path: Path, marker: str) -> str:
    return f"{name} @ {path.as_uri()}" + (f" ; {marker}" if marker else "")
