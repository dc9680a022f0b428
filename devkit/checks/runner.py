"""Run a stage: every command, each printed first, from the project root with `.venv` tools."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from devkit import console
from devkit.checks import parallel
from devkit.checks.stages import PROVIDERS, REPORTS, Command
from devkit.env.project import Project
from devkit.errors import DevkitError

if TYPE_CHECKING:
    from devkit.checks import reports

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")


def argv(project: Project, command: Command, files: Sequence[str] | None = None) -> list[str]:
    """The exact argument list `devkit run` executes for `command`."""
    return [str(project.venv / "bin" / command.tool), *command.argv(files)]


def narrow(root: Path, files: Sequence[str]) -> list[str]:
    """FILES as paths relative to the project root: folders and Python files.

    Other files are skipped (a hook may pass any staged file). A path that does not exist
    or lies outside the project, itself or through a symbolic link, is an error: a check
    that looked at nothing must not pass, and `format` must not rewrite another project.
    A commit hook passes every staged file, so each costs a stat or two: the real path of
    each folder is looked up once.
    """
    top, real_folders, kept = str(root), dict[str, str](), []
    for name in files:
        path, mode = _checked(top, name, name if name.isprintable() else repr(name), real_folders)
        if stat.S_ISDIR(mode) or os.path.splitext(path)[1] in PYTHON_SUFFIXES:
            kept.append(os.path.relpath(path, top).replace(os.sep, "/"))
    return kept


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)


def _checked(top: str, name: str, shown: str, real_folders: dict[str, str]) -> tuple[str, int]:
    """The absolute path of FILE `name`, which must be a file or folder inside `top`, and its mode."""
    if not name:
        raise DevkitError("an empty path in FILES: give files or folders (`.` for the whole project)")
    path = os.path.abspath(name)
    if not _inside(path, top):
        raise DevkitError(f"{shown} is outside the project {top}: give paths inside it")
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        if exc.errno in _MISSING:
            raise DevkitError(f"{shown} does not exist (in {os.getcwd()}): check the path") from None
        raise DevkitError(f"{shown}: {exc.strerror}: check the path") from None  # a name too long, ...
    real = _real(path, real_folders)
    if not _inside(real, top):
        raise DevkitError(f"{shown} is a link to {real}, outside the project {top}: give paths inside it")
    if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        raise DevkitError(f"{shown} is not a file or a folder (a pipe, socket or device): give Python files")
    return path, mode


def _real(path: str, real_folders: dict[str, str]) -> str:
    """`path` with every symbolic link resolved; the folders' real paths cached in `real_folders`."""
    folder, base = os.path.split(path)
    if folder not in real_folders:
        real_folders[folder] = os.path.realpath(folder)
    joined = os.path.join(real_folders[folder], base)
    return os.path.realpath(joined) if os.path.islink(joined) else joined


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def missing_tool(tool: str, needed_by: str = "") -> str:
    """What to do when `.venv` lacks `tool` (which `needed_by`, another tool, needs)."""
    what = f"{tool} (for {needed_by})" if needed_by else tool
    if PROVIDERS.get(tool) == "devkit":
        return (
            f"{what} is not installed in .venv: it comes with devkit, which belongs in the dev group "
            "(`poetry add --group dev devkit-toolchain`); then run `devkit sync`"
        )
    return f"{what} is not installed in .venv: add it to the dev group (`poetry add --group dev {tool}`), then `devkit sync`"


# The modules a command needs beyond its tool, with the distribution that provides each:
# `python -m pytest` needs pytest, and pytest's `--cov` options come from pytest-cov.
_MODULES = {"pytest": "pytest", "pytest_cov": "pytest-cov", "coverage": "coverage"}


def missing_module(project: Project, command: Command) -> str | None:
    """What to do when `.venv` lacks a module `command` needs; None when it has them all."""
    wanted = [command.args[1]] if command.args[:1] == ("-m",) and len(command.args) > 1 else []
    wanted += ["pytest_cov"] if any(arg.startswith("--cov") for arg in command.args) else []
    wanted = [module for module in wanted if module in _MODULES]
    label = _label(command)
    for module in _absent(project, wanted):
        package = _MODULES[module]
        return missing_tool(package, "" if package == label.split()[0] else label)
    return None


