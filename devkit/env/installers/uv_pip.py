"""poetry.lock installed by uv: the locked selection, with hashes, through `uv pip sync`.

`uv pip sync` installs exactly the listed requirements and removes everything else, and
installs no dependency that is not listed, so the environment is the lock's selection and
nothing more. The lock's marker for the requested groups is evaluated with `packaging`
for the `.venv` interpreter (`devkit.markers`); without packaging, each line keeps its
marker and uv evaluates it for the same interpreter.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devkit.env import programs
from devkit.env.installers import Target
from devkit.env.locks.poetry_lock import Lock, Package
from devkit.files import atomic

_PRIORITIES = ("primary", "supplemental", "explicit")
_UV_INDEX_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class IndexSource:
    """A `[[tool.poetry.source]]` entry."""

    name: str
    url: str
    priority: str


class UvFromPoetryLock:
    """devkit's own reader of poetry.lock, with uv doing the install."""

    name = "uv"

    def __init__(self, uv: Path, lock: Lock) -> None:
        self._uv = uv
        self._lock = lock

    def version(self) -> str:
        return programs.version(self._uv)

    def install(self, target: Target) -> None:
        from devkit.env import markers

        evaluate = markers.evaluator(target.interpreter, target.extras)
        lines = requirements(self._lock.packages, target.groups, target.project.root, evaluate)
        if target.root:
            lines.append(f"-e {target.project.root}")
        listing = target.project.state_dir() / "requirements.txt"
        atomic.write_text(listing, "".join(line + "\n" for line in lines))
        sources = declared_sources(target.pyproject)
        command: list[str | Path] = [self._uv, "pip", "sync", "--python", target.venv_python]
        command += index_arguments(sources, self._lock.packages)
        # Every pin carries its hashes, so the best match across the indexes cannot be
        # another file; the first-index default would stop at a source that has the
        # project but not the locked version.
        command += ["--index-strategy", "unsafe-best-match"]
        command += ["--allow-empty-requirements", *(["--quiet"] if target.quiet else []), listing]
        env = programs.child_env(**credentials(sources, os.environ))
        programs.run(command, cwd=target.project.root, env=env, what="uv pip sync")


def requirements(
    packages: Iterable[Package], groups: Sequence[str], root: Path, evaluate: Callable[[str], bool] | None = None
) -> list[str]:
    """One requirement line per selected package, with its hashes.

    With `evaluate`, a package whose marker does not hold is left out and the lines carry
    no markers; without it, each line carries its marker for the installer to evaluate.
    """
    lines = []
    for package, marker in selected(packages, groups):
        if marker and evaluate is not None and not evaluate(marker):
            continue
        lines.append(line(package, root, marker if evaluate is None else ""))
    return lines


def selected(packages: Iterable[Package], groups: Sequence[str]) -> Iterator[tuple[Package, str]]:
    """Each package of the requested groups with the lock's marker for them ("" when always)."""
    for package in packages:
        marker = package.marker_for(groups)
        if marker is not None:
            yield package, marker


def line(package: Package, root: Path, marker: str) -> str:
    """The requirement line of one package: the pin or reference, `; marker` when given, its hashes."""
    text = _requirement(package, root) + (f" ; {marker}" if marker else "")
    return text + "".join(f" --hash={digest}" for digest in package.hashes)


def _requirement(package: Package, root: Path) -> str:
    source = package.source
    if source is None or source.type == "legacy":
        return f"{package.name}=={package.version}"
    if source.type == "git":
        fragment = f"#subdirectory={source.subdirectory}" if source.subdirectory else ""
        revision = source.resolved_reference or source.reference
        return f"{package.name} @ git+{source.url}@{revision}{fragment}"
    if source.type in ("directory", "file"):
        path = (root / source.url).resolve()
        return f"-e {path}" if package.develop else f"{package.name} @ {path.as_uri()}"
    return f"{package.name} @ {source.url}"


def declared_sources(pyproject: Mapping[str, Any]) -> list[IndexSource]:
    """The project's `[[tool.poetry.source]]` entries; Poetry's default priority is primary."""
    entries = pyproject.get("tool", {}).get("poetry", {}).get("source", [])
    return [
        IndexSource(name=str(entry["name"]), url=str(entry["url"]), priority=str(entry.get("priority", "primary")))
        for entry in entries
        if "url" in entry
    ]


def index_arguments(sources: Sequence[IndexSource], packages: Iterable[Package]) -> list[str]:
    """uv's index options for the indexes the lock uses, first choice first.

    Poetry's order is primary sources, the default index (PyPI, or what the user's uv
    configuration names) for packages without a source, then supplemental and explicit
    sources. uv asks every `--index` in the order given and its default index last. When
    every package names its source, the last source becomes uv's default index, so uv
    never asks an index the lock does not name.
    """
    packages = list(packages)
    used = {_plain(package.source.url) for package in packages if package.source and package.source.type == "legacy"}
    rank = {priority: position for position, priority in enumerate(_PRIORITIES)}
    ordered = sorted((s for s in sources if _plain(s.url) in used), key=lambda s: rank.get(s.priority, 0))
    entries = [f"{s.name}={s.url}" if _UV_INDEX_NAME.match(s.name) else s.url for s in ordered]
    entries += sorted(used - {_plain(s.url) for s in ordered})
    if not entries or any(package.source is None for package in packages):
        return [argument for entry in entries for argument in ("--index", entry)]
    *first, last = entries
    return [*(argument for entry in first for argument in ("--index", entry)), "--default-index", last]


def _plain(url: str) -> str:
    """A URL as poetry.lock records it: without a trailing slash."""
    return url.rstrip("/")


def credentials(sources: Iterable[IndexSource], environ: Mapping[str, str]) -> dict[str, str | None]:
    """Poetry's `POETRY_HTTP_BASIC_<NAME>_*` credentials, passed to uv as `UV_INDEX_<NAME>_*`."""
    found: dict[str, str | None] = {}
    for source in sources:
        suffix = re.sub(r"[^A-Z0-9]", "_", source.name.upper())
        for part in ("USERNAME", "PASSWORD"):
            value = environ.get(f"POETRY_HTTP_BASIC_{suffix}_{part}")
            if value is not None:
                found[f"UV_INDEX_{suffix}_{part}"] = value
    return found
