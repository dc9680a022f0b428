"""`devkit sync`: build `.venv` from the lock, exactly; a no-op when nothing changed."""

from __future__ import annotations

import argparse
from pathlib import Path

from devkit.env.project import Project, find_project
from devkit.env.stamp import Request

DESCRIPTION = """\
Make the project's .venv exactly the lock's selection: the packages of the requested
groups, at the locked versions, with their hashes; whatever else is there is removed.
By default main and every non-optional group (what `poetry sync` installs). Runs from
any folder of the project. When poetry.lock, pyproject.toml and the options are what the
last sync used, it returns at once without starting an installer.

Extras as Poetry installs them: -E NAME (or --all-extras) adds the packages the lock
marks `extra == "NAME"`.

The project's default selection in pyproject.toml applies to every sync (make, the
hooks, CI): [tool.devkit] with = ["GROUP", ...] adds optional groups; extras = ["NAME",
...] or all-extras = true adds extras. Options add to it: --with and -E add, --without
removes a group, --only names the groups alone (the default extras still apply).

The installer is uv reading poetry.lock (or `uv sync --locked` for uv.lock). Poetry does
the install with --installer poetry, or when the lock needs it (a note says so). The
Python is [tool.devkit] python in pyproject.toml, else .python-version, else the newest
python3.X on PATH that both requires-python and devkit (3.11+) admit.

Exit codes: 0 in sync, 1 failed (or stale, with --check), 2 bad usage.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sync",
        help="build .venv from the lock (a no-op when nothing changed)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_selection_arguments(parser, "install")
    parser.add_argument(
        "--no-root", action="store_true", help="do not install the project itself (it is installed editable by default)"
    )
    parser.add_argument(
        "--installer", choices=("uv", "poetry"), help="who installs (default: uv, or [tool.devkit] installer)"
    )
    parser.add_argument(
        "--check", action="store_true", help="install nothing: exit 0 when .venv is in sync, 1 when stale"
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="print only errors (the installer's progress shows on a terminal otherwise)",
    )
    parser.set_defaults(run=run)


def add_selection_arguments(parser: argparse.ArgumentParser, verb: str) -> None:
    """The group and extra options of `devkit sync`, shared by the commands that select as it does."""
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="GROUP",
        help=f"{verb} only these groups (e.g. --only main for production)",
    )
    parser.add_argument(
        "--with",
        dest="with_groups",
        action="append",
        default=[],
        metavar="GROUP",
        help=f"also {verb} an optional group",
    )
    parser.add_argument("--without", action="append", default=[], metavar="GROUP", help="leave out a group")
    parser.add_argument(
        "-E",
        "--extras",
        action="append",
        default=[],
        metavar="EXTRA",
        help=f"also {verb} the optional dependencies of an extra of the project (repeatable, or comma-separated)",
    )
    parser.add_argument("--all-extras", action="store_true", help=f"{verb} the optional dependencies of every extra")


def selection_of(args: argparse.Namespace) -> Request:
    """The groups and extras the command line asks for (the options `add_selection_arguments` adds)."""
    return Request(
        only=_split(args.only),
        with_groups=_split(args.with_groups),
        without=_split(args.without),
        extras=_split(args.extras),
        all_extras=args.all_extras,
    )


def _split(values: list[str]) -> tuple[str, ...]:
    """Names from repeated, comma- or space-separated options, normalised as Poetry does."""
    from devkit.env.names import canonical

    return tuple(sorted({canonical(name) for value in values for name in value.replace(",", " ").split()}))


def request_of(args: argparse.Namespace) -> Request:
    """What the command line asks for, as the stamp records it."""
    return selection_of(args)._replace(root=not args.no_root, installer=args.installer or "")


def run(args: argparse.Namespace) -> int:
    from devkit.env import sync

    request = request_of(args)
    project = find_project(Path.cwd())
    _require_known_groups(project, request)
    if args.check:
        sync.check(project, request)
        if not args.quiet:
            from devkit import console

            console.info(f".venv is in sync with {project.lock_name}")
        return 0
    sync.sync(project, request, quiet=args.quiet)
    return 0


def _require_known_groups(project: Project, request: Request) -> None:
    """Raise UsageError when the request names a group or extra pyproject.toml does not define.

    Checked before anything else, with --check too: a misspelt group is bad usage, not a
    stale .venv. The default request names no group and reads nothing.
    """
    if not (request.only or request.with_groups or request.without or request.extras):
        return
    from devkit.env import groups
    from devkit.files import toml_file

    pyproject = toml_file.load(project.pyproject)
    available = groups.defined(pyproject) if project.is_poetry else groups.defined_for_uv(pyproject)
    groups.select(available, request)
    groups.select_extras(groups.defined_extras(pyproject), request)
