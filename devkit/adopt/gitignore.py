""".gitignore: the folders devkit and its tools create, ignored; every other line kept as it is."""

from __future__ import annotations

from pathlib import Path

from devkit.adopt.plan import Plan, read

FILE = ".gitignore"
# The environment, devkit's generated tool config, tool caches, built wheels.
IGNORED = (".venv/", ".devkit/", ".cache/", "dist/")


def _ignored(lines: set[str], entry: str) -> bool:
    name = entry.rstrip("/")
    return bool(lines & {entry, name, f"/{entry}", f"/{name}"})


def plan(plan: Plan, path: Path) -> None:
    """Add the lines `path` lacks at its end (creating the file if it is missing)."""
    current = read(path) or ""
    lines = {line.strip() for line in current.splitlines()}
    missing = [entry for entry in IGNORED if not _ignored(lines, entry)]
    if not missing:
        return
    separator = "\n" if current and not current.endswith("\n") else ""
    plan.change(path, current + separator + "".join(f"{entry}\n" for entry in missing))
    plan.notes.append(f"{FILE}: added {', '.join(missing)}")
