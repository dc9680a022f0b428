"""`devkit stages [--json]`: every stage and the exact commands it runs."""

from __future__ import annotations

import argparse
import json
import shlex
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "stages",
        help="list the stages and their exact commands",
        description="List every stage of the project (devkit's and [tool.devkit.stages]) and the commands "
        "`devkit run STAGE` executes, in order. make, the hooks and the CI pipeline read this list.",
    )
    parser.add_argument("--json", action="store_true", help='print {"STAGE": [[argv...], ...]} for tools')
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.checks import runner, stages
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    table = stages.table(pyproject_file.read(project.pyproject))
    listing = {name: [runner.argv(project, command) for command in commands] for name, commands in table.items()}
    if args.json:
        print(json.dumps(listing, indent=2))
        return 0
    for name, commands in listing.items():
        print(f"{name}: {stages.DESCRIPTIONS.get(name, 'defined in [tool.devkit.stages]')}")
        for words in commands:
            print(f"  {shlex.join(words)}")
    return 0
