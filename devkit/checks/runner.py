"""Run a stage: every command, each printed first, from the project root with `.venv` tools."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from devkit.checks import parallel, plan
from devkit.checks.stages import PROVIDERS, REPORTS, Command
from devkit.env.project import Project

if TYPE_CHECKING:
    from devkit.checks import reports


def argv(project: Project, command: Command, files: Sequence[str] | None = None) -> list[str]:
    """The exact argument list `devkit run` executes for `command`."""
    return [str(project.venv / "bin" / command.tool), *command.argv(files)]


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
    label = _label(command)
    for module in _absent(project, _modules(command)):
        package = _MODULES[module]
        return missing_tool(package, "" if package == label.split()[0] else label)
    return None


def _modules(command: Command) -> list[str]:
    """The modules `command` needs beyond its tool (those `_MODULES` knows)."""
    wanted = [command.args[1]] if command.args[:1] == ("-m",) and len(command.args) > 1 else []
    wanted += ["pytest_cov"] if any(arg.startswith("--cov") for arg in command.args) else []
    return [module for module in wanted if module in _MODULES]


_FIND = "import importlib.util as u, sys; print(' '.join(m for m in sys.argv[1:] if u.find_spec(m) is None))"


def _absent(project: Project, modules: Sequence[str]) -> list[str]:
    """Which of `modules` `.venv`'s Python cannot import (asked of that Python itself)."""
    if not modules:
        return []
    import subprocess

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
    project: Project,
    name: str,
    commands: Sequence[Command],
    targets: Sequence[str] | None,
    reports: Path | None = None,
    begun_ns: int | None = None,
) -> int:
    """Run every command of stage `name`, even after a failure; 1 when any failed.

    `targets` are the paths from `narrow` for the commands that take files (None: the
    whole project); when FILES held no Python file, those commands are skipped. With
    `reports`, a folder, the commands write their reports there (see `devkit.checks.reports`).
    Consecutive read-only commands run side by side (see `parallel`); a command's reports
    are written once its output is printed. With `begun_ns`, when the run began, a stage
    that can run (no reports, no missing tool or module) is stored as a `plan` first.
    """
    env = parallel.activated(str(project.root), str(project.venv))
    report_steps = _report_steps(project, name, commands, targets, env, reports)
    run_commands = [
        report.command if report else command for command, report in zip(commands, report_steps, strict=True)
    ]
    resolved = [_resolved(project, command) for command in run_commands]
    planned, problems = [command for command, _ in resolved], [problem for _, problem in resolved]
    if begun_ns is not None and reports is None and not any(problems) and not any(map(_modules, run_commands)):
        plan.store(project, name, planned, begun_ns)
    kept = [index for index, command in enumerate(planned) if command.runs_on(targets)]

    def finished(position: int, code: int | None) -> None:
        report = report_steps[kept[position]]
        if report is not None and code is not None:
            report.finish(code)

    steps = [planned[index].step(targets, problems[index]) for index in kept]
    return parallel.run_stage(name, steps, str(project.root), env, finished)


def _resolved(project: Project, command: Command) -> tuple[plan.Planned, str | None]:
    """`command` resolved for `.venv`, and why it cannot run (its tool or a module it needs is missing) or None.

    A command whose tool `.venv` lacks is named by its tool alone.
    """
    tool = argv(project, command)[0]
    problem: str | None
    if not Path(tool).is_file():
        label, problem = command.tool, missing_tool(command.tool)
    else:
        label, problem = _label(command), missing_module(project, command)
    return plan.Planned([tool, *command.args], command.targets, command.takes_files, command.read_only, label), problem


def reports_folder(project: Project, given: Path | None = None) -> Path | None:
    """Where a stage writes its reports: `given`, else under CI (GitLab sets CI) `.devkit/reports`, else nowhere."""
    if given is not None:
        return given
    return project.root / REPORTS if plan.under_ci() else None


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
