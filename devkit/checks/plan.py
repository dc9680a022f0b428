"""The run plan: a stage resolved once, then run directly while nothing it came from changed.

Before its first tool starts, `devkit run STAGE` finds the project, reads pyproject.toml,
checks that .venv is in sync and the merged config current, looks for stray tool settings
and builds the stage table: imports and parsing that cost more than ruff itself, on every
commit. When all of that found nothing to do, the stage's resolved commands are stored in
`.devkit/plans/STAGE` with the identity (device, inode, mode, size, modification and change
times) of every file the answer came from: pyproject.toml and both lock names, .venv's
stamp and Python, the stage's tools, devkit's lint.toml and the project's, the merged
config, the places stray tool settings live, devkit's own modules, and where the modules
a command needs were found (.venv's site-packages folder, whose entries an install or a
removal changes, and each module's file). The next
`devkit run STAGE` (without reports: under CI they are written, see `runner`) looks at
those files only, a stat each, and when every one is as recorded, runs the stored
commands; anything else (a file changed, added or removed, a plan missing or malformed)
takes the full path, which stores a new plan.

A plan records a file only as the version that was read: it is not stored when a file
devkit did not write itself changed less than `SETTLE_NS` before the run began (its
change time, which no tool can set back), since a change in the same clock tick as the
reading could keep every field of its identity.

Replaying runs on every commit: the standard library's cheapest modules, no parsing
beyond splitting the file on NUL bytes (which no path or argument can hold).
"""

from __future__ import annotations

import os
import sys

from devkit.checks import parallel
from devkit.env.root import STATE_DIR, nearest

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from devkit.env.project import Project

FORMAT = "devkit run plan 1"
FOLDER = os.path.join(STATE_DIR, "plans")
SETTLE_NS = 2_000_000_000  # covers file systems that keep times to the second (or two)
_ABSENT = "-"
_STAGE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-")


class Planned:
    """One command of a stage, resolved: its words before FILES, its default targets and how it runs."""

    __slots__ = ("defaults", "label", "prefix", "read_only", "takes_files")

    def __init__(
        self, prefix: list[str], defaults: Sequence[str], takes_files: bool, read_only: bool, label: str
    ) -> None:
        self.prefix, self.defaults, self.takes_files = prefix, list(defaults), takes_files
        self.read_only, self.label = read_only, label

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Planned) and self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Planned{self._fields()!r}"

    def _fields(self) -> tuple[list[str], list[str], bool, bool, str]:
        return self.prefix, self.defaults, self.takes_files, self.read_only, self.label

    def runs_on(self, targets: Sequence[str] | None) -> bool:
        """Whether it runs for `targets` (None: the whole project): not when FILES held no Python file for it."""
        return targets is None or bool(targets) or not self.takes_files

    def step(self, targets: Sequence[str] | None, problem: str | None = None) -> parallel.Step:
        words = [*self.prefix, *arguments((), self.defaults, self.takes_files, targets)]
        return parallel.Step(words, self.label, problem, self.read_only, whole=not self.takes_files)


def arguments(
    args: Sequence[str], defaults: Sequence[str], takes_files: bool, files: Sequence[str] | None
) -> list[str]:
    """A command's arguments after its tool: `args`, then `--` and FILES or its `defaults`.

    FILES replace the defaults of a command that `takes_files`; None means none were given.
    `--` comes before the paths, so a file named like an option stays a file.
    """
    targets = files if takes_files and files is not None else defaults
    return [*args, "--", *targets] if targets else list(args)


def replay(stage: str, files: Sequence[str]) -> int | None:
    """Run `stage` from its stored plan; None when the plan is missing, stale or CI wants reports."""
    if under_ci() or not stage or not _STAGE_CHARACTERS.issuperset(stage):
        return None
    try:
        root = nearest(os.getcwd())
    except OSError:  # the working folder was removed: the full path says so
        return None
    found = load(root, stage) if root is not None else None
    if root is None or found is None:
        return None
    targets = None
    if files:
        from devkit.checks import targets as paths

        targets = paths.narrow(root, files)
    steps = [command.step(targets) for command in found.commands if command.runs_on(targets)]
    return parallel.run_stage(stage, steps, root, parallel.activated(root, found.venv))


class Plan:
    """A stored plan: the stage, where it runs, the identity of each input, and the resolved commands."""

    __slots__ = ("commands", "inputs", "root", "stage", "venv")

    def __init__(
        self, stage: str, root: str, venv: str, inputs: list[tuple[str, str]], commands: list[Planned]
    ) -> None:
        self.stage, self.root, self.venv, self.inputs, self.commands = stage, root, venv, inputs, commands

    def current(self) -> bool:
        """Whether every input is still the version the plan was made from."""
        return all(_identity(path) == identity for path, identity in self.inputs)

    def encode(self) -> bytes:
        fields = [FORMAT, self.stage, self.root, self.venv, str(len(self.inputs))]
        fields += [item for path, identity in self.inputs for item in (path, identity)]
        fields.append(str(len(self.commands)))
        for command in self.commands:
            fields += [str(len(command.prefix)), *command.prefix, str(len(command.defaults)), *command.defaults]
            fields += [f"{int(command.takes_files)}{int(command.read_only)}", command.label]
        return b"\0".join(os.fsencode(field) for field in fields)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Plan) and self.encode() == other.encode()

    __hash__ = None  # type: ignore[assignment]


