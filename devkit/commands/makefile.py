"""`devkit makefile`: the path of the shipped Makefile include, for a project's `include`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from devkit.errors import DevkitError


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "makefile",
        help="print the path of devkit's Makefile include",
        description="Print the path of make/devkit.mk inside the installed devkit. A project's Makefile "
        "includes it: include $(shell .venv/bin/devkit makefile). make splits an include at spaces, so "
        "when the absolute path has one, the path relative to the current folder is printed instead.",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import resources

    print(include_path(resources.shipped("make/devkit.mk").resolve(), Path.cwd().resolve()))
    return 0


def include_path(path: Path, cwd: Path) -> str:
    """`path` as make can include it from `cwd`: absolute, or relative when the absolute one has a space."""
    absolute = str(path)
    if not _has_space(absolute):
        return absolute
    relative = os.path.relpath(path, cwd)
    if not _has_space(relative):
        return relative
    raise DevkitError(
        f"make cannot include {absolute}: its path has a space, also relative to {cwd}; "
        "install devkit into the project's .venv (its dev group), or move the project to a path without spaces"
    )


def _has_space(text: str) -> bool:
    return any(character.isspace() for character in text)
