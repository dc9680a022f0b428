"""`devkit export`: the selection `devkit sync` installs, as a requirements file with hashes."""

from __future__ import annotations

import argparse
from pathlib import Path

from devkit.commands.sync import add_selection_arguments, selection_of

DESCRIPTION = """\
Print (or write with -o) the packages `devkit sync` installs for the same options, as a
requirements file: one line per package, pinned, with its hashes and its lock marker,
from poetry.lock or uv.lock. What a production image installs with
`uv pip sync --require-hashes` (or pip's --require-hashes).

The selection is the sync's: the project's [tool.devkit] with/extras defaults apply, and
--only, --with, --without, -E and --all-extras change it as they change a sync. Extras
are decided here (a poetry.lock marker `extra == "NAME"` holds exactly when NAME is
requested); the environment markers (python_version, sys_platform...) are kept for the
installer. The project itself is not listed: the image installs it from its wheel.
Packages from a local folder or file come last, as `NAME @ file:///PATH` lines.

A poetry.lock older than pyproject.toml is refused, as a sync refuses it. With -o, the
file is rewritten only when its content changes, so a Docker layer that copies it stays
cached.

Exit codes: 0 exported, 1 failed, 2 bad usage.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "export",
        help="print the lock's selection as requirements with hashes",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_selection_arguments(parser, "export")
    parser.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="write FILE (only when its content changes), not stdout"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env.export import export
    from devkit.env.project import find_project

    text = export(find_project(Path.cwd()), selection_of(args)).text()
    if args.output is None:
        print(text, end="")
        return 0
    write(args.output, text)
    return 0


def write(target: Path, text: str) -> None:
    """Write `text` to `target` atomically, unless it already holds exactly that."""
    from devkit import console
    from devkit.errors import DevkitError
    from devkit.files import atomic

    if target.is_dir():
        raise DevkitError(f"{target} is a folder: give -o the path of a file")
    if atomic.write_text_if_changed(target, text):
        console.info(f"wrote {target}")
    else:
        console.info(f"{target} is up to date")
