"""Every file devkit renders into a project, in one list: what `devkit check` and `devkit upgrade` go through.

`.gitlab-ci.yml` always; `Dockerfile` and `.dockerignore` when pyproject.toml has a
`[tool.devkit.image]` table; the `Makefile` when it holds devkit's bootstrap block (only
the block is devkit's: the rest stays byte for byte). Each comes with its wanted text,
the command that renders it alone, and the advice for a file of the same name that devkit
did not write.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from devkit.env import interpreter
from devkit.env import pyproject as pyproject_file
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.files import atomic
from devkit.image import dockerfile
from devkit.image import settings as image_settings
from devkit.render import gitlab_ci, makefile, managed


class Managed(NamedTuple):
    """One file devkit renders: where, its text, what renders it, how to keep a hand-written one.

    `whole` is False for a file of which devkit renders one block (the Makefile): it may be
    written whatever its first line.
    """

    path: Path
    text: str
    command: str
    advice: str
    whole: bool = True

    def difference(self) -> str:
        """The unified diff from the file as it is to `text`; empty when it is current."""
        return managed.difference(self.path, self.text, self.command)


CI_ADVICE = (
    f"move its jobs into {gitlab_ci.LOCAL_FILE}, which the rendered file includes "
    f"(`git mv {gitlab_ci.CI_FILE} {gitlab_ci.LOCAL_FILE}`)"
)
IMAGE_ADVICE = f"move its steps into {dockerfile.LOCAL_FILE}, which the rendered Dockerfile takes in"
MAKEFILE_ADVICE = "keep the project's own lines before or after devkit's block"


def managed_files(project: Project) -> list[Managed]:
    """Each file devkit renders into `project`, with the text this devkit renders."""
    pyproject = pyproject_file.read(project.pyproject)
    pipeline = gitlab_ci.render(project, pyproject)
    files = [Managed(project.root / gitlab_ci.CI_FILE, pipeline, "devkit ci render", CI_ADVICE)]
    if image_settings.enabled(pyproject):
        image = image_settings.read(pyproject, interpreter.for_image(pyproject, project.root))
        for path, text in dockerfile.rendered(project.root, image).items():
            files.append(Managed(path, text, "devkit image render", IMAGE_ADVICE))
    return files + _makefile(project.root / "Makefile")


def _makefile(path: Path) -> list[Managed]:
    """The Makefile with this devkit's bootstrap block, when it holds one."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        return []
    except OSError as exc:
        raise atomic.failure(path, exc, what="read") from None
    if makefile.FIRST_LINE.encode() not in data:
        return []
    try:
        wanted = makefile.refreshed(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise DevkitError(f"{path} is not UTF-8: save it as UTF-8, then run `devkit check` again") from None
    return [] if wanted is None else [Managed(path, wanted, "devkit upgrade", MAKEFILE_ADVICE, whole=False)]


def changed_lines(diff: str) -> tuple[int, int]:
    """The lines a unified diff adds and removes, its two file headers left out."""
    lines = diff.splitlines()[2:]
    return sum(line.startswith("+") for line in lines), sum(line.startswith("-") for line in lines)


def stale_message(names: Sequence[str]) -> str:
    """What `devkit check` and `devkit doctor` say of the files in `names`."""
    verb = "differ" if len(names) > 1 else "differs"
    return f"{', '.join(names)} {verb} from what this devkit renders: run `devkit upgrade`"
