"""`devkit doctor`: one screen of checks on the project's setup, each with its fix; changes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from devkit.env.health import Finding
    from devkit.env.project import Project

DESCRIPTION = """\
One line per check, `ok` or `fix` and, when it is not ok, what to do:

  interpreter      the Python a sync builds .venv with is installed
  lock fresh       the lock matches pyproject.toml (Poetry's content hash, `uv lock --check`)
  .venv in sync    .venv is what the lock selects (`devkit sync` makes it so)
  hooks installed  the pre-commit and pre-push git hooks are installed (`make hooks`)
  managed files    the files devkit renders are current (`devkit upgrade`)
  devkit version   the devkit the lock pins is the one running (a folder counts as itself)
  uv/Poetry        an installer for the lock is on PATH
  tool config      no ruff, mypy, pytest or coverage settings outside lint.toml, where
                   devkit would not read them

It never writes, syncs or installs anything. Exit 1 when any check needs a fix.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "doctor",
        help="check the project's setup, one line per check with its fix (changes nothing)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import console
    from devkit.env import health
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    findings = [
        health.python(project, pyproject),
        health.lock(project, pyproject),
        health.venv(project),
        health.hooks(project.root),
        _managed_files(project),
        health.devkit_version(project),
        health.installers(project),
        *_tool_config(project, pyproject),
    ]
    for finding in findings:
        print(f"{'ok' if finding.ok else 'fix':<4} {finding.check}: {finding.message}")
    failed = sum(not finding.ok for finding in findings)
    if failed:
        console.error(f"{failed} of {len(findings)} checks need a fix: each says how above")
        return 1
    return 0


def _managed_files(project: Project) -> Finding:
    from devkit.env.health import Finding
    from devkit.errors import DevkitError
    from devkit.render import files

    try:
        managed = files.managed_files(project)
        stale = [str(file.path.relative_to(project.root)) for file in managed if file.difference()]
    except DevkitError as exc:
        return Finding("managed files", False, str(exc))
    if stale:
        return Finding("managed files", False, files.stale_message(stale))
    names = ", ".join(str(file.path.relative_to(project.root)) for file in managed)
    return Finding("managed files", True, f"{names}: what this devkit renders")


def _tool_config(project: Project, pyproject: Mapping[str, Any]) -> list[Finding]:
    from devkit.checks import strays
    from devkit.env.health import Finding

    places = strays.places(project.root, pyproject)
    if not places:
        return [Finding("tool config", True, "ruff, mypy, pytest and coverage read lint.toml only")]
    return [
        Finding("tool config", False, f"{place} is not read by devkit: move its settings into lint.toml")
        for place in places
    ]
