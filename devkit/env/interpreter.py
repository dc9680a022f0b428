"""The project's Python: one setting that local syncs and the CI image share.

`[tool.devkit] python = "3.11"` when set, else the first line of the project's
`.python-version`. Without either, a sync takes the newest interpreter on PATH
(`python3.X`) that both the project's requires-python and devkit admit, and the CI image
the lowest such version.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from devkit.env import settings
from devkit.errors import DevkitError
from devkit.files.fields import shown

DEVKIT_REQUIRES = ">=3.11"  # devkit's own requires-python: a .venv it cannot run in is no use
PYTHON_VERSION_FILE = ".python-version"
_NEWEST_MINOR = 30
# ASCII digits only, matched whole: `\d` takes other scripts' digits and `$` a final newline.
# No leading zeros and at most three digits a part: the setting names an image tag (python:3.11-slim).
_PART = "(0|[1-9][0-9]{0,2})"
_VERSION = re.compile(rf"{_PART}\.{_PART}(\.{_PART})?")
# Clauses of a Poetry constraint are separated by commas or by spaces before an operator.
_CLAUSES = re.compile(r"\s*,\s*|\s+(?=[<>=!~^])")
_SPECIFIER = re.compile(r"(==|!=|<=|>=|~=|<|>)\s*([0-9]+(?:\.[0-9]+)*)(\.\*)?")
# The version, and the interpreter behind any venv or shim: a .venv is never built on
# another venv's Python (which may be the very .venv being rebuilt).
_PROBE = "import sys; print('%d.%d.%d' % sys.version_info[:3]); print(getattr(sys, '_base_executable', sys.executable))"
_ADD_SETTING = 'add [tool.devkit] python = "3.11" (the version to use) to pyproject.toml'


def setting(pyproject: Mapping[str, Any]) -> tuple[str, str] | None:
    """`[tool.devkit] python` ("3.11") and where it came from, for messages; None when unset."""
    configured = settings.table(pyproject).get("python")
    if configured is None:
        return None
    if not isinstance(configured, str) or not _VERSION.fullmatch(configured):
        raise DevkitError(
            f'[tool.devkit] python = {shown(configured)} in pyproject.toml is not a version: write it like "3.11"'
        )
    return configured, "[tool.devkit] python"


def pinned(pyproject: Mapping[str, Any], root: Path) -> tuple[str, str] | None:
    """The version the project names: `[tool.devkit] python`, else `.python-version`; None when neither.

    A named version that requires-python or devkit does not admit is an error naming where it came from.
    """
    found = _named(pyproject, root)
    if found is not None:
        version, origin = found
        requires = _requires_python(pyproject)
        admitted = admits(requires)
        if not any(admitted(candidate) for candidate in _releases(version)):
            raise DevkitError(f"Python {version} ({origin}) is not one that {_both(requires)} admit: change {origin}")
    return found


def _releases(version: str) -> tuple[str, ...]:
    """The full versions a setting stands for: itself, or the first and a late patch of "X.Y"."""
    return (version,) if version.count(".") == 2 else (f"{version}.0", f"{version}.99")


def _named(pyproject: Mapping[str, Any], root: Path) -> tuple[str, str] | None:
    found = setting(pyproject)
    if found is not None:
        return found
    path = root / PYTHON_VERSION_FILE
    if not path.is_file():
        return None
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    first = lines[0].strip() if lines else ""
    if not _VERSION.fullmatch(first):
        raise DevkitError(
            f"{path}: the first line {first!r} is not a Python version like 3.11 or 3.11.7: "
            "fix it, or delete it and set [tool.devkit] python in pyproject.toml"
        )
    return first, PYTHON_VERSION_FILE


def choose(pyproject: Mapping[str, Any], root: Path) -> tuple[str, str]:
    """The Python a sync builds `.venv` on, and where that choice came from."""
    found = pinned(pyproject, root)
    if found is not None:
        return found
    requires = _requires_python(pyproject)
    admitted = admits(requires)
    tried = []
    for minor in range(_NEWEST_MINOR, 10, -1):
        name = f"python3.{minor}"
        path = shutil.which(name)
        probed = probe(Path(path)) if path else None
        if probed is not None and admitted(probed[0]):
            return ".".join(probed[0].split(".")[:2]), f"the newest Python on PATH that {_both(requires)} admit"
        tried += [f"{name} {probed[0]}"] if probed is not None else []
    shown = f" (found: {', '.join(tried)})" if tried else ""
    raise DevkitError(f"no Python on PATH that {_both(requires)} admit{shown}: install one, or {_ADD_SETTING}")


def for_image(pyproject: Mapping[str, Any], root: Path) -> str:
    """The Python of the CI image: the pinned one, else the lowest version both requirements admit."""
    found = pinned(pyproject, root)
    if found is not None:
        return found[0]
    requires = _requires_python(pyproject)
    admitted = admits(requires)
    for minor in range(11, _NEWEST_MINOR + 1):
        if any(admitted(release) for release in _releases(f"3.{minor}")):
            return f"3.{minor}"
    raise DevkitError(f"no Python version that {_both(requires)} admit: fix requires-python, or {_ADD_SETTING}")


def _both(requires: str | None) -> str:
    return f"requires-python {requires!r} and devkit ({DEVKIT_REQUIRES})" if requires else f"devkit ({DEVKIT_REQUIRES})"


def _requires_python(pyproject: Mapping[str, Any]) -> str | None:
    project = pyproject.get("project", {}).get("requires-python")
    if isinstance(project, str):
        return project
    poetry = pyproject.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    return poetry if isinstance(poetry, str) else None


def admits(requires: str | None) -> Callable[[str], bool]:
    """Whether a full version ("3.12.1") satisfies both devkit's and the project's requirement.

    The project's may be PEP 440 or Poetry's (`^3.10`, `~3.10`, `3.10.*`, `>=3.10 <4`, `||`).
    Standard library only: the hooks' first sync runs before devkit's dependencies exist.
    """
    own = _clauses(DEVKIT_REQUIRES, DEVKIT_REQUIRES)
    project = _project_admits(requires)

    def admitted(version: str) -> bool:
        release = tuple(int(part) for part in version.split("."))
        return all(map(partial(_holds, release), own)) and project(release)

    return admitted


def _project_admits(requires: str | None) -> Callable[[tuple[int, ...]], bool]:
    """Whether a release (3, 12, 1) satisfies the project's requirement alone (any `||` alternative)."""
    alternatives = [_clauses(_pep440(part, requires), requires) for part in (requires or "").split("||")]
    return lambda release: any(all(_holds(release, clause) for clause in alternative) for alternative in alternatives)


