"""The project's version: read from pyproject.toml, bumped, committed and tagged, and checked.

A version devkit bumps is plain `X.Y.Z`; pre-release, development, post-release, local and
epoch versions are refused with a message and never rewritten. A bump starts from the higher
of pyproject.toml's version and the highest `vX.Y.Z` tag, so a tag made elsewhere is never
reused. pyproject.toml is edited with tomlkit (comments and layout kept) and written
atomically.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from devkit import console
from devkit.env.project import PYPROJECT
from devkit.errors import DevkitError, UsageError
from devkit.files import fields, toml_file
from devkit.release import git

if TYPE_CHECKING:
    from packaging.version import Version

RELEASE_SUBJECT = "Release {version}"
PARTS = ("major", "minor", "patch")
TAG_PREFIX = "v"
_PLAIN = re.compile(r"(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)")


class Location(NamedTuple):
    """Where pyproject.toml keeps the version: the table's path and the value there."""

    table: tuple[str, ...]
    version: str

    @property
    def key(self) -> str:
        return f"[{'.'.join(self.table)}].version"


def read(root: Path) -> str:
    """The project's version from pyproject.toml: `[project].version`, else `[tool.poetry].version`."""
    return locate(toml_file.load(root / PYPROJECT), root / PYPROJECT).version


def locate(data: Mapping[str, Any], path: Path) -> Location:
    """Where the version is in parsed pyproject.toml; DevkitError when it is dynamic, missing or not text."""
    top = fields.Table(data, str(path), "", "fix it and run again")
    project = top.section("project", {})
    poetry = top.table("tool", {}).table("poetry", {})
    if "version" in project.data:
        return Location(("project",), project.string("version"))
    if "version" in poetry.data:
        return Location(("tool", "poetry"), poetry.string("version"))
    if "version" in project.strings("dynamic", ()):
        raise DevkitError(
            f'{path}: [project] has dynamic = ["version"]: devkit reads and bumps a static version; '
            'remove "version" from dynamic and set version = "X.Y.Z" in [project]'
        )
    raise DevkitError(f'{path} has no version: set version = "X.Y.Z" in [project] (or [tool.poetry])')


def parse(text: str, *, where: str = "the version") -> tuple[int, int, int]:
    """`X.Y.Z` as three numbers; DevkitError, naming `where`, for anything else."""
    from packaging.version import InvalidVersion, Version

    advice = "devkit handles plain X.Y.Z versions only: set one such as 1.4.2 and run again"
    try:
        version = Version(text)
    except InvalidVersion:
        raise DevkitError(f"{where} {text} is not a version: {advice}") from None
    if kind := _more_than_plain(version):
        raise DevkitError(f"{where} {text} {kind}: {advice}")
    match = _PLAIN.fullmatch(text)
    if match is None:
        raise DevkitError(f"{where} {text} is not of the form X.Y.Z: {advice}")
    return (int(match[1]), int(match[2]), int(match[3]))


def _more_than_plain(version: Version) -> str:
    """What `version` has beyond X.Y.Z, or "" when nothing."""
    if version.epoch:
        return "has an epoch"
    if version.pre is not None:
        return "is a pre-release"
    if version.post is not None:
        return "is a post-release"
    if version.dev is not None:
        return "is a development release"
    return "is a local version" if version.local is not None else ""


def tag_version(tag: str) -> tuple[int, int, int] | None:
    """The numbers of a `vX.Y.Z` (or `X.Y.Z`) tag; None for any other tag."""
    match = _PLAIN.fullmatch(tag.removeprefix(TAG_PREFIX))
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def tags(root: Path) -> list[str]:
    """The `vX.Y.Z` tags of the git repository at `root` (none outside a repository)."""
    if not git.in_repository(root):
        return []
    listed = git.run(root, "tag", "--list", f"{TAG_PREFIX}*").splitlines()
    return [name for name in listed if name.startswith(TAG_PREFIX) and tag_version(name) is not None]


def next_version(current: str, tags: Iterable[str], part: str) -> str:
    """The `part` bump of the higher of `current` and the highest `vX.Y.Z` in `tags`."""
    if part not in PARTS:
        raise UsageError(f"unknown version part {part!r}: choose one of {', '.join(PARTS)}")
    release_tags = [tag for tag in tags if tag.startswith(TAG_PREFIX)]
    found = [number for number in map(tag_version, release_tags) if number is not None]
    major, minor, patch = max([parse(current), *found])
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def tag_name(version: str) -> str:
    """The tag of a release: `vX.Y.Z`."""
    return f"{TAG_PREFIX}{version}"


def bump(root: Path, part: str, *, commit: bool = False, tag: bool = False, dry_run: bool = False) -> str:
    """Write the next `part` version into pyproject.toml; with `commit` the release commit, with `tag` its tag.

    Returns the new version. `dry_run` reports what would happen and changes nothing.
    """
    from devkit.release import edit

    if tag and not commit:
        raise UsageError("--tag needs --commit: the tag goes on the release commit")
    path = root / PYPROJECT
    text = edit.read_text(path)
    location = locate(toml_file.loads(text, path), path)
    parse(location.version, where=f"{path}: {location.key}")
    if commit:
        edit.require_committable(root)
    new = next_version(location.version, tags(root), part)
    if dry_run:
        edit.report_dry_run(
            location, new, RELEASE_SUBJECT.format(version=new) if commit else "", tag_name(new) if tag else ""
        )
        return new
    edit.write_version(path, text, location, new)
    console.info(f"{PYPROJECT}: {location.key} {location.version} -> {new}")
    if commit:
        edit.commit_release(root, text, RELEASE_SUBJECT.format(version=new))
    if tag:
        edit.make_tag(root, tag_name(new), RELEASE_SUBJECT.format(version=new))
    return new


def check(root: Path, tag: str) -> None:
    """DevkitError unless pyproject.toml's version, `tag` (`vX.Y.Z` or `X.Y.Z`) and every wheel in dist/ agree."""
    from devkit.release import wheels

    if not tag.strip():
        raise UsageError("--check needs a tag such as v1.5.0 (CI_COMMIT_TAG is set in tag pipelines only)")
    if tag != tag.strip() or not tag.isprintable():
        raise UsageError(f"--check {tag!r}: a git tag has no spaces or control characters; give it as git names it")
    path = root / PYPROJECT
    location = locate(toml_file.load(path), path)
    places = [(f"tag {tag}", tag.removeprefix(TAG_PREFIX)), (f"{PYPROJECT} {location.key}", location.version)]
    places += [(f"dist/{wheel.name}", version) for wheel, version in wheels.versions(root / "dist")]
    wheels.require_agreement(places)
