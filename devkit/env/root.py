"""Which project a command runs in: the nearest folder with a pyproject.toml, found with `os` alone.

The commit path (the no-op sync, a stage's stored plan) and the full path
(`project.find_root`) look the same way, so they agree on the project.
"""

from __future__ import annotations

import os

PYPROJECT = "pyproject.toml"
STATE_DIR = ".devkit"  # devkit's git-ignored working folder in a project


def nearest(folder: str) -> str | None:
    """The nearest folder at or above `folder` (an absolute path) that holds a pyproject.toml, or None."""
    while True:
        if os.path.isfile(os.path.join(folder, PYPROJECT)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
