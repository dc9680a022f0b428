"""The commands of a stage, run in order; consecutive read-only ones side by side.

A command that may change files (`ruff check --fix`, `ruff format`, pytest, a project
command not declared read-only) runs alone, on devkit's own terminal, after everything
before it finished. Consecutive read-only commands (lint's ruff check, ruff format
--check and mypy) start together with their output captured; each is then printed
whole, in the stage's order, under its `$ command` line: its stdout, then its stderr.
A tool whose output is captured sees no terminal and drops its colours, so when devkit's
stdout is a terminal (and NO_COLOR is unset) they get FORCE_COLOR=1, which ruff and mypy
honour. Their standard input is empty: two tools cannot share devkit's.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from devkit import console


class Step(NamedTuple):
    """One command of a stage: its argument list, its name in the summary, and why it cannot run (or None)."""

    words: list[str]
    label: str
    problem: str | None
    read_only: bool


def run_steps(steps: Sequence[Step], cwd: Path, env: Mapping[str, str]) -> Iterator[int | None]:
    """Run `steps` in order (read-only neighbours side by side).

    Yields each one's exit code (None when it could not run) once its output is printed,
    so the caller's work after a command shows under that command's output.
    """
    for batch in _batches(steps):
        runs = _start(batch, cwd, _coloured(env)) if len(batch) > 1 else [None]
        for step, running in zip(batch, runs, strict=True):
            yield _finish(step, running, cwd, env)


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


class _Captured:
    """A started command whose output a thread collects, so no pipe fills up and blocks it."""

    def __init__(self, words: list[str], cwd: Path, env: Mapping[str, str]) -> None:
        self.process = subprocess.Popen(
            words, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self.output = (b"", b"")
        self.thread = threading.Thread(target=self._collect, daemon=True)
        self.thread.start()

    def _collect(self) -> None:
        self.output = self.process.communicate()

    def wait(self) -> int:
        """Print the output whole (stdout, then stderr) once the command ended; its exit code."""
        self.thread.join()
        for stream, data in zip((sys.stdout, sys.stderr), self.output, strict=True):
            stream.flush()
            stream.buffer.write(data)
            stream.buffer.flush()
        return self.process.returncode


def _start(batch: Sequence[Step], cwd: Path, env: Mapping[str, str]) -> list[_Captured | None]:
    return [None if step.problem else _Captured(step.words, cwd, env) for step in batch]


def _finish(step: Step, running: _Captured | None, cwd: Path, env: Mapping[str, str]) -> int | None:
    """Print `step`'s command line and its outcome; its exit code (None: it could not run)."""
    print(f"$ {shlex.join(step.words)}", flush=True)
    if step.problem is not None:
        console.error(step.problem)
        return None
    if running is not None:
        return running.wait()
    sys.stderr.flush()
    return subprocess.run(step.words, cwd=cwd, env=env, check=False).returncode


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
