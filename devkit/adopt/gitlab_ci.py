""".gitlab-ci.yml: a hand-written pipeline becomes the project's `.gitlab-ci.local.yml`.

devkit renders `.gitlab-ci.yml` (`devkit ci render`, once devkit is in the lock) and the
rendered file includes `.gitlab-ci.local.yml`, so a hand-written file's content moves
there byte for byte: no job is lost. A job named like one of devkit's is named, to be
renamed (the rendered file's job would win). A rendered file is left as it is.
"""

from __future__ import annotations

from pathlib import Path

from devkit.adopt.plan import Plan, read
from devkit.checks.stages import DEVKIT_JOBS
from devkit.errors import DevkitError
from devkit.files import yaml_file
from devkit.render import managed
from devkit.render.gitlab_ci import CI_FILE, DEFAULT_CHECKS, LOCAL_FILE

DEVKITS = DEVKIT_JOBS | set(DEFAULT_CHECKS)


def plan(plan: Plan, root: Path) -> bool:
    """Add the move (if any) and its report; True when `devkit ci render` is still to run."""
    path, local = root / CI_FILE, root / LOCAL_FILE
    current = read(path)
    if not current:
        return True
    if managed.is_devkits(path):
        return False
    data = yaml_file.loads(current, path)
    kept = read(local)
    if kept is not None and kept != current:
        raise DevkitError(
            f"{CI_FILE} is hand-written and {LOCAL_FILE} exists with other content: move the jobs of "
            f"{CI_FILE} into {LOCAL_FILE} by hand, remove {CI_FILE}, then run `devkit init` again"
        )
    if kept is None:
        plan.change(local, current)
    plan.remove(path)
    plan.notes.append(f"{CI_FILE}: moved to {LOCAL_FILE}, which the file `devkit ci render` writes includes")
    keys = list(data) if isinstance(data, dict) else []
    plan.notes += [
        f"{LOCAL_FILE}: job {name!r} is also one of devkit's jobs: rename it (the rendered job would win)"
        for name in keys
        if name in DEVKITS
    ]
    if "stages" in keys:
        plan.notes.append(
            f"{LOCAL_FILE}: its `stages:` give way to the rendered file's (deps, checks, build, release): "
            "put its jobs in those stages"
        )
    return True
