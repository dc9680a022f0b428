"""Installers behind one small interface: adding one means adding a module here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from devkit.env.project import Project


@dataclass(frozen=True)
class Target:
    """What to install, and where."""

    project: Project
    pyproject: Mapping[str, Any]
    groups: tuple[str, ...]
    root: bool
    interpreter: Path
    quiet: bool
    extras: tuple[str, ...] = ()

    @property
    def venv_python(self) -> Path:
        return self.project.venv / "bin" / "python"


class Installer(Protocol):
    """Makes `.venv` exactly the lock's selection for the target's groups."""

    name: str

    def version(self) -> str:
        """The installer's own version, recorded in the stamp."""
        ...

    def install(self, target: Target) -> None:
        """Install, removing whatever the selection does not contain."""
        ...
