"""The in-project virtual environment: which Python it runs, and creating it afresh."""

from __future__ import annotations

import shutil
import subprocess
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
    if venv.exists() or venv.is_symlink():
        shutil.rmtree(venv) if venv.is_dir() and not venv.is_symlink() else venv.unlink()
    if uv is not None:
        command = [str(uv), "venv", "--python", str(executable), "--no-project", str(venv)]
        command += ["--quiet"] if quiet else []
    else:
        command = [str(executable), "-m", "venv", str(venv)]
    result = subprocess.run(command, check=False)
    if result.returncode != 0:
        raise DevkitError(f"could not create {venv} with {executable} (exit {result.returncode}): see the output above")
    return True
