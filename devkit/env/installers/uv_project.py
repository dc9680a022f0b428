"""uv.lock installed by `uv sync --locked`: uv reads its own lock, exactly."""

from __future__ import annotations

import subprocess
from pathlib import Path

from devkit.env import programs
from devkit.env.groups import MAIN
from devkit.env.installers import Target
from devkit.env.stamp import Request
from devkit.errors import DevkitError


class UvProject:
    """A uv project: groups map onto uv's own options."""

    name = "uv"

    def __init__(self, uv: Path, request: Request) -> None:
        self._uv = uv
        self._request = request

    def version(self) -> str:
        return programs.version(self._uv)

    def check_lock(self, root: Path) -> None:
        """Refuse a uv.lock that no longer matches pyproject.toml, before `.venv` is touched."""
        result = subprocess.run(
            [self._uv, "lock", "--check", "--quiet"], cwd=root, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            detail = (result.stderr.strip().splitlines() or ["uv lock --check failed"])[-1]
            raise DevkitError(f"uv.lock is stale ({detail}): run `uv lock` and commit uv.lock")

    def install(self, target: Target) -> None:
        command: list[str | Path] = [self._uv, "sync", "--locked", "--python", target.interpreter]
        command += group_arguments(self._request)
        command += [argument for extra in target.extras for argument in ("--extra", extra)]
        command += [] if target.root else ["--no-install-project"]
        command += ["--quiet"] if target.quiet else []
        env = programs.child_env(UV_PROJECT_ENVIRONMENT=str(target.project.venv), VIRTUAL_ENV=None)
        programs.run(command, cwd=target.project.root, env=env, what="uv sync")


def group_arguments(request: Request) -> list[str]:
    """devkit's group options as uv's: --only main is the project without any group."""
    arguments: list[str] = []
    only = [group for group in request.only if group != MAIN]
    if request.only and not only:
        arguments.append("--no-default-groups")
    arguments += [argument for group in only for argument in ("--only-group", group)]
    arguments += [argument for group in request.with_groups for argument in ("--group", group)]
    arguments += [argument for group in request.without for argument in ("--no-group", group)]
    return arguments
