"""The project's Makefile: devkit's bootstrap and include, the project's own targets kept.

No Makefile: devkit's stub (the bootstrap, then a `##@ <project>` heading for the
project's targets). An existing one gets the bootstrap block in front, once: the block's
first line is the marker a second `devkit init` finds.
"""

from __future__ import annotations

import re
from pathlib import Path

from devkit import resources
from devkit.adopt.plan import Plan, read
from devkit.render import makefile as rendered

INCLUDE = "devkit makefile"  # what every Makefile that includes devkit's targets runs
_TARGET = re.compile(r"^([A-Za-z0-9_.%/-]+(?:[ \t]+[A-Za-z0-9_.%/-]+)*)[ \t]*::?(?![=])", re.MULTILINE)


def bootstrap() -> str:
    """devkit's block: bootstrap a fresh clone, else include devkit's targets."""
    return rendered.bootstrap()


def stub(project: str) -> str:
    """A new project's Makefile."""
    header = f"# {project}: devkit's targets come from the block below (`make help` lists them all);\n"
    header += f"# {project}'s own targets go below, under `##@ {project}`.\n"
    return f"{header}{bootstrap()}\n##@ {project}\n"


def targets(text: str) -> set[str]:
    """The targets a makefile defines (rules, not variables or special targets)."""
    found = {name for match in _TARGET.finditer(text) for name in match[1].split()}
    return {name for name in found if not name.startswith(".") and "%" not in name}


def plan(plan: Plan, path: Path, project: str) -> None:
    """Add the Makefile's edit (if any) and the clashes of its targets with devkit's."""
    current = read(path)
    if current is None:
        plan.change(path, stub(project))
        plan.notes.append("Makefile: devkit's stub, with a heading for the project's own targets")
        return
    if INCLUDE in current:
        return
    plan.change(path, bootstrap() + "\n" + current)
    plan.notes.append("Makefile: devkit's bootstrap and include added in front; its own targets kept")
    devkits = targets(resources.shipped("make/devkit.mk").read_text(encoding="utf-8"))
    for name in sorted(targets(current) & devkits):
        plan.notes.append(f"Makefile: target {name!r} is also devkit's: make uses the later rule; rename one of them")
