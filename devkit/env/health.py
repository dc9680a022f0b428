"""What `devkit doctor` finds in a project's environment, each as one finding; nothing is changed.

Each function looks, never writes, installs or syncs: the interpreter a sync would use,
the lock against pyproject.toml, `.venv` against the lock, the git hooks, the devkit the
lock pins against the running one, and the installers.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from devkit.env import cache_key, interpreter, locks, programs, sync
from devkit.env.project import Project
from devkit.env.stamp import Request
from devkit.errors import DevkitError

DEVKIT = "devkit-toolchain"
HOOKS = ("pre-commit", "pre-push")


class Finding(NamedTuple):
    """One check: its name, whether it passed, and what was found or, when it failed, the fix."""

    check: str
    ok: bool
    message: str


def python(project: Project, pyproject: Mapping[str, Any]) -> Finding:
    """The interpreter a sync would build `.venv` with, found."""
    try:
        wanted, origin = interpreter.choose(pyproject, project.root)
        executable, full_version = interpreter.find(wanted, origin)
    except DevkitError as exc:
        return Finding("interpreter", False, str(exc))
    return Finding("interpreter", True, f"Python {full_version} at {executable} ({origin})")


def lock(project: Project, pyproject: Mapping[str, Any]) -> Finding:
    """The lock matches pyproject.toml: Poetry's content hash, or `uv lock --check`."""
    try:
        if project.is_poetry:
            sync.require_fresh_poetry_lock(project, pyproject)
        else:
            _check_uv_lock(project)
    except DevkitError as exc:
        return Finding("lock fresh", False, str(exc))
    return Finding("lock fresh", True, f"{project.lock_name} matches pyproject.toml")


def _check_uv_lock(project: Project) -> None:
    from devkit.env.installers.uv_project import UvProject

    uv = programs.find("uv")
    if uv is None:
        raise DevkitError("uv is not installed, so uv.lock cannot be checked: install uv (`pipx install uv`)")
    UvProject(uv, Request()).check_lock(project.root)


def venv(project: Project) -> Finding:
    """`.venv` is in sync with the lock, for the options of its last sync."""
    if not project.venv.is_dir():
        return Finding(".venv in sync", False, ".venv is missing: run `make sync` (or `devkit sync`)")
    try:
        reason = sync.staleness(project, cache_key.digest(project.key_files), sync.last_request(project))
    except DevkitError as exc:
        return Finding(".venv in sync", False, str(exc))
    if reason is not None:
        return Finding(".venv in sync", False, f".venv is out of date: {reason}; run `make sync`")
    return Finding(".venv in sync", True, f".venv is in sync with {project.lock_name}")


def hooks(root: Path) -> Finding:
    """The pre-commit and pre-push git hooks are installed, by pre-commit or prek."""
    try:
        result = subprocess.run(["git", "rev-parse", "--git-path", "hooks"], cwd=root, capture_output=True, text=True)
    except OSError:
        return Finding("hooks installed", False, "git is not installed: install git, then run `make hooks`")
    if result.returncode != 0:
        return Finding("hooks installed", False, f"{root} is not in a git repository: `git init`, then `make hooks`")
    folder = root / result.stdout.strip()
    missing = [name for name in HOOKS if not _installed(folder / name)]
    if missing:
        return Finding("hooks installed", False, f"no {' or '.join(missing)} hook in {folder}: run `make hooks`")
    return Finding("hooks installed", True, f"{' and '.join(HOOKS)} hooks in {folder}")


def _installed(hook: Path) -> bool:
    try:
        text = hook.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    return "pre-commit" in text or "prek" in text


def devkit_version(project: Project) -> Finding:
    """The devkit the lock pins is the one running; a folder in the lock counts as equal to itself."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        running = version(DEVKIT)
    except PackageNotFoundError:
        running = "from source"
    try:
        packages = locks.packages(project)
    except DevkitError as exc:
        return Finding("devkit version", False, str(exc))
    if DEVKIT not in packages:
        return Finding("devkit version", False, f"{DEVKIT} is not in {project.lock_name}: add it to the dev group")
    pinned, folder = packages[DEVKIT]
    if folder is not None:
        return Finding("devkit version", True, f"{project.lock_name} takes {DEVKIT} from a folder ({folder})")
    if pinned != running:
        return Finding(
            "devkit version",
            False,
            f"{project.lock_name} pins devkit {pinned}, this is devkit {running}: run `make sync`, "
            "then `.venv/bin/devkit doctor` (`make doctor`)",
        )
    return Finding("devkit version", True, f"devkit {running}, as {project.lock_name} pins")


def installers(project: Project) -> Finding:
    """uv, or for a poetry.lock uv or Poetry: what a sync installs with."""
    found = {name: programs.find(name.lower()) for name in ("uv", "Poetry")}
    shown = ", ".join(f"{name} at {path}" if path else f"{name} not found" for name, path in found.items())
    if found["uv"] is None and (not project.is_poetry or found["Poetry"] is None):
        needed = "uv" if not project.is_poetry else "uv or Poetry"
        return Finding(
            "uv/Poetry", False, f"{shown}: {project.lock_name} needs {needed}; install uv (`pipx install uv`)"
        )
    return Finding("uv/Poetry", True, shown)
