"""The stage table: the one definition of what each check runs.

`devkit run`, `make`, the pre-commit hooks and the CI jobs all take their commands from
here, so no tool command line is written twice. A project adds or replaces stages in
`[tool.devkit.stages]` of its pyproject.toml:

    [tool.devkit.stages]
    docs = ["mkdocs build --strict"]
    tests = ["pytest -x -c .devkit/lint.toml --rootdir=. --confcutdir=."]
    ruff = { commands = ["ruff check --config .devkit/ruff.toml {files}"], read-only = true }

Each command's first word is a tool installed in the project's `.venv`. A last word
`{files}` receives the FILES given to `devkit run` (after `--`; nothing without FILES).
The commands of a stage declared `read-only` change no file of the project (their own
caches aside), so `devkit run` may run them side by side. A stage name
becomes a CI job name and a word of a CI script: lowercase letters, digits, `-` and `_`,
starting with a letter, and neither a GitLab CI keyword nor one of devkit's own jobs.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from devkit.checks import plan
from devkit.env import settings
from devkit.errors import DevkitError

RUFF_CONFIG = ".devkit/ruff.toml"
LINT_CONFIG = ".devkit/lint.toml"
REPORTS = ".devkit/reports"  # where a stage writes its reports under CI


class Command(NamedTuple):
    """One tool run: `tool` from `.venv/bin`, its arguments, and its default targets.

    A command with `takes_files` checks the FILES given to `devkit run` instead of its
    default targets; the others always run over the whole project. A `read_only`
    command changes no file of the project, so it may run beside the stage's others.
    """

    tool: str
    args: tuple[str, ...]
    targets: tuple[str, ...] = ()
    takes_files: bool = False
    read_only: bool = False

    def argv(self, files: Sequence[str] | None = None) -> list[str]:
        """The arguments after the tool, for `files` (None: the default targets).

        `--` comes before the paths, so a file named like an option stays a file.
        """
        return plan.arguments(self.args, self.targets, self.takes_files, files)


_RUFF_CHECK = ("check", "--config", RUFF_CONFIG, "--force-exclude")
_RUFF_FORMAT = ("format", "--config", RUFF_CONFIG, "--force-exclude")
_MYPY = Command("mypy", ("--config-file", LINT_CONFIG), read_only=True)
# `python -m pytest` puts the project root on sys.path: tests import the project's code
# even when it is not installed (Poetry's package-mode = false).
_PYTEST = Command(
    "python",
    ("-m", "pytest", "-c", LINT_CONFIG, "--rootdir=.", "--confcutdir=.", "--cov", f"--cov-config={LINT_CONFIG}"),
)

BUILTIN: dict[str, tuple[Command, ...]] = {
    "lint": (  # --no-fix: a project's `fix = true` must not let a check rewrite the code and pass
        Command("ruff", (*_RUFF_CHECK, "--no-fix"), (".",), takes_files=True, read_only=True),
        Command("ruff", (*_RUFF_FORMAT, "--check"), (".",), takes_files=True, read_only=True),
        _MYPY,
    ),
    "format": (
        Command("ruff", (*_RUFF_CHECK, "--fix"), (".",), takes_files=True),
        Command("ruff", _RUFF_FORMAT, (".",), takes_files=True),
    ),
    "typecheck": (_MYPY,),
    "tests": (_PYTEST,),
    "build": (Command("uv", ("build", "--wheel", "--out-dir", "dist")),),
}
DESCRIPTIONS = {
    "lint": "every linter: ruff check, ruff format --check, mypy",
    "format": "rewrite the code: ruff check --fix, then ruff format",
    "typecheck": "mypy over the project",
    "tests": "pytest with coverage and its fail-under",
    "build": "the wheel, into dist/",
}
NAME_PATTERN = "[a-z][a-z0-9_-]*"
# Top-level keys GitLab does not take as job names (its keyword reference), and YAML 1.1's
# boolean and null words, which a YAML reader may not keep as strings.
GITLAB_KEYWORDS = frozenset(
    {
        *("default", "include", "stages", "variables", "workflow", "spec", "image", "services", "types"),
        *("before_script", "after_script", "cache", "pages", "true", "false", "nil", "null"),
        *("yes", "no", "on", "off", "y", "n"),
    }
)
# The jobs of the CI file devkit renders besides one per check stage.
DEVKIT_JOBS = frozenset(
    (
        "build:deps:main",
        "build:deps:dev",
        "build:wheel",
        "build:image",
        "build:image:test",
        ".devkit",
        "release",
        "release:labels",
        "release:check",
        "publish",
        "staging:deploy",
        "staging:stop",
    )
)
# Where a tool the stages need comes from, for the message when `.venv` lacks it.
PROVIDERS = dict.fromkeys(("ruff", "mypy", "pytest", "pytest-cov", "coverage", "python", "uv"), "devkit")


def table(pyproject: Mapping[str, Any]) -> dict[str, tuple[Command, ...]]:
    """The built-in stages with the project's `[tool.devkit.stages]` on top."""
    stages = dict(BUILTIN)
    for name, value in settings.table(pyproject, "stages").items():
        commands, read_only = _unpack(check_name(name), value)
        stages[name] = tuple(_command(name, command, read_only) for command in _as_list(name, commands))
    return stages


