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
    from pathlib import Path
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

Reports: with --reports DIR, and always under CI (GitLab sets CI; they go to
.devkit/reports), the checks also write what GitLab shows in a merge request, a file per
stage and tool: STAGE.pytest.junit.xml, STAGE.coverage.cobertura.xml and
STAGE.TOOL.codequality.json for ruff check, ruff format --check and mypy. The output of
each tool stays as it is (pytest adds the names of the files it wrote); a ruff or mypy
check that failed runs a second time, from the tool's cache, for its JSON findings.
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
    parser.add_argument(
        "--reports",
        metavar="DIR",
        type=_folder,
        help="write JUnit, Cobertura and code-quality reports into DIR (under CI: .devkit/reports)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return run_stage(args.stage, args.files, args.reports)


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


def run_stage(stage: str, files: Sequence[str], reports: Path | None = None) -> int:
    """`devkit run STAGE FILES... [--reports DIR]`: the exit code.

    The stage's stored plan runs when nothing it came from changed (see
    `devkit.checks.plan`); otherwise the full path resolves the stage and stores a new one.
    """
    import time

    from devkit.checks import plan

    if reports is None and (code := plan.replay(stage, files)) is not None:
        return code
    begun_ns = time.time_ns()
    from pathlib import Path

    from devkit.checks import runner, stages, targets
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    commands = stages.lookup(stages.table(pyproject), stage)
    paths = targets.narrow(str(project.root), files) if files else None
    runner.prepare(project)
    _warn_once_about_strays(project, pyproject)
    return runner.run(project, stage, commands, paths, runner.reports_folder(project, reports), begun_ns)


def _folder(value: str) -> Path:
    """--reports DIR, made absolute: the tools run from the project root, not from here."""
    import argparse
    import os
    from pathlib import Path

    if not value:
        raise argparse.ArgumentTypeError("an empty folder: give the folder the reports go to")
    path = Path(os.path.abspath(value))
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{value} is not a folder: give a folder (it is created if needed)")
    return path


def _warn_once_about_strays(project: Project, pyproject: Mapping[str, Any]) -> None:
    """Name the tool settings devkit does not read, once for each set of them."""
    from devkit import console
    from devkit.checks import strays
    from devkit.files import atomic

    places = strays.places(project.root, pyproject)
    record = project.state_dir() / strays.RECORD
    shown = "\n".join(places)
    if not places or (record.is_file() and record.read_text(encoding="utf-8", errors="replace") == shown):
        return
    console.note(
        f"devkit does not read the tool settings in {', '.join(places)}: the tools run with devkit's "
        "lint.toml and the project's; move them into lint.toml (said once; `devkit doctor` lists them)"
    )
    atomic.write_text(record, shown)
