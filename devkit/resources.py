"""The files devkit ships: the Makefile include, the hooks' config and the base lint.toml.

In an installed wheel they are package data under `devkit/_shipped`; in devkit's own
source checkout they are the repository's `make/`, `hooks/` and `lint.toml`, which the
wheel build copies there.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def shipped(name: str) -> Path:
    """The path of a shipped file or folder, e.g. "lint.toml" or "make/devkit.mk"."""
    packaged = files("devkit") / "_shipped"
    if packaged.is_dir():
        return Path(str(packaged.joinpath(name)))
    return Path(__file__).resolve().parent.parent / name
