"""Run a stage: every command, each printed first, from the project root with `.venv` tools."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from devkit import console
from devkit.checks import parallel
from devkit.checks.stages import PROVIDERS, Command
from devkit.env.project import Project
from devkit.errors import DevkitError

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")


def argv(project: Project, command: Command, files: Sequence[str] | None = None) -> list[str]:
    """The exact argument list `devkit run` executes for `command`."""
    return [str(project.venv / "bin" / command.tool), *command.argv(files)]


def narrow(root: Path, files: Sequence[str]) -> list[str]:
    """FILES as paths relative to the project root: folders and Python files.

    Other files are skipped (a hook may pass any staged file). A path that does not exist
    or lies outside the project, itself or through a symbolic link, is an error: a check
    that looked at nothing must not pass, and `format` must not rewrite another project.
    """
    kept = []
    for name in files:
        path = _checked(root, name, name if name.isprintable() else repr(name))
        if path.is_dir() or path.suffix in PYTHON_SUFFIXES:
            kept.append(path.relative_to(root).as_posix())
    return kept


def _checked(root: Path, name: str, shown: str) -> Path:
    """The absolute path of FILE `name`, which must be a file or folder inside `root`."""
    if not name:
        raise DevkitError("an empty path in FILES: give files or folders (`.` for the whole project)")
    path = Path(os.path.abspath(name))
    if not path.is_relative_to(root):
        raise DevkitError(f"{shown} is outside the project {root}: give paths inside it")
    try:
        exists, resolved, is_dir, is_file = path.exists(), path.resolve(), path.is_dir(), path.is_file()
    except OSError as exc:  # a name too long for the file system
        raise DevkitError(f"{shown}: {exc.strerror}: check the path") from None
    if not exists:
        raise DevkitError(f"{shown} does not exist (in {Path.cwd()}): check the path")
    if not resolved.is_relative_to(root):
        raise DevkitError(f"{shown} is a link to {resolved}, outside the project {root}: give paths inside it")
    if not is_dir and not is_file:
        raise DevkitError(f"{shown} is not a file or a folder (a pipe, socket or device): give Python files")
    return path


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


def run(project: Project, name: str, commands: Sequence[Command], targets: Sequence[str] | None) -> int:
    """Run every command of stage `name`, even after a failure; 1 when any failed.

    `targets` are the paths from `narrow` for the commands that take files (None: the
    whole project); when FILES held no Python file, those commands are skipped.
    Consecutive read-only commands run side by side (see `parallel`).
    """
    chosen = [command for command in commands if targets is None or targets or not command.takes_files]
    failed = parallel.run_steps(
        [_step(project, command, targets) for command in chosen], project.root, _activated(project)
    )
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
