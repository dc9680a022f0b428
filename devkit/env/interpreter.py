"""The project's Python: one setting that local syncs and the CI image share.

`[tool.devkit] python = "3.11"` when set; otherwise the lowest version the project's
requires-python admits.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devkit.env import settings
from devkit.errors import DevkitError
from devkit.files.fields import shown

# ASCII digits only, matched whole: `\d` takes other scripts' digits and `$` a final newline.
# No leading zeros and at most three digits a part: the setting names an image tag (python:3.11-slim).
_PART = "(0|[1-9][0-9]{0,2})"
_VERSION = re.compile(rf"{_PART}\.{_PART}(\.{_PART})?")
_LOWER_BOUND = re.compile(r"(>=|\^|~=|~|==)\s*([0-9]+)\.([0-9]+)")
# The version, and the interpreter behind any venv or shim: a .venv is never built on
# another venv's Python (which may be the very .venv being rebuilt).
_PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(getattr(sys, '_base_executable', sys.executable))"


def setting(pyproject: Mapping[str, Any]) -> tuple[str, str]:
    """The Python version to use ("3.11") and where it came from, for messages."""
    configured = settings.table(pyproject).get("python")
    if configured is not None:
        if not isinstance(configured, str) or not _VERSION.fullmatch(configured):
            raise DevkitError(
                f'[tool.devkit] python = {shown(configured)} in pyproject.toml is not a version: write it like "3.11"'
            )
        return configured, "[tool.devkit] python"
    requires = _requires_python(pyproject)
    if requires is None:
        raise DevkitError('pyproject.toml names no Python version: add [tool.devkit] python = "3.11"')
    return _lowest(requires), f"requires-python {requires!r}"


def _requires_python(pyproject: Mapping[str, Any]) -> str | None:
    project = pyproject.get("project", {}).get("requires-python")
    if isinstance(project, str):
        return project
    poetry = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    return poetry if isinstance(poetry, str) else None


def _lowest(requires: str) -> str:
    candidates = []
    for alternative in requires.split("||"):
        bounds = [(int(major), int(minor)) for _, major, minor in _LOWER_BOUND.findall(alternative)]
        if bounds:
            candidates.append(max(bounds))
    if not candidates:
        raise DevkitError(
            f'cannot tell which Python to use from requires-python {requires!r}: add [tool.devkit] python = "3.11"'
        )
    major, minor = min(candidates)
    return f"{major}.{minor}"


def probe(executable: Path) -> tuple[str, Path] | None:
    """The full version ("3.11.7") of an interpreter and its base executable; None when it does not run."""
    try:
        result = subprocess.run([executable, "-c", _PROBE], capture_output=True, text=True, check=False)
    except OSError:
        return None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 2:
        return None
    return lines[0], Path(lines[1])


def matches(full_version: str, wanted: str) -> bool:
    """Whether "3.11.7" satisfies the setting "3.11" (or "3.11.7")."""
    return full_version == wanted or full_version.startswith(wanted + ".")


def find(wanted: str, origin: str) -> tuple[Path, str]:
    """An interpreter for `wanted` and its full version; a clear error when there is none."""
    major_minor = ".".join(wanted.split(".")[:2])
    names = [f"python{major_minor}", "python3", "python"]
    candidates = [Path(path) for name in names if (path := shutil.which(name))]
    candidates.append(Path(sys.executable))
    for candidate in candidates:
        found = probe(candidate)
        if found is not None and matches(found[0], wanted):
            return found[1], found[0]
    raise DevkitError(
        f"Python {wanted} ({origin}) is not installed or not on PATH: install it "
        f"(for example `uv python install {wanted}`) or change that setting"
    )