_FIND = "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m) is None))"


def _absent(project: Project, modules: Sequence[str]) -> list[str]:
    """Which of `modules` `.venv`'s Python cannot import (asked of that Python itself)."""
    if not modules:
        return []
    python = project.venv / "bin" / "python"
    result = subprocess.run([python, "-I", "-c", _FIND, *modules], capture_output=True, text=True, check=False)
    return result.stdout.split() if result.returncode == 0 else []


def prepare(project: Project) -> None:
    """What every stage needs first: `.venv` re-synced if the lock changed, the config written."""
    from devkit.checks import config
    from devkit.env import sync

    sync.keep_current(project)
    config.ensure(project)


def run(
    project: Project, name: str, commands: Sequence[Command], targets: Sequence[str] | None, reports: Path | None = None
) -> int:
    """Run every command of stage `name`, even after a failure; 1 when any failed.

    `targets` are the paths from `narrow` for the commands that take files (None: the
    whole project); when FILES held no Python file, those commands are skipped. With
    `reports`, a folder, the commands write their reports there (see `devkit.checks.reports`).
    Consecutive read-only commands run side by side (see `parallel`); a command's reports
    are written once its output is printed.
    """
    env = _activated(project)
    planned = zip(commands, _report_steps(project, name, commands, targets, env, reports), strict=True)
    chosen = [(command, report) for command, report in planned if targets is None or targets or not command.takes_files]
    steps = [_step(project, report.command if report else command, targets) for command, report in chosen]
    failed = []
    for step, (_, report), code in zip(steps, chosen, parallel.run_steps(steps, project.root, env), strict=True):
        if code != 0:
            failed.append(step.label)
        if report is not None and code is not None:
            report.finish(code)
    if failed:
        console.error(f"stage {name} failed: {', '.join(failed)}")
        return 1
    return 0


def _step(project: Project, command: Command, targets: Sequence[str] | None) -> parallel.Step:
    """`command` ready to run, or with the reason it cannot: its tool or a module it needs is missing."""
    words = argv(project, command, targets)
    if not Path(words[0]).is_file():
        return parallel.Step(words, command.tool, missing_tool(command.tool), command.read_only)
    return parallel.Step(words, _label(command), missing_module(project, command), command.read_only)


def reports_folder(project: Project, given: Path | None = None) -> Path | None:
    """Where a stage writes its reports: `given`, else under CI (GitLab sets CI) `.devkit/reports`, else nowhere."""
    if given is not None:
        return given
    ci = os.environ.get("CI", "").strip().lower()
    return project.root / REPORTS if ci not in ("", "0", "false", "no") else None


def _report_steps(
    project: Project,
    name: str,
    commands: Sequence[Command],
    targets: Sequence[str] | None,
    env: dict[str, str],
    folder: Path | None,
) -> Sequence[reports.Step | None]:
    """The report step of each command; all None without a folder (the reports module is not even imported)."""
    if folder is None:
        return [None] * len(commands)
    from devkit.checks import reports

    return reports.steps(reports.Run(project, name, folder, targets, env), commands)


def _label(command: Command) -> str:
    """A short name for a command in the summary: "ruff check", "mypy", "pytest"."""
    tool, args = command.tool, command.args
    if args[:1] == ("-m",) and len(args) > 1:  # python -m TOOL ...
        tool, args = args[1], args[2:]
    subcommand = args[:1] if args and not args[0].startswith("-") else ()
    return " ".join([tool, *subcommand])


def _activated(project: Project) -> dict[str, str]:
    """The environment with `.venv` activated, as a tool run inside it expects."""
    env = dict(os.environ)
    env["PWD"] = str(project.root)  # the tools' cwd; config values such as coverage's omit use it
    env["VIRTUAL_ENV"] = str(project.venv)
    env["PATH"] = os.pathsep.join([str(project.venv / "bin"), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    return env
