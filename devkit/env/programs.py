"""Finding and running the installers devkit drives (uv, Poetry)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from devkit.errors import DevkitError


def find(name: str) -> Path | None:
    """`name` installed beside the running Python (devkit's own environment), else on PATH."""
    beside = Path(sys.executable).parent / name
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which(name)
    return Path(found) if found else None


def version(executable: Path) -> str:
    """The version a tool reports with `--version` (its last word), or "unknown"."""
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    words = result.stdout.replace(")", " ").split()
    return next((word for word in words if word[:1].isdigit()), "unknown")


_RETRY_SYNC = "fix the cause and run `devkit sync` again (.venv is not marked in sync)"


def run(
    command: Sequence[str | Path],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    what: str,
    advice: str = _RETRY_SYNC,
) -> None:
    """Run a program with the user's terminal attached; a failure is a DevkitError ending in `advice`."""
    try:
        result = subprocess.run([str(part) for part in command], cwd=cwd, env=env, check=False)
    except OSError as exc:
        raise DevkitError(f"could not start {command[0]}: {exc}") from None
    if result.returncode != 0:
        raise DevkitError(f"{what} failed (exit {result.returncode}), see its output above; {advice}")


def child_env(**changes: str | None) -> dict[str, str]:
    """The current environment with `changes` applied; None removes a variable."""
    env = dict(os.environ)
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return env
