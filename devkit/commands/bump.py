"""`devkit bump major|minor|patch`: the next version into pyproject.toml, optionally committed and tagged."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Write the next version into pyproject.toml ([project].version, else [tool.poetry].version),
keeping its comments and layout, and print it on stdout. The bump starts from the higher of
pyproject.toml's version and the highest vX.Y.Z git tag: major 1.4.2 -> 2.0.0, minor
1.4.2 -> 1.5.0, patch 1.4.2 -> 1.4.3. Only plain X.Y.Z versions are bumped: a pre-release,
post-release, development or local version is refused, and so is a dynamic version.

  --commit   make the release commit: pyproject.toml alone, subject "Release X.Y.Z"
             (refused while pyproject.toml has uncommitted changes of its own)
  --tag      with --commit: an annotated tag vX.Y.Z on that commit (refused if it exists)
  --dry-run  say what would happen, change nothing
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bump",
        help="bump the version in pyproject.toml (major, minor or patch); optionally commit and tag",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("part", choices=("major", "minor", "patch"), help="which number to raise")
    parser.add_argument("--commit", action="store_true", help="commit pyproject.toml alone as the release commit")
    parser.add_argument("--tag", action="store_true", help="tag the release commit vX.Y.Z (needs --commit)")
    parser.add_argument("--dry-run", action="store_true", help="print what would happen and change nothing")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env.project import find_root
    from devkit.release import version

    root = find_root(Path.cwd())
    print(version.bump(root, args.part, commit=args.commit, tag=args.tag, dry_run=args.dry_run))
    return 0