def check_name(name: str) -> str:
    """`name` when it can be a stage, CI job and script word; a DevkitError saying why not."""
    where = f"[tool.devkit.stages] {name!r} in pyproject.toml"
    if name in DEVKIT_JOBS:
        raise DevkitError(f"{where}: {name} is one of devkit's own CI jobs; rename the stage")
    if not re.fullmatch(NAME_PATTERN, name):
        raise DevkitError(
            f"{where}: a stage name is lowercase letters, digits, - and _, starting with a letter; rename it"
        )
    if name in GITLAB_KEYWORDS:
        raise DevkitError(f"{where}: {name} is a GitLab CI keyword and cannot name a job; rename the stage")
    return name


_STAGE_KEYS = ("commands", "read-only")


def _unpack(name: str, value: object) -> tuple[object, bool]:
    """A stage's commands and whether it is read-only: a list (or one command), or a table."""
    if not isinstance(value, Mapping):
        return value, False
    where = f"[tool.devkit.stages] {name} in pyproject.toml"
    unknown = sorted(set(value) - set(_STAGE_KEYS))
    if unknown:
        raise DevkitError(f"{where}: unknown key {unknown[0]!r}; a stage table has `commands` and `read-only`")
    if "commands" not in value:
        raise DevkitError(f'{where}: a stage table needs `commands`, e.g. commands = ["mkdocs build"]')
    read_only = value.get("read-only", False)
    if not isinstance(read_only, bool):
        raise DevkitError(f"{where}: `read-only` must be true or false, not {read_only!r}")
    return value["commands"], read_only


def _as_list(name: str, commands: object) -> list[object]:
    if isinstance(commands, str):
        return [commands]
    if isinstance(commands, list) and commands:
        return list(commands)
    if commands == []:
        raise DevkitError(
            f"[tool.devkit.stages] {name} in pyproject.toml has no commands: give it one, or remove the stage"
        )
    raise DevkitError(f"[tool.devkit.stages] {name} in pyproject.toml must be a command or a list of commands")


FILES = "{files}"


def _command(stage: str, command: object, read_only: bool = False) -> Command:
    try:
        words = shlex.split(command) if isinstance(command, str) else command
    except ValueError as exc:  # an unclosed quote
        raise DevkitError(f"[tool.devkit.stages] {stage}: {command!r} in pyproject.toml: {exc}") from None
    if not isinstance(words, list) or not words or not all(isinstance(word, str) for word in words):
        raise DevkitError(f"[tool.devkit.stages] {stage}: {command!r} is not a command (a string or a list of words)")
    if "/" in words[0]:
        raise DevkitError(
            f"[tool.devkit.stages] {stage}: {words[0]!r} in pyproject.toml is a path; a command starts with the "
            "name of a tool in .venv/bin (add the tool to the dev group, or run a script with `python path/to/it.py`)"
        )
    if FILES in words[:-1] or words[0] == FILES or any(FILES in word and word != FILES for word in words):
        raise DevkitError(
            f"[tool.devkit.stages] {stage}: {command!r} in pyproject.toml: {FILES} stands alone as the last "
            "word (devkit puts `--` and the FILES there); move it to the end"
        )
    if words[-1] == FILES:
        return Command(words[0], tuple(words[1:-1]), takes_files=True, read_only=read_only)
    return Command(words[0], tuple(words[1:]), read_only=read_only)


def lookup(stages: Mapping[str, tuple[Command, ...]], name: str) -> tuple[Command, ...]:
    """The commands of stage `name`; an unknown name lists the known ones."""
    if name not in stages:
        raise DevkitError(f"no stage {name!r}; the stages are: {', '.join(stages)} (see `devkit stages`)")
    return stages[name]
