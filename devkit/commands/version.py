"""`devkit version [--check TAG]`: the project's version, or the check that a release's versions agree."""

from __future__ import annotations

import argparse
from pathlib import Path

DESCRIPTION = """\
Print the project's version from pyproject.toml ([project].version, else
[tool.poetry].version) on stdout.

With --check TAG, exit 1 unless pyproject.toml's version, TAG (vX.Y.Z or X.Y.Z) and the
version in the file name of every wheel in dist/ agree; the message names each place that
disagrees. A tag pipeline runs `devkit version --check "$CI_COMMIT_TAG"` before it publishes.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "version",
        help="print the project's version, or check it against a tag and the wheels in dist/",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", metavar="TAG", help="fail unless pyproject.toml, TAG and dist/*.whl agree")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import console
    from devkit.env.project import find_root
    from devkit.release import version

    root = find_root(Path.cwd())
    if args.check is not None:
        version.check(root, args.check)
        console.info(f"pyproject.toml, tag {args.check} and the wheels in dist/ agree")
    print(version.read(root))
    return 0
