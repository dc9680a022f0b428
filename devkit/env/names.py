"""Names as packaging normalises them (PEP 503): how Poetry and uv compare group names.

Standard library only, and cheap: the no-op check of `devkit sync` normalises the groups
on its command line with it.
"""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[-_.]+")


def canonical(name: str) -> str:
    """`name` lowercased, each run of `-`, `_` and `.` made one `-`: `Github_Actions` is `github-actions`."""
    return _SEPARATORS.sub("-", name).lower()
