"""`devkit check`: every file devkit renders is what this devkit renders."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devkit.env.project import Project

DESCRIPTION = """\
Exit 1 with a unified diff for every file devkit renders into the project that differs
from what this devkit renders: .gitlab-ci.yml, Dockerfile and .dockerignore with
[tool.devkit.image], and devkit's bootstrap block in the Makefile (the targets `make help`
lists before devkit is installed). The last line names the stale files; `devkit upgrade`
re-renders them. Silent, exit 0, when all are current. The devkit-check hook runs it, and
so do the first check job of the rendered pipeline and `devkit ci run` (`make ci`),
before their stages.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "check",
        help="fail with a diff when a file devkit renders is out of date",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env.project import find_project

    return check(find_project(Path.cwd()))


def check(project: Project) -> int:
    """Print the diff of every stale managed file and name them; 1 when any is stale."""
    from devkit import console
    from devkit.render import files

    stale = []
    for managed in files.managed_files(project):
        diff = managed.difference()
        if diff:
            print(diff, end="")
            stale.append(str(managed.path.relative_to(project.root)))
    if not stale:
        return 0
    console.error(f"{files.stale_message(stale)} and commit")
    return 1
