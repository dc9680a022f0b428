"""A uv.lock selection read from `uv export`, with the options `devkit sync` gives `uv sync`.

uv reads its own lock: devkit passes the same group options (`uv_project.group_arguments`)
and extras as a sync does, and reads uv's requirement lines back, one line per package
with its marker and hashes. Local folders and files (uv prints their paths) are matched
to their uv.lock entries for their names and versions.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

from devkit.env import programs
from devkit.env.export import Pin
from devkit.env.locks import uv_lock
from devkit.env.names import canonical
from devkit.env.project import Project
from devkit.env.stamp import Request
from devkit.errors import DevkitError

_LINE = re.compile(r"(?P<requirement>.+?)(?:\s+;\s*(?P<marker>.+?))?(?P<hashes>(?:\s+--hash=\S+)*)\s*")
_PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:==(?P<version>\S+)|\s*@\s*\S+)")


def pins(project: Project, selection: Request, extras: Sequence[str]) -> list[Pin]:
    """The packages `devkit sync` installs from uv.lock for `selection`, but the project itself."""
    from devkit.env.installers.uv_project import UvProject, group_arguments

    uv = programs.find("uv")
    if uv is None:
        raise DevkitError("uv is not installed or not on PATH: install it (`pipx install uv`), which uv.lock needs")
    UvProject(uv, selection).check_lock(project.root)
    command = [str(uv), "export", "--frozen", "--format", "requirements-txt", "--no-emit-project"]
    command += ["--no-header", "--no-annotate", *group_arguments(selection)]
    command += [argument for extra in extras for argument in ("--extra", extra)]
    result = subprocess.run(command, cwd=project.root, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise DevkitError(f"uv export failed ({detail}): fix uv.lock (`uv lock`) and run again")
    lock = uv_lock.read(project.lock)
    return [_pin(line, lock, project.root) for line in _logical_lines(result.stdout)]


def _logical_lines(text: str) -> Iterator[str]:
    """uv's requirement lines, each joined with its continued hash lines; comments dropped."""
    for line in text.replace("\\\n", " ").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


def _pin(line: str, lock: uv_lock.Lock, root: Path) -> Pin:
    parts = _LINE.fullmatch(line)
    if parts is None:
        raise _unreadable(line)
    requirement, marker = parts["requirement"], parts["marker"] or ""
    hashes = " ".join(parts["hashes"].split())
    pin = _PIN.fullmatch(requirement)
    if pin is not None:
        name = canonical(pin["name"])
        version = pin["version"] or _version(lock, name)
        text = requirement + (f" ; {marker}" if marker else "") + (f" {hashes}" if hashes else "")
        return Pin(name, version, marker, line=text)
    path = _path(requirement.removeprefix("-e").strip(), root)
    for package in lock.packages:
        if package.local is not None and (root / package.local).resolve() == path:
            return Pin(canonical(package.name), package.version, marker, path=path)
    raise _unreadable(line)


def _path(location: str, root: Path) -> Path:
    """A local requirement's absolute path: uv prints it relative to the project, or as a file URL."""
    if location.startswith("file://"):
        from urllib.parse import unquote, urlsplit

        return Path(unquote(urlsplit(location).path)).resolve()
    return (root / location).resolve()


def _version(lock: uv_lock.Lock, name: str) -> str:
    versions = [package.version for package in lock.packages if canonical(package.name) == name]
    return ", ".join(dict.fromkeys(versions))


def _unreadable(line: str) -> DevkitError:
    return DevkitError(f"cannot read the line {line!r} of `uv export`: run `uv lock`, or update uv")
