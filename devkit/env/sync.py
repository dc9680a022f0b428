"""`devkit sync`: make `.venv` exactly the lock's selection, or find that it already is.

The no-op path reads two files, hashes them and compares the stamp: no TOML parsing, no
installer start. Everything else happens under the project's sync lock, in an order that
leaves `.venv` untouched on bad input: parse, check the lock is fresh, find the Python and
the installer, and only then remove the stamp and install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from devkit import console
from devkit.env import cache_key, noop, stamp
from devkit.env.project import Project
from devkit.env.stamp import Request
from devkit.errors import DevkitError, StaleError

if TYPE_CHECKING:
    from devkit.env.installers import Installer
    from devkit.env.locks.poetry_lock import Lock


def staleness(project: Project, key: str, request: Request) -> str | None:
    """Why `.venv` is not in sync for `request`, or None when it is.

    `--with dev` in a project whose `[tool.devkit] with` names dev asks for what a plain
    sync installs: the two compare equal once the project's defaults are applied.
    """
    stamp.check_place(project.venv)

    def selection() -> dict[str, object]:
        from devkit.env import groups, pyproject

        return groups.with_defaults(pyproject.read(project.pyproject), request).as_json()

    return noop.staleness(str(project.root), project.lock_name, request.as_json(), key, selection)


def check(project: Project, request: Request) -> None:
    """Raise StaleError, saying why and what to run, unless `.venv` is in sync."""
    reason = staleness(project, cache_key.digest(project.key_files), request)
    if reason is None:
        return
    if project.is_poetry:
        from devkit.env import pyproject

        require_fresh_poetry_lock(project, pyproject.read(project.pyproject))
    raise StaleError(f".venv is out of date: {reason}; run `devkit sync`")


def sync(project: Project, request: Request, *, quiet: bool) -> None:
    """Bring `.venv` in sync, waiting for any other sync of this project first."""
    if staleness(project, cache_key.digest(project.key_files), request) is None:
        _report_noop(project, quiet)
        return
    from devkit.env import sync_lock

    with sync_lock.exclusive(project.state_dir() / "sync.lock", quiet=quiet):
        key = cache_key.digest(project.key_files)
        if staleness(project, key, request) is None:
            _report_noop(project, quiet)
            return
        _install(project, key, request, quiet=quiet)


def keep_current(project: Project) -> None:
    """Sync again when the lock or pyproject.toml changed, with the options of the last sync.

    What `devkit run` does first: a `.venv` synced `--with docs` stays so. Silent when
    nothing changed.
    """
    request = last_request(project)
    if staleness(project, cache_key.digest(project.key_files), request) is not None:
        sync(project, request, quiet=False)


def last_request(project: Project) -> Request:
    """The options of the last finished sync, or the default ones."""
    stored = noop.read_stamp(str(project.root))
    return Request.from_json(stored.get("request") if stored else None)


def _report_noop(project: Project, quiet: bool) -> None:
    if not quiet:
        console.info(f".venv is in sync with {project.lock_name}")


def _install(project: Project, key: str, request: Request, *, quiet: bool) -> None:
    from devkit.env import groups, interpreter, programs, venv
    from devkit.env import pyproject as pyproject_file
    from devkit.env.installers import Target

    pyproject = pyproject_file.read(project.pyproject)
    selection = groups.with_defaults(pyproject, request)
    installer, selected, root = _plan(project, pyproject, selection)
    extras = groups.select_extras(groups.defined_extras(pyproject), selection)
    wanted, origin = interpreter.choose(pyproject, project.root)
    executable, full_version = interpreter.find(wanted, origin)
    installer_version = installer.version()
    venv.require_replaceable(project.venv)
    stamp.remove(project.venv)
    rebuilt = venv.ensure(project.venv, executable, wanted, uv=programs.find("uv"), quiet=quiet)
    target = Target(project, pyproject, selected, root, executable, quiet, extras)
    installer.install(target)
    if rebuilt:
        venv.prune(project.venv)
    done = stamp.Stamp(key, request, selected, full_version, installer.name, installer_version, selection)
    stamp.write(project.venv, done)
    if not quiet:
        shown = f" (extras: {', '.join(extras)})" if extras else ""
        console.info(
            f"synced .venv: {', '.join(selected)}{shown} with {installer.name} {installer_version}, "
            f"Python {full_version}"
        )


def _plan(project: Project, pyproject: Mapping[str, Any], request: Request) -> tuple[Installer, tuple[str, ...], bool]:
    """The installer, the groups and whether the project itself is installed."""
    from devkit.env import groups
    from devkit.env.installers import choice

    if project.is_poetry:
        lock = require_fresh_poetry_lock(project, pyproject)
        selected = groups.select(groups.defined(pyproject), request)
        root = request.root and pyproject.get("tool", {}).get("poetry", {}).get("package-mode", True) is not False
        return choice.for_poetry_lock(lock, pyproject, request, root), selected, root
    from devkit.env.locks import uv_lock

    uv_lock.read(project.lock)
    selected = groups.select(groups.defined_for_uv(pyproject), request)
    return choice.for_uv_lock(project, pyproject, request), selected, request.root


def require_fresh_poetry_lock(project: Project, pyproject: Mapping[str, Any]) -> Lock:
    """poetry.lock, read and checked; a lock older than pyproject.toml is refused before anything is done."""
    from devkit.env.locks import content_hash, poetry_lock

    lock = poetry_lock.read(project.lock)
    if not content_hash.is_fresh(pyproject, lock.content_hash, lock.header):
        raise DevkitError(
            "poetry.lock is stale: pyproject.toml changed since it was locked; run `poetry lock`, "
            "commit poetry.lock, then `devkit sync` (.venv was not touched)"
        )
    return lock
