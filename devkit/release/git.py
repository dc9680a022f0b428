"""git, run as an argument list in the project's folder; a failure is one DevkitError line."""

from __future__ import annotations

import subprocess
from pathlib import Path

from devkit.errors import DevkitError


def run(root: Path, *args: str) -> str:
    """Run `git ARGS` in `root` and return its stdout; DevkitError with git's reason when it fails."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=root, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )
    except FileNotFoundError:
        raise DevkitError("git is not installed: install git and run again") from None
    if result.returncode != 0:
        lines = [line for line in (result.stderr + result.stdout).splitlines() if line.strip()]
        reason = lines[0].strip() if lines else f"exit code {result.returncode}"
        raise DevkitError(f"`git {' '.join(args)}` failed in {root}: {reason}")
    return result.stdout


def in_repository(root: Path) -> bool:
    """Whether `root` is inside a git working tree."""
    return any((folder / ".git").exists() for folder in (root, *root.parents))
