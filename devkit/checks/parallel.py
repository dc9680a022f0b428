"""The commands of a stage, run in order; consecutive read-only ones side by side.

A command that may change files (`ruff check --fix`, `ruff format`, pytest, a project
command not declared read-only) runs alone, on devkit's own terminal, after everything
before it finished. Consecutive read-only commands (lint's ruff check, ruff format
--check and mypy) start together with their output captured; each is then printed
whole, in the stage's order, under its `$ command` line: its stdout, then its stderr.
Those that check the whole project whatever FILES say (mypy) start first: as a rule
they take longest, and on a machine with few cores the others then share what is left.
A tool whose output is captured sees no terminal and drops its colours, so when devkit's
stdout is a terminal (and NO_COLOR is unset) they get FORCE_COLOR=1, which ruff and mypy
honour. Their standard input is empty: two tools cannot share devkit's.

This runs on every commit, so it starts the tools with `os.posix_spawn` and reads their
pipes with `select.poll`: the standard library's cheapest modules (`subprocess` and
`threading` cost milliseconds to import). A child starts as `subprocess` starts it: from
the project root, SIGPIPE and SIGXFSZ back to their defaults, no descriptor of devkit's
but the three standard ones. mypy, when its script names devkit's own interpreter, starts
in a fork of devkit instead, which has paid Python's start-up already (see `forked`).
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # signal's numbers, without the enum `signal` builds
import os
import select
import sys

from devkit import console
from devkit.checks import forked

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

# The signals Python ignores and a child must get back at their defaults (as subprocess does).
_DEFAULT_SIGNALS: tuple[int, int] = (_signal.SIGPIPE, _signal.SIGXFSZ)
_GRACE = 0.25  # seconds an interrupted child gets to end by itself before it is killed, as in subprocess


class Step:
    """One command of a stage: its argument list, its name in the summary, and why it cannot run (or None)."""

    __slots__ = ("label", "problem", "read_only", "whole", "words")

    def __init__(self, words: list[str], label: str, problem: str | None, read_only: bool, whole: bool = False) -> None:
        self.words, self.label, self.problem, self.read_only = words, label, problem, read_only
        self.whole = whole  # it checks the whole project whatever FILES say (mypy): it starts first

    def __repr__(self) -> str:
        return f"Step({self.words!r}, {self.label!r}, {self.problem!r}, {self.read_only!r}, {self.whole!r})"


def activated(root: str, venv: str, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with `.venv` activated, as a tool run inside it from `root` expects."""
    env = dict(os.environ if environ is None else environ)
    env["PWD"] = root  # the tools' cwd; config values such as coverage's omit use it
    env["VIRTUAL_ENV"] = venv
    env["PATH"] = os.pathsep.join([os.path.join(venv, "bin"), env.get("PATH", "")])
    env.pop("PYTHONHOME", None)
    return env


def run_stage(
    name: str,
    steps: Sequence[Step],
    cwd: str,
    env: Mapping[str, str],
    finished: Callable[[int, int | None], None] | None = None,
) -> int:
    """Run every step of stage `name`, even after a failure; 1 (and a summary) when any failed.

    `finished(index, code)` is called once a step's output is printed (its code None when
    it could not run), so the caller's work after a command shows under its output.
    """
    failed = []
    for index, (step, code) in enumerate(zip(steps, run_steps(steps, cwd, env), strict=True)):
        if code != 0:
            failed.append(step.label)
        if finished is not None:
            finished(index, code)
    if failed:
        console.error(f"stage {name} failed: {', '.join(failed)}")
        return 1
    return 0


def run_steps(steps: Sequence[Step], cwd: str, env: Mapping[str, str]) -> Iterator[int | None]:
    """Run `steps` in order (read-only neighbours side by side); yield each exit code once printed."""
    for batch in _batches(steps):
        if len(batch) == 1:
            yield _alone(batch[0], cwd, env)
        else:
            yield from _side_by_side(batch, cwd, _coloured(env))


def _batches(steps: Sequence[Step]) -> list[list[Step]]:
    """`steps` cut into runs of read-only neighbours; any other step is a batch of its own."""
    batches: list[list[Step]] = []
    for step in steps:
        alone = not step.read_only and step.problem is None
        if batches and not alone and all(other.read_only or other.problem for other in batches[-1]):
            batches[-1].append(step)
        else:
            batches.append([step])
    return batches


def _alone(step: Step, cwd: str, env: Mapping[str, str]) -> int | None:
    """Run `step` on devkit's own terminal; its exit code (None: it could not run)."""
    if not _announce(step):
        return None
    sys.stderr.flush()
    pid = _spawn(step, cwd, env, ())
    if isinstance(pid, str):
        console.error(pid)
        return None
    return _wait([pid])[0]


