"""`devkit run STAGE [FILES...]`: run one stage of the stage table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from devkit.env.project import Project

DESCRIPTION = """\
Run every command of STAGE (see `devkit stages`) with the tools of the project's .venv,
from the project root, with the effective config (devkit's lint.toml plus the
project's). .venv is synced first when it is stale. Each command is printed before it
runs; all of them run even when one fails; the exit code is 1 when any failed.

FILES narrow the file-based tools (ruff) to those files and folders (`.` is the whole
project; the excludes still apply); whole-project tools (mypy, pytest) still check the
whole project. Files that are not Python are skipped; a path that does not exist or lies
outside the project is an error. Put `--` before FILES that start with a dash.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run a stage (lint, format, typecheck, tests, ...)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stage", metavar="STAGE", help="the stage to run")
    parser.add_argument("files", metavar="FILES", nargs="*", help="limit file-based tools to these files and folders")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.checks import runner, stages
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    commands = stages.lookup(stages.table(pyproject), args.stage)
    targets = runner.narrow(project.root, args.files) if args.files else None
    runner.prepare(project)
    _warn_once_about_strays(project, pyproject)
    return runner.run(project, args.stage, commands, targets)


def _warn_once_about_strays(project: Project, pyproject: Mapping[str, Any]) -> None:
    """Name the tool settings devkit does not read, once for each set of them."""
    from devkit import console
    from devkit.checks import strays
    from devkit.files import atomic

    places = strays.places(project.root, pyproject)
    record = project.state_dir() / "strays-warned"
    shown = "\n".join(places)
    if not places or (record.is_file() and record.read_text(encoding="utf-8", errors="replace") == shown):
        return
    console.note(
        f"devkit does not read the tool settings in {', '.join(places)}: the tools run with devkit's "
        "lint.toml and the project's; move them into lint.toml (said once; `devkit doctor` lists them)"
    )
    atomic.write_text(record, shown)