def decode(data: bytes) -> Plan | None:
    """The plan `data` holds; None when it is not one (another format, cut short, garbled)."""
    fields = iter([os.fsdecode(field) for field in data.split(b"\0")])
    try:
        if next(fields) != FORMAT:
            return None
        stage, root, venv = next(fields), next(fields), next(fields)
        inputs = [(next(fields), next(fields)) for _ in range(_count(fields))]
        commands = [_command(fields) for _ in range(_count(fields))]
    except (ValueError, StopIteration):
        return None
    return Plan(stage, root, venv, inputs, commands) if next(fields, None) is None else None


def _count(fields: Iterator[str]) -> int:
    text = next(fields)
    if not text.isdigit() or not text.isascii():
        raise ValueError(text)
    return int(text)


def _command(fields: Iterator[str]) -> Planned:
    prefix = [next(fields) for _ in range(_count(fields))]
    defaults = [next(fields) for _ in range(_count(fields))]
    flags = next(fields)
    if flags not in ("00", "01", "10", "11") or not prefix:
        raise ValueError(flags)
    return Planned(prefix, defaults, flags[0] == "1", flags[1] == "1", next(fields))


def load(root: str, stage: str) -> Plan | None:
    """`stage`'s plan under `root` when it is well-formed, made there, and still current."""
    try:
        with open(os.path.join(root, FOLDER, stage), "rb") as handle:
            found = decode(handle.read())
    except OSError:
        return None
    if found is None or found.stage != stage or found.root != root or not found.current():
        return None
    return found


def store(
    project: Project, stage: str, planned: Sequence[Planned], begun_ns: int, found_from: Sequence[str] = ()
) -> None:
    """Keep the resolved `planned` commands of `stage` for the next run, unless an input had not settled.

    `found_from` are more files the resolution read: where the modules a command needs
    were found (`.venv`'s site-packages folder, the modules' files).
    """
    from devkit.errors import DevkitError
    from devkit.files import atomic

    written, read = _inputs(project, planned)
    read += found_from
    inputs = [(path, identity) for path in [*written, *read] if (identity := _identity(path)) is not None]
    settled = begun_ns - SETTLE_NS
    if len(inputs) < len(written) + len(read) or not all(_before(path, settled) for path in read):
        return  # an input that cannot be looked at, or one that changed too recently
    found = Plan(stage, str(project.root), str(project.venv), inputs, list(planned))
    folder = project.root / FOLDER
    try:
        atomic.make_folder(folder)
        atomic.write_bytes(folder / stage, found.encode())
    except DevkitError:  # no room, no permission, a file in the way: the stage runs all the same, unplanned
        return


def _inputs(project: Project, planned: Sequence[Planned]) -> tuple[list[str], list[str]]:
    """The files a stage's resolution came from: those devkit writes itself, and all others."""
    from devkit import resources
    from devkit.checks import config, strays
    from devkit.env import stamp
    from devkit.env.project import POETRY_LOCK, UV_LOCK

    root, state = project.root, project.root / STATE_DIR
    written = [stamp.path(project.venv), *(state / name for name in (config.MERGED, config.RUFF, config.KEY))]
    written += [state / strays.RECORD, project.venv / "bin" / "python"]
    read = [project.pyproject, root / POETRY_LOCK, root / UV_LOCK, root / config.PROJECT_FILE]
    read += [resources.shipped("lint.toml"), *(root / name for name in (*strays.FILES, *strays.SHARED))]
    tools = list(dict.fromkeys(command.prefix[0] for command in planned))
    return [*map(str, written), *tools], [*map(str, read), *sorted(_devkit_modules())]


def _devkit_modules() -> set[str]:
    """The files of devkit's modules this process loaded: a new devkit (or an edit to it) makes new plans."""
    modules = [module for name, module in sys.modules.items() if name == "devkit" or name.startswith("devkit.")]
    return {path for path in (getattr(module, "__file__", None) for module in modules) if isinstance(path, str)}


def _identity(path: str) -> str | None:
    """What identifies this version of `path`: a stat's fields, `-` when absent, None when it cannot be looked at."""
    try:
        found = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return _ABSENT
    except OSError:
        return None
    return f"{found.st_dev} {found.st_ino} {found.st_mode} {found.st_size} {found.st_mtime_ns} {found.st_ctime_ns}"


def _before(path: str, moment_ns: int) -> bool:
    """Whether `path` last changed before `moment_ns` (an absent file has not changed)."""
    try:
        return os.stat(path).st_ctime_ns < moment_ns
    except (FileNotFoundError, NotADirectoryError):
        return True


def under_ci() -> bool:
    """Whether CI is set (and not to false, no or 0): GitLab sets it in every job."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
