"""The stage table: the one definition of what each check runs.

`devkit run`, `make`, the pre-commit hooks and the CI jobs all take their commands from
here, so no tool command line is written twice. A project adds or replaces stages in
`[tool.devkit.stages]` of its pyproject.toml:

    [tool.devkit.stages]
    docs = ["mkdocs build --strict"]
    tests = ["pytest -x -c .devkit/lint.toml --rootdir=. --confcutdir=."]

Each command's first word is a tool installed in the project's `.venv`.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from devkit.errors import DevkitError

RUFF_CONFIG = ".devkit/ruff.toml"
LINT_CONFIG = ".devkit/lint.toml"


class Command(NamedTuple):
    """One tool run: `tool` from `.venv/bin`, its arguments, and its default targets.

    A command with `takes_files` checks the FILES given to `devkit run` instead of its
    default targets; the others always run over the whole project.
    """

    tool: str
    args: tuple[str, ...]
    targets: tuple[str, ...] = ()
    takes_files: bool = False

    def argv(self, files: Sequence[str] | None = None) -> list[str]:
        """The arguments after the tool, for `files` (None: the default targets).

        `--` comes before the paths, so a file named like an option stays a file.
        """
        targets = files if self.takes_files and files is not None else self.targets
        return [*self.args, "--", *targets] if targets else list(self.args)


_RUFF_CHECK = ("check", "--config", RUFF_CONFIG, "--force-exclude")
_RUFF_FORMAT = ("format", "--config", RUFF_CONFIG, "--force-exclude")
_MYPY = Command("mypy", ("--config-file", LINT_CONFIG))
# `python -m pytest` puts the project root on sys.path: tests import the project's code
# even when it is not installed (Poetry's package-mode = false).
_PYTEST = Command(
    "python",
    ("-m", "pytest", "-c", LINT_CONFIG, "--rootdir=.", "--confcutdir=.", "--cov", f"--cov-config={LINT_CONFIG}"),
)

BUILTIN: dict[str, tuple[Command, ...]] = {
    "lint": (
        Command("ruff", _RUFF_CHECK, (".",), takes_files=True),
        Command("ruff", (*_RUFF_FORMAT, "--check"), (".",), takes_files=True),
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
# Where a tool the stages need comes from, for the message when `.venv` lacks it.
PROVIDERS = dict.fromkeys(("ruff", "mypy", "pytest", "coverage", "python", "uv"), "devkit")


def table(pyproject: Mapping[str, Any]) -> dict[str, tuple[Command, ...]]:
    """The built-in stages with the project's `[tool.devkit.stages]` on top."""
    stages = dict(BUILTIN)
    custom = pyproject.get("tool", {}).get("devkit", {}).get("stages", {})
    if not isinstance(custom, Mapping):
        raise DevkitError("[tool.devkit.stages] in pyproject.toml must be a table of stage = [commands]")
    for name, commands in custom.items():
        stages[name] = tuple(_command(name, command) for command in _as_list(name, commands))
    return stages


def _as_list(name: str, commands: object) -> list[object]:
    if isinstance(commands, str):
        return [commands]
    if isinstance(commands, list):
        return list(commands)
    raise DevkitError(f"[tool.devkit.stages] {name} in pyproject.toml must be a command or a list of commands")


def _command(stage: str, command: object) -> Command:
    words = shlex.split(command) if isinstance(command, str) else command
    if not isinstance(words, list) or not words or not all(isinstance(word, str) for word in words):
        raise DevkitError(f"[tool.devkit.stages] {stage}: {command!r} is not a command (a string or a list of words)")
    return Command(words[0], tuple(words[1:]))


def lookup(stages: Mapping[str, tuple[Command, ...]], name: str) -> tuple[Command, ...]:
    """The commands of stage `name`; an unknown name lists the known ones."""
    if name not in stages:
        raise DevkitError(f"no stage {name!r}; the stages are: {', '.join(stages)} (see `devkit stages`)")
    return stages[name]
