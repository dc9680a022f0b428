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


def _module_check(project: Project, command: Command) -> tuple[str | None, list[str] | None]:
    """What to do when `.venv` lacks a module `command` needs (or None), and the files the answer came from.

    Those files are `.venv`'s site-packages folder (an install or removal changes its
    entries) and each module's own file; None when `.venv`'s Python could not be asked.
    """
    label = _label(command)
    found = _look_up(project, _modules(command))
    if found is None:
        return None, None
    absent, files = found
    for module in absent:
        package = _MODULES[module]
        return missing_tool(package, "" if package == label.split()[0] else label), files
    return None, files


def _modules(command: Command) -> list[str]:
    """The modules `command` needs beyond its tool (those `_MODULES` knows)."""
    wanted = [command.args[1]] if command.args[:1] == ("-m",) and len(command.args) > 1 else []
    wanted += ["pytest_cov"] if any(arg.startswith("--cov") for arg in command.args) else []
    return [module for module in wanted if module in _MODULES]


# Asked of .venv's Python: its site-packages folder, then for each module `+` and the
# module's file, or `-` when it cannot be imported; NUL-separated (no path holds one).
_FIND = (
    "import importlib.util as u, sys, sysconfig\n"
    "found = [sysconfig.get_path('purelib')]\n"
    "for name in sys.argv[1:]:\n"
    "    spec = u.find_spec(name)\n"
    "    found.append('-' if spec is None else '+' + (spec.origin or ''))\n"
    "sys.stdout.write(chr(0).join(found))\n"
)


def _look_up(project: Project, modules: Sequence[str]) -> tuple[list[str], list[str]] | None:
    """Which of `modules` `.venv`'s Python cannot import, and the files that answer came from.

    Asked of that Python itself; None when it could not answer.
    """
    if not modules:
        return [], []
    import subprocess

    python = project.venv / "bin" / "python"
    result = subprocess.run([python, "-I", "-c", _FIND, *modules], capture_output=True, text=True, check=False)
    purelib, *answers = result.stdout.split("\0")
    if result.returncode != 0 or len(answers) != len(modules):
        return None
    absent = [module for module, answer in zip(modules, answers, strict=True) if answer == "-"]
    return absent, [purelib, *(answer[1:] for answer in answers if answer.startswith("+") and answer[1:])]


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
    that can run (no reports, no missing tool or module) is stored as a `plan` first,
    with the files its modules were found from among the plan's inputs.
    """
    env = parallel.activated(str(project.root), str(project.venv))
    report_steps = _report_steps(project, name, commands, targets, env, reports)
    run_commands = [
        report.command if report else command for command, report in zip(commands, report_steps, strict=True)
    ]
    resolved = [_resolved(project, command) for command in run_commands]
    planned, problems = [command for command, _, _ in resolved], [problem for _, problem, _ in resolved]
    watched = [files for _, _, files in resolved]
    if begun_ns is not None and reports is None and not any(problems) and None not in watched:
        plan.store(project, name, planned, begun_ns, [file for files in watched if files for file in files])
    kept = [index for index, command in enumerate(planned) if command.runs_on(targets)]

    def finished(position: int, code: int | None) -> None:
        report = report_steps[kept[position]]
        if report is not None and code is not None:
            report.finish(code)

    steps = [planned[index].step(targets, problems[index]) for index in kept]
    return parallel.run_stage(name, steps, str(project.root), env, finished)


def _resolved(project: Project, command: Command) -> tuple[plan.Planned, str | None, list[str] | None]:
    """`command` resolved for `.venv`, why it cannot run (or None), and where its modules were found.

    Why it cannot run: its tool or a module it needs is missing; a command whose tool
    `.venv` lacks is named by its tool alone. Where its modules were found: the files
    `_module_check` names, None when `.venv`'s Python could not be asked.
    """
    tool = argv(project, command)[0]
    problem: str | None
    watched: list[str] | None = []
    if not Path(tool).is_file():
        label, problem = command.tool, missing_tool(command.tool)
    else:
        label, (problem, watched) = _label(command), _module_check(project, command)
    planned = plan.Planned([tool, *command.args], command.targets, command.takes_files, command.read_only, label)
    return planned, problem, watched


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
