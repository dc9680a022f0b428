"""`poetry sync` into the pre-created `.venv`.

For teams that want Poetry to install, and for locks devkit cannot install exactly itself.
"""

from __future__ import annotations

from pathlib import Path

from devkit.env import programs
from devkit.env.installers import Target
from devkit.env.stamp import Request


class PoetrySync:
    """Poetry does the install; devkit still keys, stamps and locks the sync."""

    name = "poetry"

    def __init__(self, poetry: Path, request: Request) -> None:
        self._poetry = poetry
        self._request = request

    def version(self) -> str:
        return programs.version(self._poetry)

    def install(self, target: Target) -> None:
        command: list[str | Path] = [self._poetry, "sync", "--no-interaction"]
        command += group_arguments(self._request)
        command += [f"--extras={extra}" for extra in target.extras]
        command += [] if target.root else ["--no-root"]
        command += ["--quiet"] if target.quiet else []
        # Poetry run from inside another virtualenv installs into that one unless the
        # project's .venv exists and in-project venvs are on; devkit created .venv already.
        env = programs.child_env(
            POETRY_VIRTUALENVS_IN_PROJECT="true", POETRY_VIRTUALENVS_CREATE="true", VIRTUAL_ENV=None
        )
        programs.run(command, cwd=target.project.root, env=env, what="poetry sync")


def group_arguments(request: Request) -> list[str]:
    """devkit's group options, which are Poetry's own."""
    arguments = [f"--only={','.join(request.only)}"] if request.only else []
    arguments += [f"--with={','.join(request.with_groups)}"] if request.with_groups else []
    arguments += [f"--without={','.join(request.without)}"] if request.without else []
    return arguments
