"""`devkit run STAGE [FILES...]`: run one stage of the stage table.

It runs on every commit, so `devkit.main` hands the common command lines
(`run STAGE [--] [FILES...]`, see `quick_words`) straight to `run_stage`, before argparse
and the other commands are imported; anything else (`--help`, an option) goes through
the parser, which ends in the same `run_stage`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Mapping, Sequence
    from typing import Any

    from devkit.env.project import Project

DESCRIPTION = """\
Run every command of STAGE (see `devkit stages`) with the tools of the project's .venv,
from the project root, with the effective config (devkit's lint.toml plus the
project's). .venv is synced first when it is stale. Each command is printed above its
output; all of them run even when one fails; the exit code is 1 when any failed.
Read-only commands (lint's) run side by side, each printed whole in the stage's order.

FILES narrow the file-based tools (ruff) to those files and folders (`.` is the whole
project; the excludes still apply); whole-project tools (mypy, pytest) still check the
whole project. Files that are not Python are skipped; a path that does not exist or lies
outside the project is an error. Put `--` before FILES that start with a dash. A
project stage receives FILES where its command ends in `{files}`.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    import argparse

    parser = subparsers.add_parser(
        "run",
        help="run a stage (lint, format, typecheck, tests, ...)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("stage", metavar="STAGE", help="the stage to run")
    parser.add_argument("files", metavar="FILES", nargs="*", help="limit file-based tools to these files and folders")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_stage(args.stage, args.files)


def quick_words(words: Sequence[str]) -> tuple[str, list[str]] | None:
    """STAGE and FILES of `devkit run WORDS` as the parser reads them; None when only the parser can tell.

    Taken here: positional words, with at most one `--`, after which a word may start
    with a dash. Anything else (`--help`, `-h`, an option, a second `--`, no STAGE)
    needs the parser, which answers it or says what is wrong.
    """
    cut = words.index("--") if "--" in words else len(words)
    before, after = list(words[:cut]), list(words[cut + 1 :])
    if "--" in after or any(word.startswith("-") for word in before) or not [*before, *after]:
        return None
    stage, *files = [*before, *after]
    return stage, files


def run_stage(stage: str, files: Sequence[str]) -> int:
    """`devkit run STAGE FILES...`: the exit code."""
    from pathlib import Path

    from devkit.checks import runner, stages
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    commands = stages.lookup(stages.table(pyproject), stage)
    targets = runner.narrow(project.root, files) if files else None
    runner.prepare(project)
    _warn_once_about_strays(project, pyproject)
    return runner.run(project, stage, commands, targets)


def _warn_once_about_strays(project: Project, pyproject: Mapping[str, Any]) -> None:
    """Name the tool settings devkit does not read, once for each set of them."""
    from devkit import console
    from devkit.checks import strays
    from devkit.files import atomic

    places = strays.places(project.root, pyproject)
    record = project.state_dir() / "strays-warned"
    shown = "\n".join(places)
    if not places or (record.is_file() and record.read_text(encoding="utf-8", errors="replace") == shown):
        return
    console.note(
        f"devkit does not read the tool settings in {', '.join(places)}: the tools run with devkit's "
        "lint.toml and the project's; move them into lint.toml (said once; `devkit doctor` lists them)"
    )
    atomic.write_text(record, shown)
