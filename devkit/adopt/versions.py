"""The tool versions devkit brings, beside the ones the project's lock had.

A newer ruff or mypy finds what an older one did not: `devkit init` names each tool
whose version changes, so a new finding after `make sync` has its likely cause.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from devkit.adopt.dev_group import DEVKIT, PROVIDED
from devkit.env.names import canonical

_PIN = re.compile(r"([A-Za-z0-9._-]+)==([A-Za-z0-9.+!-]+)$")


def changes(root: Path) -> list[str]:
    """Each provided tool whose locked version devkit changes, as "mypy 1.19.0 to 2.4.1"."""
    ours = _devkit_pins()
    locked = _locked(root)
    return [
        f"{name} {locked[name]} to {version}"
        for name, version in sorted(ours.items())
        if name in locked and locked[name] != version
    ]


def _devkit_pins() -> dict[str, str]:
    """The exact pins of the running devkit's own requirements, for the tools it provides."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        requirements = requires(DEVKIT) or []
    except PackageNotFoundError:  # devkit runs from source: no metadata to read
        return {}
    pins = (_PIN.match(requirement.split(";")[0].strip()) for requirement in requirements)
    return {canonical(pin.group(1)): pin.group(2) for pin in pins if pin and canonical(pin.group(1)) in PROVIDED}


def _locked(root: Path) -> dict[str, str]:
    """Each package's version in the project's lock (poetry.lock, else uv.lock); none without one."""
    for name in ("poetry.lock", "uv.lock"):
        try:
            lock = tomllib.loads((root / name).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        packages = lock.get("package", [])
        return {
            canonical(str(package["name"])): str(package["version"])
            for package in packages if isinstance(package, dict) and "name" in package and "version" in package
        }  # fmt: skip
    return {}
