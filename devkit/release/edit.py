"""The steps of a bump that touch the project: the pyproject.toml edit, the release commit, the tag."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from devkit import console
from devkit.env.project import PYPROJECT
from devkit.errors import DevkitError
from devkit.files import atomic, toml_file
from devkit.release import git

if TYPE_CHECKING:
    from devkit.release.version import Location


def read_text(path: Path) -> str:
    """pyproject.toml's text; DevkitError naming the file when it cannot be read."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DevkitError(f"{path}: file not found: run devkit inside a project") from None
    except OSError as exc:
        raise atomic.failure(path, exc, what="read") from None
    return toml_file.decode(data, path)


def write_version(path: Path, text: str, location: Location, new: str) -> None:
    """Replace the version at `location` in `text` with `new` and write pyproject.toml; the rest is kept."""
    import tomlkit
    from tomlkit.items import String

    document = tomlkit.parse(text)
    table = document
    for name in location.table:
        table = table[name]
    old = table["version"]
    replacement = String.from_raw(new, type_=old.type) if isinstance(old, String) else tomlkit.string(new)
    table["version"] = replacement
    atomic.write_text(path, tomlkit.dumps(document))


def require_committable(root: Path) -> None:
    """DevkitError unless pyproject.toml is tracked by git and has no changes of its own to commit."""
    if not git.in_repository(root):
        raise DevkitError(f"{root} is not in a git repository: --commit makes a git commit; run `git init` first")
    if not git.run(root, "ls-files", "--", PYPROJECT).strip():
        raise DevkitError(f"{root / PYPROJECT} is not tracked by git: commit it first, then bump with --commit")
    if git.run(root, "status", "--porcelain", "--", PYPROJECT).strip():
        raise DevkitError(
            f"{root / PYPROJECT} has uncommitted changes: commit or revert them first, "
            "so that the release commit holds only the version"
        )


def commit_release(root: Path, original: str, subject: str) -> None:
    """Commit only pyproject.toml with `subject`; when git refuses, put back `original` and raise."""
    try:
        git.run(root, "commit", "--quiet", "--message", subject, "--", PYPROJECT)
    except DevkitError as exc:
        atomic.write_text(root / PYPROJECT, original)
        raise DevkitError(f"{exc}; {PYPROJECT} is unchanged: fix that and bump again") from None
    console.info(f"committed {PYPROJECT}: {subject}")


def make_tag(root: Path, name: str, message: str) -> None:
    """An annotated tag `name` on HEAD, the release commit; when git refuses, that commit is undone."""
    try:
        git.run(root, "tag", "--annotate", "--message", message, name, "HEAD")
    except DevkitError as exc:
        git.run(root, "reset", "--quiet", "--keep", "HEAD~1")  # pyproject.toml back to its committed text
        raise DevkitError(
            f"{exc}; the release commit is undone and {PYPROJECT} is unchanged: "
            "fetch the tags (`git fetch --tags`) and bump again"
        ) from None
    console.info(f"tagged {name}")


def report_dry_run(location: Location, new: str, subject: str, tag: str) -> None:
    """Say what a bump would do: the edit, the commit with `subject` and `tag` when given; nothing is changed."""
    console.info(f"would set {location.key} in {PYPROJECT}: {location.version} -> {new} (dry run, nothing changed)")
    if subject:
        console.info(f"would commit {PYPROJECT} alone: {subject}")
    if tag:
        console.info(f"would tag that commit {tag}")
