"""The reports a stage writes for GitLab: JUnit (pytest), Cobertura (coverage), code quality (ruff, mypy).

`devkit run STAGE --reports DIR`, and every stage under CI, writes one file per command
of the stage that has a report, named `STAGE.TOOL.KIND` (`lint.mypy.codequality.json`,
`tests.pytest.junit.xml`, `tests.coverage.cobertura.xml`), so stages sharing DIR never
write the same file. The runner asks `steps` for one `Step` per command: the command to
run instead (with the options that make pytest write its reports) and what to do once it
finished. Each tool keeps its human output:

- pytest writes JUnit XML (`--junitxml`, xunit1 for each test's file) and pytest-cov the
  Cobertura XML (`--cov-report xml:`) in the same run, beside the terminal report.
- ruff and mypy print JSON only instead of their human output, which devkit cannot render
  as they do (source snippets, mypy's `pretty`). A check that passed found nothing and
  gets an empty report; one that failed runs again with JSON output, which ruff answers
  from its cache and mypy from its incremental cache, and devkit converts that.

Every report is written atomically: devkit's through `atomic`, the tools' into the hidden
folder `DIR/.writing`, then renamed into place; an older report of the command is
removed before it runs, so a report never outlives the run that should have replaced it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from devkit import console
from devkit.checks import codequality
from devkit.checks.runner import argv
from devkit.checks.stages import Command
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.files import atomic

CODEQUALITY, JUNIT, COBERTURA = "codequality", "junit", "cobertura"
_SUFFIXES = {CODEQUALITY: "codequality.json", JUNIT: "junit.xml", COBERTURA: "cobertura.xml"}
_KINDS = {CODEQUALITY: "code-quality", JUNIT: "JUnit", COBERTURA: "Cobertura"}
_STAGING = ".writing"
# The line pytest-cov's terminal report ends with, as GitLab's `coverage:` reads it.
COVERAGE_PATTERN = r"/TOTAL +\d.*\s(\d+(?:\.\d+)?)%/"


class Report(NamedTuple):
    """One file a command writes: its kind (junit, cobertura, codequality), the tool's label, its name in DIR."""

    kind: str
    tool: str
    name: str


def planned(stage: str, commands: Sequence[Command]) -> list[tuple[Report, ...]]:
    """The reports of each command of `stage`, in order (none for a command without reports)."""
    seen: Counter[str] = Counter()
    result = []
    for command in commands:
        reports = []
        for kind, tool in _kinds(command):
            seen[tool] += 1
            label = tool if seen[tool] == 1 else f"{tool}-{seen[tool]}"
            reports.append(Report(kind, tool, f"{stage}.{label}.{_SUFFIXES[kind]}"))
        result.append(tuple(reports))
    return result


def _kinds(command: Command) -> list[tuple[str, str]]:
    """(kind, tool label) of each report `command` can give."""
    tool, args = command.tool, command.args
    if tool == "ruff" and args[:1] == ("check",) and not {"--fix", "--watch"} & set(args):
        return [] if _names_format(args) else [(CODEQUALITY, "ruff-check")]
    if tool == "ruff" and args[:1] == ("format",) and "--check" in args:
        return [] if _names_format(args) else [(CODEQUALITY, "ruff-format")]
    if tool == "mypy" and not any(arg in ("-O", "--output") or arg.startswith("--output=") for arg in args):
        return [(CODEQUALITY, "mypy")]
    if _is_pytest(command):
        return [(JUNIT, "pytest"), *([(COBERTURA, "coverage")] if _covers(args) else [])]
    return []


def _names_format(args: Sequence[str]) -> bool:
    return any(arg == "--output-format" or arg.startswith("--output-format=") for arg in args)


def _is_pytest(command: Command) -> bool:
    return command.tool == "pytest" or (command.tool == "python" and command.args[:2] == ("-m", "pytest"))


def _covers(args: Sequence[str]) -> bool:
    return "--no-cov" not in args and any(arg == "--cov" or arg.startswith("--cov=") for arg in args)


@dataclass(frozen=True)
class Run:
    """What every step needs to know about the stage run: where, on what, with which environment."""

    project: Project
    stage: str
    folder: Path
    targets: Sequence[str] | None
    env: Mapping[str, str]


def steps(run: Run, commands: Sequence[Command]) -> list[Step | None]:
    """One step per command (None for a command without reports); DIR created, old reports removed."""
    plan = planned(run.stage, commands)
    staged = any(report.kind != CODEQUALITY for reports in plan for report in reports)
    _make_folder(run.folder / _STAGING if staged else run.folder)
    result: list[Step | None] = []
    for command, reports in zip(commands, plan, strict=True):
        for report in reports:
            _remove(run.folder / report.name)
        result.append(Step(run, command, reports) if reports else None)
    return result


