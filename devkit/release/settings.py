"""`[tool.devkit.release]` in pyproject.toml: the bump labels, the default bump, the upload URL.

For example (each key optional, the labels shown are the defaults):

[tool.devkit.release]
labels = {major = "major", minor = "minor", patch = "patch"}
default = "patch"        # the bump of an unlabelled merge request; unset: a label is required
publish-url = "https://packages.example.com/upload/"   # default: GitLab's package registry
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from devkit.errors import DevkitError
from devkit.files import fields

PARTS = ("major", "minor", "patch")
GITLAB_REGISTRY = "$CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/pypi"
_WHERE = "[tool.devkit.release]"
_ADVICE = "fix it in pyproject.toml and run again"


class Release(NamedTuple):
    """The release settings: the label of each bump, the default bump, where wheels go."""

    labels: Mapping[str, str]
    default: str | None
    publish_url: str


def read(pyproject: Mapping[str, Any]) -> Release:
    """The settings, each key type-checked; a bad value is one DevkitError naming the key."""
    from devkit.env import settings

    table = fields.Table(settings.table(pyproject, "release"), "pyproject.toml", _WHERE, _ADVICE)
    found = table.table("labels", {})
    labels = {part: found.string(part, part) for part in PARTS}
    _check_labels(found, labels)
    default = table.get("default", 'one of "major", "minor", "patch"', lambda value: value in PARTS, None)
    return Release(labels, default, table.string("publish-url", GITLAB_REGISTRY))


def _check_labels(found: fields.Table, labels: Mapping[str, str]) -> None:
    for key in found.data:
        if key not in PARTS:
            raise found.error(key, "is not a bump: the keys of labels are major, minor and patch")
    for part, label in labels.items():
        if not label.strip() or "," in label:
            raise found.error(part, f"must be a label name without commas, got {fields.shown(label)}")
    if len(set(labels.values())) < len(labels):
        raise DevkitError(f"pyproject.toml: {_WHERE}: labels name one label for two bumps: {_ADVICE}")
