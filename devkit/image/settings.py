"""`[tool.devkit.image]` in pyproject.toml: the base image, the command, the tag name.

For example (every key optional, the values shown are what devkit derives by default):

[tool.devkit.image]
base = "python:3.11-slim"     # default python:<the project's Python>-slim; a company registry path works
command = ["ml-service"]      # default: the project's first console script
name = "ml-service"           # the local tag's name; default: the project's name
ignore = ["data/raw"]         # more .dockerignore patterns, for what no image needs
builder = "docker:27-cli"     # the CI image jobs' image: a docker client (and apk for python3)
builder-service = "docker:27-dind"   # the Docker engine those jobs build with

The project's table turns the images on: the CI jobs that build them are rendered only
when `[tool.devkit.image]` exists, even empty.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from devkit.env import settings
from devkit.env.names import canonical
from devkit.errors import DevkitError
from devkit.files import fields

_WHERE = "[tool.devkit.image]"
_ADVICE = "fix it in pyproject.toml, then run `devkit image render`"
# An image reference: [registry[:port]/]path[:tag][@digest]; no spaces, no shell or Dockerfile syntax.
REFERENCE = re.compile(
    r"[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[0-9]+)?(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?"
)
BUILDER = "docker:27-cli"
BUILDER_SERVICE = "docker:27-dind"
_NAME = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_IGNORE = re.compile(r"[^!#\s][^\s]*")


class Image(NamedTuple):
    """The image settings, each derived when the project does not set it."""

    base: str
    command: tuple[str, ...]
    name: str
    ignore: tuple[str, ...]
    builder: str
    builder_service: str


KEYS = ("base", "command", "name", "ignore", "builder", "builder-service")


def enabled(pyproject: Mapping[str, Any]) -> bool:
    """Whether the project builds images: it has a `[tool.devkit.image]` table."""
    return "image" in settings.table(pyproject)


def read(pyproject: Mapping[str, Any], python: str) -> Image:
    """The settings, each key type-checked; `python` is the project's Python (`3.11`)."""
    table = fields.Table(settings.table(pyproject, "image"), "pyproject.toml", _WHERE, _ADVICE)
    for key in table.data:
        if key not in KEYS:
            raise table.error(key, f"is not an image setting; the settings are {', '.join(KEYS)}")
    base = table.matching("base", REFERENCE, "an image reference like python:3.11-slim", f"python:{python}-slim")
    command = table.get("command", "a non-empty list of strings", _is_command, None)
    name = table.matching("name", _NAME, "an image name: lowercase letters, digits, . _ -", _default_name(pyproject))
    return Image(
        base=base,
        command=tuple(command) if command is not None else _first_script(pyproject),
        name=name,
        ignore=tuple(table.get("ignore", "a list of patterns without spaces", _is_ignore_list, [])),
        builder=table.matching("builder", REFERENCE, "an image reference", BUILDER),
        builder_service=table.matching("builder-service", REFERENCE, "an image reference", BUILDER_SERVICE),
    )


def _is_command(value: object) -> bool:
    return fields.is_list_of(value, lambda item: fields.is_line(item) and bool(item)) and bool(value)


def _is_ignore_list(value: object) -> bool:
    return fields.is_list_of(value, lambda item: isinstance(item, str) and bool(_IGNORE.fullmatch(item)))


def project_name(pyproject: Mapping[str, Any]) -> str:
    """`[project] name`, else `[tool.poetry] name`."""
    name = pyproject.get("project", {}).get("name") or pyproject.get("tool", {}).get("poetry", {}).get("name")
    if not isinstance(name, str) or not name:
        raise DevkitError("pyproject.toml names no project: set [project] name")
    return name


def _default_name(pyproject: Mapping[str, Any]) -> str:
    name = canonical(project_name(pyproject))
    if not _NAME.fullmatch(name):
        raise DevkitError(f"the project name {name!r} is no image name: set {_WHERE} name in pyproject.toml")
    return name


def _first_script(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """The project's first console script, or none (the image then starts python3)."""
    scripts = pyproject.get("project", {}).get("scripts") or pyproject.get("tool", {}).get("poetry", {}).get("scripts")
    if isinstance(scripts, Mapping):
        for script in scripts:
            if isinstance(script, str) and fields.is_line(script) and script:
                return (script,)
    return ()