@dataclass(frozen=True)
class Step:
    """The reports of one command: the command that writes them, and the work after it ran."""

    run: Run
    original: Command
    reports: tuple[Report, ...]

    @property
    def command(self) -> Command:
        """The command to run: pytest with the options that write its reports, the others unchanged."""
        if not _is_pytest(self.original):
            return self.original
        return self.original._replace(args=(*self.original.args, *self._pytest_options()))

    def _pytest_options(self) -> list[str]:
        staging = self.run.folder / _STAGING
        options = []
        for report in self.reports:
            if report.kind == JUNIT:
                options += [f"--junitxml={staging / report.name}", "-o", "junit_family=xunit1"]
            elif report.kind == COBERTURA:
                options += [f"--cov-report=xml:{staging / report.name}"]
                # Any --cov-report replaces pytest-cov's default terminal report: keep it.
                options += [] if _names_cov_report(self.run.project, self.original) else ["--cov-report=term"]
        return options

    def finish(self, returncode: int) -> None:
        """Put the reports in place once the command exited with `returncode`."""
        if _is_pytest(self.original):
            for report in self.reports:
                self._move(report)
            with contextlib.suppress(OSError):  # another stage may be writing into it
                (self.run.folder / _STAGING).rmdir()
            return
        (report,) = self.reports
        findings = self._findings(returncode)
        if findings is not None:
            atomic.write_text(self.run.folder / report.name, json.dumps(codequality.issues(findings), indent=2) + "\n")
            console.info(f"wrote {self.run.folder / report.name} ({_count(len(findings))})")

    def _move(self, report: Report) -> None:
        staged, target = self.run.folder / _STAGING / report.name, self.run.folder / report.name
        if not staged.is_file():
            console.note(f"{report.tool} wrote no {_KINDS[report.kind]} report: see its output above")
            return
        try:
            os.replace(staged, target)
        except OSError as exc:
            raise atomic.failure(target, exc) from None
        console.info(f"wrote {target}")

    def _findings(self, returncode: int) -> list[codequality.Finding] | None:
        """What the command found: nothing when it passed, else from its JSON output; None when unreadable."""
        if returncode == 0 and "--exit-zero" not in self.original.args:
            return []
        words = argv(self.run.project, self._json_command(), self.run.targets)
        print(f"$ {shlex.join(words)}", flush=True)
        result = subprocess.run(
            words, cwd=self.run.project.root, env=dict(self.run.env), capture_output=True, text=True, check=False
        )
        try:
            if not result.stdout.strip():
                findings = []
            elif self.original.tool == "mypy":
                findings = codequality.from_mypy(result.stdout, self.run.project.root)
            else:
                findings = codequality.from_ruff(result.stdout, self.run.project.root, self.reports[0].tool)
        except ValueError as exc:
            self._unreadable(result.stderr, f"its JSON output is unreadable ({exc})")
            return None
        if not findings and result.returncode != 0:  # it failed without a finding: a config error, a crash
            self._unreadable(result.stderr, f"it failed with exit code {result.returncode} and no finding")
            return None
        return findings

    def _unreadable(self, stderr: str, problem: str) -> None:
        last = stderr.strip().splitlines()[-1:]
        said = f": {last[0]}" if last else ""
        console.note(f"no code-quality report from {_label(self.reports[0])}: {problem}{said}; see its output above")

    def _json_command(self) -> Command:
        option = ("--output", "json") if self.original.tool == "mypy" else ("--output-format", "json")
        return self.original._replace(args=(*self.original.args, *option))


def _names_cov_report(project: Project, command: Command) -> bool:
    """Whether pytest already gets a --cov-report: on its command line, in PYTEST_ADDOPTS or in addopts."""
    words = [*command.args, *_split(os.environ.get("PYTEST_ADDOPTS", ""))]
    if "-c" in command.args[:-1]:
        words += _addopts(project.root / command.args[command.args.index("-c") + 1])
    return any(word.startswith("--cov-report") for word in words)


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:  # an unclosed quote: pytest itself will say so
        return []


def _addopts(config: Path) -> list[str]:
    """`[tool.pytest.ini_options] addopts` of a TOML config file, as words ([] for anything else)."""
    import tomllib

    try:
        options = tomllib.loads(config.read_text(encoding="utf-8"))["tool"]["pytest"]["ini_options"]["addopts"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    if isinstance(options, str):
        return _split(options)
    return [str(option) for option in options] if isinstance(options, list) else []


def _make_folder(folder: Path) -> None:
    """Create `folder` and its parents; a file in the way is an error that names it."""
    for path in (*reversed(folder.parents), folder):
        if path.exists() and not path.is_dir():
            raise DevkitError(f"{path} is not a folder, and the reports go there: move it away and run again")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise atomic.failure(folder, exc, what="create the folder") from None


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise atomic.failure(path, exc, what="remove the old report") from None


def _label(report: Report) -> str:
    return report.tool.replace("-", " ")


def _count(number: int) -> str:
    return "no finding" if number == 0 else f"{number} finding" if number == 1 else f"{number} findings"


def files(stage: str, commands: Sequence[Command]) -> dict[str, list[str]]:
    """The report files of `stage` by kind, for the CI job that runs it."""
    found: dict[str, list[str]] = {}
    for reports in planned(stage, commands):
        for report in reports:
            found.setdefault(report.kind, []).append(report.name)
    return found
