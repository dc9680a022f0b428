"""The in-project virtual environment: which Python it runs, and creating it afresh."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from devkit.env import interpreter
from devkit.errors import DevkitError


def python(venv: Path) -> Path:
    return venv / "bin" / "python"


def version(venv: Path) -> str | None:
    """The Python version recorded in `pyvenv.cfg`, or None when `venv` is not a usable venv."""
    if not python(venv).exists():
        return None
    try:
        lines = (venv / "pyvenv.cfg").read_text(errors="replace").splitlines()  # keys are ASCII
    except OSError:
        return None
    for line in lines:
        name, _, value = line.partition("=")
        if name.strip() in ("version_info", "version"):
            return value.strip()
    return None


def require_replaceable(venv: Path) -> None:
    """Raise DevkitError when `venv` holds something devkit must not delete to build a venv there.

    A file, or a folder that is neither empty nor a virtual environment (no pyvenv.cfg),
    is left as it is; a venv, an empty folder, a symbolic link or nothing may be replaced.
    """
    if venv.is_symlink() or not venv.exists():
        return
    if not venv.is_dir():
        raise DevkitError(f"{venv} is a file, not a virtual environment: move it away, then run `devkit sync` again")
    if not (venv / "pyvenv.cfg").is_file() and any(venv.iterdir()):
        raise DevkitError(
            f"{venv} is not a virtual environment (no pyvenv.cfg) and not empty: move it away, "
            "then run `devkit sync` again"
        )


def ensure(venv: Path, executable: Path, wanted: str, *, uv: Path | None, quiet: bool) -> bool:
    """Make `venv` a venv of `executable`; rebuild it when it runs another Python.

    Returns True when it was (re)created.
    """
    require_replaceable(venv)
    current = version(venv)
    if current is not None and interpreter.matches(current, wanted):
        return False
    in_place = uv is not None and current is not None and runs_devkit(venv)
    if (venv.exists() or venv.is_symlink()) and not in_place:
        shutil.rmtree(venv) if venv.is_dir() and not venv.is_symlink() else venv.unlink()
    if uv is not None:
        # The devkit (and uv) running this sync live in `venv`: it gets the new Python in place,
        # and the old one's files go once the install is done (`prune`).
        command = [str(uv), "venv", "--python", str(executable), "--no-project", str(venv)]
        command += ["--allow-existing"] if in_place else []
        command += ["--quiet"] if quiet else []
    else:
        command = [str(executable), "-m", "venv", str(venv)]
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise DevkitError(f"could not create {venv} with {executable} (exit {result.returncode}): see the output above")
    return True


def runs_devkit(venv: Path) -> bool:
    """Whether the running devkit is installed in `venv` (its Python is that venv's)."""
    try:
        return Path(sys.prefix).resolve() == venv.resolve()
    except OSError:
        return False


def prune(venv: Path) -> None:
    """Remove what an earlier Python left in `venv` after it got another one in place."""
    current = version(venv)
    if current is None:
        return
    release = ".".join(current.split(".")[:2])
    for folder, pattern in ((venv / "lib", "python3.*"), (venv / "bin", "python3.*")):
        for stale in folder.glob(pattern) if folder.is_dir() else ():
            if stale.name != f"python{release}" and stale.name.removeprefix("python")[:1].isdigit():
                shutil.rmtree(stale) if stale.is_dir() and not stale.is_symlink() else stale.unlink()