def _side_by_side(batch: Sequence[Step], cwd: str, env: Mapping[str, str]) -> Iterator[int | None]:
    """Start every step of `batch` with its output captured, then print each whole, in order."""
    first = sorted(range(len(batch)), key=lambda index: not batch[index].whole)  # the longest, as a rule
    started: list[_Captured | str | None] = [None] * len(batch)
    try:
        for index in first:
            if batch[index].problem is None:
                started[index] = _Captured.start(batch[index], cwd, env)
        _collect([captured for captured in started if isinstance(captured, _Captured)])
    except BaseException:  # Ctrl-C, even while the others were still being started
        _stop([captured.pid for captured in started if isinstance(captured, _Captured)])
        raise
    pids = [captured.pid for captured in started if isinstance(captured, _Captured)]
    codes = dict(zip(pids, _wait(pids), strict=True))
    for step, captured in zip(batch, started, strict=True):
        if not _announce(step) or captured is None:
            yield None
        elif isinstance(captured, str):
            console.error(captured)
            yield None
        else:
            captured.print()
            yield codes[captured.pid]


def _announce(step: Step) -> bool:
    """Print `step`'s command line, and why it cannot run if it cannot; whether it can."""
    print(f"$ {join(step.words)}", flush=True)
    if step.problem is not None:
        console.error(step.problem)
        return False
    return True


class _Captured:
    """A started read-only command, its stdout and stderr read into memory as they come."""

    def __init__(self, pid: int, stdout: int, stderr: int) -> None:
        self.pid = pid
        self.pipes: dict[int, list[bytes]] = {stdout: [], stderr: []}

    @classmethod
    def start(cls, step: Step, cwd: str, env: Mapping[str, str]) -> _Captured | str:
        """The started command, or why it could not start."""
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            pid = _spawn(step, cwd, env, ((0, os.devnull), (1, out_write), (2, err_write)))
        finally:
            os.close(out_write)
            os.close(err_write)
        if isinstance(pid, str):
            os.close(out_read)
            os.close(err_read)
            return pid
        return cls(pid, out_read, err_read)

    def print(self) -> None:
        """Its stdout, then its stderr, each whole."""
        for stream, chunks in zip((sys.stdout, sys.stderr), self.pipes.values(), strict=True):
            stream.flush()
            stream.buffer.write(b"".join(chunks))
            stream.buffer.flush()


def _collect(running: Sequence[_Captured]) -> None:
    """Read every pipe of `running` until each is closed, so no child blocks on a full pipe."""
    chunks = {fd: captured.pipes[fd] for captured in running for fd in captured.pipes}
    poller = select.poll()
    for fd in chunks:
        poller.register(fd, select.POLLIN)
    try:
        while chunks:
            for fd, _ in poller.poll():
                data = os.read(fd, 65536)
                if data:
                    chunks[fd].append(data)
                else:
                    poller.unregister(fd)
                    os.close(fd)
                    del chunks[fd]
    finally:
        for fd in chunks:
            os.close(fd)


def _spawn(step: Step, cwd: str, env: Mapping[str, str], streams: Sequence[tuple[int, str | int]]) -> int | str:
    """Start `step` from `cwd` with `streams` (descriptor, and the path or descriptor put there).

    Its pid, or why it could not start. os.posix_spawn takes no working folder: devkit's
    own is `cwd` while the child starts, and is restored after.
    """
    pid = forked.start(step.words, cwd, env, streams)
    if pid is not None:
        return pid
    actions = [
        (os.POSIX_SPAWN_OPEN, target, source, os.O_RDONLY, 0)
        if isinstance(source, str)
        else (os.POSIX_SPAWN_DUP2, source, target)
        for target, source in streams
    ]
    here = os.open(".", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.chdir(cwd)
        return os.posix_spawn(step.words[0], step.words, env, file_actions=actions, setsigdef=_DEFAULT_SIGNALS)
    except OSError as exc:
        return f"{step.words[0]}: {exc.strerror}: run `devkit sync` to repair .venv, or check the stage's command"
    finally:
        os.fchdir(here)
        os.close(here)


def _wait(pids: Sequence[int]) -> list[int]:
    """The exit codes of `pids` once all ended (minus the signal number when one killed it)."""
    try:
        return [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    except BaseException:
        _stop(pids)
        raise


def _stop(pids: Sequence[int]) -> None:
    """After an interrupt: give the children a moment to end (they got the same Ctrl-C), then kill them."""
    import time

    deadline = time.monotonic() + _GRACE
    left = list(pids)
    while left:
        left = [pid for pid in left if not _ended(pid)]
        if time.monotonic() > deadline:
            for pid in left:
                _kill(pid)
            deadline = float("inf")
        elif left:
            time.sleep(0.01)


def _ended(pid: int) -> bool:
    try:
        return os.waitpid(pid, os.WNOHANG)[0] != 0
    except ChildProcessError:
        return True


def _kill(pid: int) -> None:
    import contextlib

    kill: int = _signal.SIGKILL
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, kill)


def _coloured(env: Mapping[str, str]) -> Mapping[str, str]:
    """`env` for captured tools: FORCE_COLOR=1 when devkit's stdout is a terminal and NO_COLOR is unset."""
    if env.get("NO_COLOR") or env.get("FORCE_COLOR") or not _terminal():
        return env
    return {**env, "FORCE_COLOR": "1"}


def _terminal() -> bool:
    try:
        return os.isatty(sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):  # a replaced stdout without a file descriptor
        return False


_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-")


def join(words: Sequence[str]) -> str:
    """`shlex.join(words)`; shlex (and the `re` it imports) is loaded only for a word that needs quoting."""
    if all(word and _PLAIN.issuperset(word) for word in words):
        return " ".join(words)
    import shlex

    return shlex.join(words)
