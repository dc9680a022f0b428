"""`devkit upgrade`: re-render every file devkit renders that this devkit renders differently."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devkit.env.project import Project
    from devkit.render.files import Managed

DESCRIPTION = """\
Re-render every file devkit renders into the project (.gitlab-ci.yml, Dockerfile and
.dockerignore with [tool.devkit.image], and devkit's bootstrap block in the Makefile, the
rest of the Makefile kept) that differs from what this devkit renders, and say, per
file, what changed. Run it after bumping devkit in the project's lock: `make
sync` first brings the new devkit into .venv, then `devkit upgrade` (or `make upgrade`)
renders with it; commit the lock and the files it names.

A file that devkit did not write is never written over: it is named with the way to keep
its content, the others are still written, and the exit code is 1.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "upgrade",
        help="re-render the files devkit renders, after a devkit bump (`make sync` first)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import console
    from devkit.env.project import find_project
    from devkit.errors import DevkitError
    from devkit.render import files

    project = find_project(Path.cwd())
    updated, refused = [], []
    for managed in files.managed_files(project):
        try:
            changed = _upgrade(project, managed)
        except DevkitError as exc:
            refused.append(str(exc))
            continue
        updated += [str(managed.path.relative_to(project.root))] if changed else []
    for message in refused:
        console.error(message)
    if updated:
        print(f"commit {', '.join(updated)}: what this devkit renders (with the lock that pins it)")
    else:
        print("nothing to commit: every file devkit renders is current")
    return 1 if refused else 0


def _upgrade(project: Project, managed: Managed) -> bool:
    """Write `managed` when it differs and say so; whether it was written."""
    from devkit.render import files
    from devkit.render import managed as managed_file

    name = managed.path.relative_to(project.root)
    diff = managed.difference()
    if not diff:
        print(f"{name} is current")
        return False
    managed_file.write(
        managed.path, managed.text, force=not managed.whole, command=managed.command, advice=managed.advice
    )
    added, removed = files.changed_lines(diff)
    print(f"updated {name} (+{added} -{removed} lines)")
    return True
