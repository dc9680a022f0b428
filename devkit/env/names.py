"""Names as packaging normalises them (PEP 503): how Poetry and uv compare group names.

Standard library only, and cheap: the no-op check of `devkit sync` normalises the groups
on its command line with it.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")
# The name a PEP 508 requirement starts with: letters and digits, `.`, `_`, `-` inside.
_REQUIREMENT_NAME = re.compile(r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)")


def canonical(name: str) -> str:
    """`name` lowercased, each run of `-`, `_` and `.` made one `-`: `Github_Actions` is `github-actions`."""
    return _SEPARATORS.sub("-", name).lower()


def requirement_name(requirement: object) -> str | None:
    """The canonical name a requirement string (`numpy>=2 ; python_version < "3.13"`) starts with."""
    match = _REQUIREMENT_NAME.match(requirement) if isinstance(requirement, str) else None
    return canonical(match.group(1)) if match else None
