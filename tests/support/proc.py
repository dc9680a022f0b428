"""Run subprocesses from tests with captured text output and readable failures."""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def run(
    cmd: Sequence[str | Path],
    cwd: Path,
    *,
    check: bool = True,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run *cmd* in *cwd* and return the completed process with text stdout/stderr.

    *env* replaces the environment when given; otherwise the current
    ``os.environ`` (as patched by the test fixtures) is inherited. Standard input
    is closed. With *check* (the default) a non-zero exit raises
    ``AssertionError`` showing the command, exit code, stdout and stderr.
    """
    argv = [os.fspath(part) for part in cmd]
    result = subprocess.run(
        argv,
        cwd=cwd,
        env=None if env is None else dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if check and result.returncode != 0:
        raise AssertionError(describe_failure(argv, cwd, result))
    return result


def describe_failure(argv: Sequence[str], cwd: Path, result: subprocess.CompletedProcess[str]) -> str:
    """Return a multi-line report of a finished command: argv, cwd, exit code and output."""
    command = shlex.join(argv)
    return (
        f"command failed with exit code {result.returncode}\n"
        f"$ {command}\n(cwd: {cwd})\n"
        f"--- stdout ---\n{result.stdout}"
        f"--- stderr ---\n{result.stderr}"
    )
