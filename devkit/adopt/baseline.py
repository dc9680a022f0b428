"""What the project's checks did before devkit, where devkit's baseline would change it.

devkit's shared lint.toml sets values the tools' defaults do not: a longer line, more
ruff rules, strict mypy, warnings as errors, a coverage floor. A project adopting devkit
keeps what its checks did: for each such setting it did not set itself, its lint.toml
gets the tool's own default, marked as such. Deleting a marked line takes devkit's
value, one deliberate step at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devkit.env import interpreter

MARK = "as before devkit; delete this line for devkit's baseline"

# The tools' own defaults for the settings devkit's lint.toml changes (ruff, mypy,
# pytest and coverage as devkit pins them), by their key under [tool].
DEFAULTS: tuple[tuple[tuple[str, ...], object], ...] = (
    (("ruff", "line-length"), 88),
    (("ruff", "lint", "select"), ["E4", "E7", "E9", "F"]),
    (("ruff", "lint", "ignore"), []),
    (("ruff", "format", "docstring-code-format"), False),
    # ruff formats the code blocks of Markdown files since 0.16: earlier ones never did
    (("ruff", "format", "exclude"), ["*.md"]),
    (("mypy", "strict"), False),
    (("mypy", "warn_unreachable"), False),
    (("mypy", "explicit_package_bases"), False),
    (("pytest", "ini_options", "addopts"), []),
    (("pytest", "ini_options", "testpaths"), []),
    (("pytest", "ini_options", "xfail_strict"), False),
    (("pytest", "ini_options", "filterwarnings"), []),
    (("coverage", "run", "branch"), False),
    (("coverage", "run", "omit"), []),
    (("coverage", "report", "fail_under"), 0),
)


def pins(pyproject: Mapping[str, Any]) -> list[tuple[tuple[str, ...], object]]:
    """Each setting (its key under [tool]) with the value the project's tools used by default.

    ruff's target is the one it inferred from requires-python; without requires-python,
    devkit's target stands.
    """
    oldest = interpreter.oldest_minor(pyproject)
    target = [(("ruff", "target-version"), "py" + oldest.replace(".", ""))] if oldest else []
    return [*target, *DEFAULTS]
