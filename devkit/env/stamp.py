"""The stamp in `.venv` that says which inputs built it.

It is removed before any install starts and written last, atomically, so an interrupted
sync is never taken for a good one. It is read by `devkit.env.noop`, on the cheap path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from devkit.env.noop import FORMAT, STAMP
from devkit.errors import DevkitError
from devkit.files import atomic


class Request(NamedTuple):
    """What the user asked for: compared as given, before any file is parsed.

    A NamedTuple, like the other records on the no-op path: dataclasses cost more to import.
    """

    only: tuple[str, ...] = ()
    with_groups: tuple[str, ...] = ()
    without: tuple[str, ...] = ()
    root: bool = True
    installer: str = ""
    extras: tuple[str, ...] = ()
    all_extras: bool = False

    @classmethod
    def from_json(cls, data: object) -> Request:
        """The request a stamp stored; the default request when it is unreadable."""
        if not isinstance(data, dict):
            return cls()
        try:
            return cls(
                only=tuple(data["only"]),
                with_groups=tuple(data["with_groups"]),
                without=tuple(data["without"]),
                root=bool(data["root"]),
                installer=str(data["installer"]),
                extras=tuple(data["extras"]),
                all_extras=bool(data["all_extras"]),
            )
        except (KeyError, TypeError):
            return cls()

    def as_json(self) -> dict[str, object]:
        """The request as the stamp stores it (and as `devkit.env.noop` rebuilds it from argv)."""
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self._asdict().items()}


class Stamp(NamedTuple):
    """What a finished sync installed, and from which inputs.

    `request` is the command line as given (what the no-op path compares); `selection` is
    it on top of the project's `[tool.devkit]` defaults, what the full path compares.
    """

    key: str
    request: Request
    groups: tuple[str, ...]
    python: str
    installer: str
    installer_version: str
    selection: Request


def path(venv: Path) -> Path:
    return venv / STAMP


def write(venv: Path, stamp: Stamp) -> None:
    """Write the stamp atomically: a reader sees no file or the whole new one."""
    data = {
        "format": FORMAT,
        "key": stamp.key,
        "request": stamp.request.as_json(),
        "selection": stamp.selection.as_json(),
        "groups": list(stamp.groups),
        "python": stamp.python,
        "installer": stamp.installer,
        "installer_version": stamp.installer_version,
    }
    atomic.write_text(path(venv), json.dumps(data, indent=2) + "\n")


def check_place(venv: Path) -> None:
    """Refuse a directory where the stamp belongs: a sync could neither remove nor replace it."""
    place = path(venv)
    if place.is_dir() and not place.is_symlink():
        raise DevkitError(f"{place} is a directory, not devkit's stamp: remove it, then run `devkit sync`")


def remove(venv: Path) -> None:
    """Forget that `venv` is in sync; called before anything in it changes."""
    path(venv).unlink(missing_ok=True)
