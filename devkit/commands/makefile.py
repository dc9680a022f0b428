"""`devkit makefile`: the path of the shipped Makefile include, for a project's `include`."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "makefile",
        help="print the path of devkit's Makefile include",
        description="Print the path of make/devkit.mk inside the installed devkit. A project's Makefile "
        "includes it: include $(shell .venv/bin/devkit makefile)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import resources

    print(resources.shipped("make/devkit.mk"))
    return 0
