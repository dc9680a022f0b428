"""Versions of built wheels, read from their file names, and the check that all places agree."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devkit.errors import DevkitError


def versions(dist: Path) -> list[tuple[Path, str]]:
    """Each wheel in `dist` with the version its file name carries (none when `dist` is missing)."""
    if not dist.is_dir():
        return []
    found = []
    for wheel in sorted(dist.glob("*.whl")):
        parts = wheel.name.removesuffix(".whl").split("-")
        if len(parts) not in (5, 6):
            raise DevkitError(f"{wheel}: not a wheel file name (name-version-python-abi-platform.whl): remove it")
        found.append((wheel, parts[1]))
    return found


def normalised(version: str) -> str:
    """`version` as packaging normalises it (`1.0.0-RC1` is `1.0.0rc1`); unchanged when it is not one."""
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(version))
    except InvalidVersion:
        return version


def require_agreement(places: Sequence[tuple[str, str]]) -> None:
    """DevkitError naming every place and its version unless all versions are the same once normalised."""
    if len({normalised(version) for _, version in places}) > 1:
        listed = ", ".join(f"{place} is {version}" for place, version in places)
        raise DevkitError(
            f"versions disagree: {listed}: tag the release commit (`devkit bump PART --commit --tag`) "
            "and build the wheel from it"
        )