def admits_older_than_devkit(pyproject: Mapping[str, Any]) -> bool:
    """Whether the project's requires-python admits a Python devkit does not run on (3.10 or older).

    Poetry and uv resolve the dev group for every Python the project admits: devkit's
    requirement then needs a marker that leaves those out.
    """
    project = _project_admits(_requires_python(pyproject))
    return any(project((3, minor, patch)) for minor in range(11) for patch in (0, 99))


def oldest_minor(pyproject: Mapping[str, Any]) -> str | None:
    """The oldest Python 3 release series requires-python admits ("3.9"); None without one.

    It is the target ruff infers from requires-python when its config names none.
    """
    requires = _requires_python(pyproject)
    if requires is None:
        return None
    project = _project_admits(requires)
    return next((f"3.{minor}" for minor in range(20) if project((3, minor, 0)) or project((3, minor, 99))), None)


def _pep440(constraint: str, requires: str | None) -> str:
    """One alternative of a Python constraint, in PEP 440's form."""
    clauses = []
    for clause in _CLAUSES.split(constraint.strip()):
        if clause in ("", "*"):
            continue
        if clause.startswith(("^", "~")) and not clause.startswith("~="):
            version = clause[1:].strip()
            parts = version.split(".")
            if not all(part.isdigit() for part in parts):
                raise DevkitError(f"cannot read requires-python {requires!r}: fix it, or {_ADD_SETTING}")
            caret = clause[0] == "^" or len(parts) == 1
            clauses += [f">={version}", f"<{int(parts[0]) + 1}" if caret else f"<{parts[0]}.{int(parts[1]) + 1}"]
        elif clause[0].isdigit():
            clauses.append(f"=={clause}" if clause.endswith("*") or clause.count(".") >= 2 else f"=={clause}.*")
        else:
            clauses.append(clause)
    return ",".join(clauses)


def _clauses(specifiers: str, requires: str | None) -> list[tuple[str, tuple[int, ...], bool]]:
    """PEP 440 specifiers on release numbers, as (operator, release, wildcard)."""
    found = []
    for text in filter(None, (part.strip() for part in specifiers.split(","))):
        match = _SPECIFIER.fullmatch(text)
        if match is None or (match[3] and match[1] not in ("==", "!=")) or (match[1] == "~=" and "." not in match[2]):
            raise DevkitError(f"cannot read requires-python {requires!r}: fix it, or {_ADD_SETTING}")
        found.append((match[1], tuple(int(part) for part in match[2].split(".")), bool(match[3])))
    return found


def _holds(version: tuple[int, ...], clause: tuple[str, tuple[int, ...], bool]) -> bool:
    """Whether a final release satisfies one clause, as PEP 440 compares releases."""
    operator, bound, wildcard = clause
    if wildcard:
        return (version[: len(bound)] == bound) == (operator == "==")
    if operator == "~=":
        return _holds(version, (">=", bound, False)) and version[: len(bound) - 1] == bound[:-1]
    width = max(len(version), len(bound))
    left, right = version + (0,) * (width - len(version)), bound + (0,) * (width - len(bound))
    comparisons = {"==": left == right, "!=": left != right, "<": left < right, "<=": left <= right}
    return {**comparisons, ">": left > right, ">=": left >= right}[operator]


def probe(executable: Path) -> tuple[str, Path] | None:
    """The full version ("3.11.7") of an interpreter and its base executable; None when it does not run."""
    try:
        result = subprocess.run([executable, "-c", _PROBE], capture_output=True, text=True, check=False)
    except OSError:
        return None
    lines = result.stdout.splitlines()
    if result.returncode != 0 or len(lines) != 2:
        return None
    return lines[0], Path(lines[1])


def matches(full_version: str, wanted: str) -> bool:
    """Whether "3.11.7" satisfies the setting "3.11" (or "3.11.7")."""
    return full_version == wanted or full_version.startswith(wanted + ".")


def find(wanted: str, origin: str) -> tuple[Path, str]:
    """An interpreter for `wanted` and its full version; a clear error when there is none."""
    major_minor = ".".join(wanted.split(".")[:2])
    names = [f"python{major_minor}", "python3", "python"]
    candidates = [Path(path) for name in names if (path := shutil.which(name))]
    candidates.append(Path(sys.executable))
    for candidate in candidates:
        found = probe(candidate)
        if found is not None and matches(found[0], wanted):
            return found[1], found[0]
    raise DevkitError(
        f"Python {wanted} ({origin}) is not installed or not on PATH: install it "
        f"(for example `uv python install {wanted}`) or change that setting"
    )
