"""The files devkit ships: the Makefile include, the hooks' config and the base lint.toml.

In an installed wheel they are package data under `devkit/_shipped`; in devkit's own
source checkout they are the repository's `make/`, `hooks/` and `lint.toml`, which the
wheel build copies there. devkit is installed as files (the tools run them by path), so
the package's folder is found from this module's own path: importlib.resources would cost
`devkit run` several milliseconds of imports on every commit.
"""

from __future__ import annotations

from pathlib import Path


def shipped(name: str) -> Path:
    """The path of a shipped file or folder, e.g. "lint.toml" or "make/devkit.mk"."""
    package = Path(__file__).resolve().parent
    packaged = package / "_shipped"
    if packaged.is_dir():
        return packaged / name
    return package.parent / name
