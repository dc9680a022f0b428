"""The bump a merge request asks for: exactly one bump label, or the default when it has none."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from devkit.errors import DevkitError
from devkit.release.settings import Release


def split(text: str) -> list[str]:
    """`CI_MERGE_REQUEST_LABELS` (comma-separated) as a list of label names."""
    return [label.strip() for label in text.split(",") if label.strip()]


def choose(labels: Iterable[str], release: Release, what: str) -> str:
    """The bump (`major`, `minor` or `patch`) that `labels` of `what` ask for.

    No bump label gives the default; without one, or with two bump labels, a DevkitError
    says which labels to set.
    """
    given = set(labels)
    parts = [part for part, label in release.labels.items() if label in given]
    names = " or ".join(f"'{label}'" for label in release.labels.values())
    if len(parts) > 1:
        shown = ", ".join(f"'{release.labels[part]}'" for part in parts)
        raise DevkitError(f"{what} has the bump labels {shown}: keep exactly one of {names}")
    if parts:
        return parts[0]
    if release.default is None:
        raise DevkitError(
            f"{what} has no bump label: set one of {names}, "
            'or a default bump in pyproject.toml ([tool.devkit.release] default = "patch")'
        )
    return release.default


def check_merge_request(env: Mapping[str, str], release: Release) -> str:
    """The bump `$CI_MERGE_REQUEST_LABELS` asks for (the merge-request pipeline's label check)."""
    iid = env.get("CI_MERGE_REQUEST_IID")
    return choose(
        split(env.get("CI_MERGE_REQUEST_LABELS", "")), release, f"merge request !{iid}" if iid else "the merge request"
    )
