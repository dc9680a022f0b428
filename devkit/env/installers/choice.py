"""Which installer a sync uses: uv by default, Poetry when asked or when only Poetry can be exact."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devkit import console
from devkit.env import programs, settings
from devkit.env.installers import Installer
from devkit.env.locks.poetry_lock import Lock
from devkit.env.project import Project
from devkit.env.stamp import Request
from devkit.errors import DevkitError

CHOICES = ("uv", "poetry")


def configured(pyproject: Mapping[str, Any], request: Request) -> str:
    """The installer the user asked for: `--installer`, else `[tool.devkit] installer`, else ""."""
    value = request.installer or settings.table(pyproject).get("installer", "")
    if value not in ("", *CHOICES):
        raise DevkitError(f"[tool.devkit] installer = {value!r} in pyproject.toml: use one of {', '.join(CHOICES)}")
    return str(value)


def for_poetry_lock(lock: Lock, pyproject: Mapping[str, Any], request: Request, root: bool) -> Installer:
    """uv reading the lock, unless Poetry is asked for or is the only exact way."""
    from devkit.env.installers.poetry import PoetrySync
    from devkit.env.installers.uv_pip import UvFromPoetryLock

    if configured(pyproject, request) == "poetry":
        return PoetrySync(
            _require("poetry", "install it (`pipx install poetry`) or drop --installer poetry to install with uv"),
            request,
        )
    reason = lock.unsupported()
    if reason is None and root and "build-system" not in pyproject:
        reason = "pyproject.toml has no [build-system] table"
    if reason is not None:
        console.note(f"{reason}: installing with `poetry sync` instead")
        return PoetrySync(_require("poetry", "install it (`pipx install poetry`), which this lock needs"), request)
    uv = programs.find("uv")
    if uv is not None:
        return UvFromPoetryLock(uv, lock)
    poetry = programs.find("poetry")
    if poetry is None:
        raise DevkitError("no installer found: install uv (`pipx install uv`) or Poetry, then run `devkit sync` again")
    console.note("uv not found: installing with `poetry sync` (slower); `pipx install uv` makes syncs fast")
    return PoetrySync(poetry, request)


def for_uv_lock(project: Project, pyproject: Mapping[str, Any], request: Request) -> Installer:
    """`uv sync --locked`; the lock is checked before anything is installed."""
    from devkit.env.installers.uv_project import UvProject

    if configured(pyproject, request) == "poetry":
        raise DevkitError("--installer poetry needs a poetry.lock; this project is locked by uv (uv.lock)")
    installer = UvProject(_require("uv", "install it (`pipx install uv`), which uv.lock needs"), request)
    installer.check_lock(project.root)
    return installer


def _require(name: str, advice: str) -> Path:
    found = programs.find(name)
    if found is None:
        raise DevkitError(f"{name} is not installed or not on PATH: {advice}")
    return found
