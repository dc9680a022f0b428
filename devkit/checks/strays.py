"""Tool settings outside lint.toml, which devkit's merged config does not read.

ruff, mypy, pytest and coverage run with `.devkit/`'s merged config, so their settings in
pyproject.toml, setup.cfg or a file of their own are silently ignored: each such place is
named so its settings can move into the project's lint.toml.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

RECORD = "strays-warned"  # in .devkit/: the places `devkit run` last named, so it names them once
FILES = ("mypy.ini", ".mypy.ini", "pytest.ini", ".pytest.ini", ".coveragerc", "ruff.toml", ".ruff.toml")
SHARED = {"setup.cfg": ("[mypy", "[tool:pytest]", "[coverage:"), "tox.ini": ("[pytest]", "[coverage:")}


def places(root: Path, pyproject: Mapping[str, Any]) -> list[str]:
    """Each place in the project that holds ruff, mypy, pytest or coverage settings, in order."""
    tool = pyproject.get("tool", {})
    found = [f"pyproject.toml [tool.{name}]" for name in ("ruff", "mypy") if name in tool]
    if isinstance(tool.get("pytest"), Mapping) and "ini_options" in tool["pytest"]:
        found.append("pyproject.toml [tool.pytest.ini_options]")
    if isinstance(tool.get("pytest"), Mapping) and set(tool["pytest"]) - {"ini_options"}:
        found.append("pyproject.toml [tool.pytest]")  # pytest 9 reads its settings from this table too
    if isinstance(tool.get("coverage"), Mapping):
        found += [f"pyproject.toml [tool.coverage.{name}]" for name in tool["coverage"]]
    found += [name for name in FILES if (root / name).is_file()]
    for name, sections in SHARED.items():
        found += _sections(root / name, sections)
    return found


def _sections(path: Path, wanted: tuple[str, ...]) -> list[str]:
    """The headers of the tools' sections in a shared INI file (setup.cfg, tox.ini)."""
    if not path.is_file():
        return []
    lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    return [f"{path.name} {line.strip()}" for line in lines if line.strip().startswith(wanted)]
