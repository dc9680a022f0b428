"""Where the project is and which lock file it uses: only path checks, no parsing."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from devkit.env.root import PYPROJECT as PYPROJECT  # the names the other modules import from here
from devkit.env.root import STATE_DIR as STATE_DIR
from devkit.env.root import nearest
from devkit.errors import DevkitError
from devkit.files import atomic

POETRY_LOCK = "poetry.lock"
UV_LOCK = "uv.lock"
VENV = ".venv"


class Project(NamedTuple):
    """A project root and the lock file that pins its environment."""

    root: Path
    lock_name: str

    @property
    def pyproject(self) -> Path:
        return self.root / PYPROJECT

    @property
    def lock(self) -> Path:
        return self.root / self.lock_name

    @property
    def venv(self) -> Path:
        return self.root / VENV

    @property
    def key_files(self) -> tuple[Path, Path]:
        """The files whose contents key the environment, as CI's cache lists them."""
        return (self.lock, self.pyproject)

    @property
    def is_poetry(self) -> bool:
        return self.lock_name == POETRY_LOCK

    def state_dir(self) -> Path:
        """devkit's git-ignored working folder in the project, created on first use."""
        path = self.root / STATE_DIR
        ignore = path / ".gitignore"
        if not ignore.is_file():
            atomic.make_folder(path)  # two devkit processes may get here at once
            atomic.write_text(ignore, "# created by devkit\n*\n")
        return path


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` that holds a pyproject.toml."""
    start = start.resolve()
    found = nearest(str(start))
    if found is not None:
        return Path(found)
    raise DevkitError(f"no {PYPROJECT} in {start} or any parent folder: run devkit inside a project")


def find_project(start: Path) -> Project:
    """The project around `start`, with its lock file."""
    root = find_root(start)
    present = [name for name in (POETRY_LOCK, UV_LOCK) if (root / name).is_file()]
    if not present:
        raise DevkitError(
            f"{root / PYPROJECT} has no lock file beside it: run `poetry lock` (or `uv lock`) and commit the lock"
        )
    if len(present) == 2:
        raise DevkitError(f"{root} has both {POETRY_LOCK} and {UV_LOCK}: delete the one your project no longer uses")
    return Project(root=root, lock_name=present[0])
