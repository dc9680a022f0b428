"""Write the pinned requirements of devkit's and the example's locks, for `pip download`.

The tests that run the example service (make, hooks, CI) install it from the loopback
index the test session serves; `.ci/run` fills that index's extra wheel folder once with
the locked packages of both projects, read with devkit's own lock reader.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devkit.env import groups, pyproject  # noqa: E402
from devkit.env.installers.uv_pip import requirements  # noqa: E402
from devkit.env.locks import poetry_lock  # noqa: E402


def pins(project: Path) -> list[str]:
    """Every locked package of every group, with its marker and hashes; no direct references."""
    lock = poetry_lock.read(project / "poetry.lock")
    every_group = list(groups.defined(pyproject.read(project / "pyproject.toml")))
    indexed = [package for package in lock.packages if package.source is None or package.source.type == "legacy"]
    return requirements(indexed, every_group, project)


def main() -> int:
    lines = sorted({line for project in (ROOT, ROOT / "examples/ml-service") for line in pins(project)})
    sys.stdout.write("".join(line + "\n" for line in lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
