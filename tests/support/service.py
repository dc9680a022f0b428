"""A small service project whose `.venv` holds devkit and the tools devkit pins.

The service has no dependencies of its own. After `devkit sync` built its `.venv`, the
test environment's devkit, ruff, mypy, pytest, coverage and pre-commit are linked into
`.venv/bin` and the test environment's site-packages is made importable from `.venv`,
which is what a project's dev group holding devkit gives it.
"""

from __future__ import annotations

import shutil
import sys
import sysconfig
from pathlib import Path

from tests.support.proc import run

DEVKIT = [sys.executable, "-m", "devkit"]
TOOLS = ("devkit", "ruff", "mypy", "pytest", "coverage", "pre-commit")
PYPROJECT = """\
[project]
name = "service"
version = "0.1.0"
requires-python = ">=3.11,<3.12"  # the tools linked into .venv are the test environment's
dependencies = []

[tool.poetry]
package-mode = false
"""
CLEAN_MODULE = '''\
"""Scoring helpers."""


def double(value: int) -> int:
    """Return twice `value`."""
    return value * 2
'''
CLEAN_TEST = """\
from app.scoring import double


def test_double() -> None:
    assert double(2) == 4
"""


def write(root: Path, name: str, text: str) -> None:
    """Write `text` to `root/name`, creating folders."""
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_service(locked: Path, root: Path) -> Path:
    """Copy the locked service to `root`, add clean code and tests, sync and equip `.venv`."""
    shutil.copytree(locked, root)
    write(root, "app/__init__.py", '"""The service."""\n')
    write(root, "app/scoring.py", CLEAN_MODULE)
    write(root, "tests/test_scoring.py", CLEAN_TEST)
    run([*DEVKIT, "sync"], cwd=root)
    for tool in TOOLS:
        (root / ".venv/bin" / tool).symlink_to(Path(sys.executable).parent / tool)
    (site_packages(root) / "devkit-tools.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return root


def site_packages(root: Path) -> Path:
    """The site-packages folder of `root`'s `.venv`, as its own Python names it."""
    site = run([root / ".venv/bin/python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=root)
    return Path(site.stdout.strip())
