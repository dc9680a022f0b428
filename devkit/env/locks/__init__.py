"""Lock files read as data: poetry.lock, uv.lock and Poetry's content-hash."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devkit.env.project import Project

# What a lock may record as a package's name and version: anything else would be read
# into a requirement line as something other than a name or a version.
NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+!_-]*")


def packages(project: Project) -> dict[str, tuple[str, str | None]]:
    """Each package of the project's lock, by canonical name: its version and local folder (None from an index)."""
    from devkit.env.locks import poetry_lock, uv_lock
    from devkit.env.names import canonical

    read: tuple[poetry_lock.Package | uv_lock.Package, ...]
    read = poetry_lock.read(project.lock).packages if project.is_poetry else uv_lock.read(project.lock).packages
    return {canonical(package.name): (package.version, package.folder) for package in read}
