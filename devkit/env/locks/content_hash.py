"""Poetry's lock freshness check: the content-hash of the dependency-relevant pyproject parts.

Computed the way Poetry 2.x computes it: a sha256 over a sorted JSON dump of [project]
requires-python, dependencies and optional-dependencies, [dependency-groups], and
[tool.poetry] dependencies, source, extras, dev-dependencies and group. Editing anything
else (ruff settings, the description) leaves the lock fresh.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

_LEGACY_KEYS = ("dependencies", "source", "extras", "dev-dependencies")
_POETRY_KEYS = (*_LEGACY_KEYS, "group")
_PROJECT_KEYS = ("requires-python", "dependencies", "optional-dependencies")
_WRITER = re.compile(r"Poetry (\d+)\.(\d+)(?:\.(\d+))?(\S*)")


def compute(pyproject: Mapping[str, Any], *, with_dependency_groups: bool = True) -> str:
    """The content-hash Poetry writes into poetry.lock for this pyproject."""
    project = pyproject.get("project", {})
    groups = pyproject.get("dependency-groups", {}) if with_dependency_groups else {}
    poetry = pyproject.get("tool", {}).get("poetry", {})
    relevant_project = {key: project[key] for key in _PROJECT_KEYS if project.get(key) is not None}
    relevant_poetry = {}
    for key in _POETRY_KEYS:
        value = poetry.get(key)
        if value is None and (key not in _LEGACY_KEYS or relevant_project or groups):
            continue
        relevant_poetry[key] = value
    content: dict[str, Any] = {}
    if relevant_project:
        content["project"] = relevant_project
    if groups:
        content["dependency-groups"] = groups
    if content:
        content["tool"] = {"poetry": relevant_poetry}
    else:
        content = relevant_poetry
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def is_fresh(pyproject: Mapping[str, Any], locked_hash: str, header: str) -> bool:
    """Whether a lock with `locked_hash`, written by the Poetry named in its first line, is fresh.

    Poetry before 2.3 left [dependency-groups] out of the hash; Poetry accepts such a lock
    when the hash without them matches, and so does devkit.
    """
    if compute(pyproject) == locked_hash:
        return True
    writer = _WRITER.search(header)
    if writer is None or not _before_2_3(writer):
        return False
    return compute(pyproject, with_dependency_groups=False) == locked_hash


def _before_2_3(writer: re.Match[str]) -> bool:
    """Whether the Poetry version in the lock's header sorts before 2.3.0 (2.3.0b1 does)."""
    release = (int(writer[1]), int(writer[2]), int(writer[3] or 0))
    pre_release = bool(re.match(r"[.-]?(a|b|c|rc|alpha|beta|pre|preview|dev)", writer[4] or ""))
    return release < (2, 3, 0) or (release == (2, 3, 0) and pre_release)
