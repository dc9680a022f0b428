"""`devkit config [TOOL]`: the effective config, as the tools read it."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "config",
        help="print the effective tool config (devkit's lint.toml plus the project's)",
        description="Print the config the tools read: devkit's shipped lint.toml with the project's lint.toml "
        "merged on top (tables merge, values replace, extend-* lists, per-file-ignores entries, "
        "[[tool.mypy.overrides]] and ruff's and mypy's exclude patterns add). With TOOL, only that tool's part; for ruff, in ruff.toml form.",
    )
    parser.add_argument("tool", metavar="TOOL", nargs="?", help="ruff, mypy, pytest or coverage")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.checks import config
    from devkit.env.project import find_project
    from devkit.errors import DevkitError

    project = find_project(Path.cwd())
    merged = config.effective(project)
    text = config.render(merged, args.tool)
    if not text:
        known = ", ".join(merged.get("tool", {}))
        raise DevkitError(f"no [tool.{args.tool}] in the effective config; the tools configured are: {known}")
    print(text, end="")
    return 0
