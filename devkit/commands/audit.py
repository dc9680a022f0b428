"""`devkit audit`: nothing denied in production, and an environment holding exactly the lock's selection."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devkit.commands.sync import add_selection_arguments, selection_of

if TYPE_CHECKING:
    from devkit.env.audit import Rules
    from devkit.env.export import Choice
    from devkit.env.project import Project
    from devkit.env.stamp import Request

DESCRIPTION = """\
Without --env: check the main group's closure (what `devkit export --only main` lists)
against the deny list: the organisation's default (devkit.env.audit.DENY: Jupyter and
IPython, pytest and its plugins, mypy, ruff, pre-commit, devkit itself) plus
[tool.devkit.audit] deny = ["NAME-OR-GLOB", ...], less [tool.devkit.audit] allow =
["NAME", ...]. Each denied package is printed with the
shortest chain of requirements from the project to it, as the lock records them:

    ipykernel: ml-service -> my-helpers 1.0 -> ipykernel 6.29.5

--env PYTHON: list what PYTHON's environment has installed and compare it with the
export for the selection plus the project itself at its version (when it is a package);
print every package that is extra (pip, setuptools and wheel included), missing or at
another version.

--image [IMAGE]: the same comparison for what IMAGE's python3 has installed (run without
network); without IMAGE, the project's production image NAME:latest (`make image` builds
it; see [tool.devkit.image]).

The group options select as `devkit export` does; without any, --only main.

Exit codes: 0 clean (or equal), 1 a denied package or a difference (or a failure),
2 bad usage.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "audit",
        help="check production for denied packages, or an environment against the lock",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_selection_arguments(parser, "audit")
    parser.add_argument(
        "--env", metavar="PYTHON", help="compare what this Python's environment has installed with the lock's selection"
    )
    parser.add_argument(
        "--image",
        nargs="?",
        const="",
        metavar="IMAGE",
        help="compare what this image holds with the lock's selection (default: the project's NAME:latest)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env import audit
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project

    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    rules = audit.rules(pyproject)  # a malformed setting stops before anything runs
    request = _default_main(selection_of(args))
    if args.env is not None and args.image is not None:
        from devkit.errors import UsageError

        raise UsageError("--env and --image compare one environment each: give one of them")
    if args.image is not None:
        image, argv = _image_probe(project, pyproject, args.image)
        return _compare(project, pyproject, request, argv, f"the image {image}")
    if args.env is not None:
        return _compare(project, pyproject, request, [args.env], args.env)
    return _deny(project, pyproject, request, rules)


def _default_main(request: Request) -> Request:
    return request if request.only or request.with_groups or request.without else request._replace(only=("main",))


def _deny(project: Project, pyproject: Mapping[str, Any], request: Request, rules: Rules) -> int:
    from devkit import console
    from devkit.env import audit, dependency_graph
    from devkit.env.export import choose, export

    choice = choose(project, pyproject, request)
    selected = export(project, request, pyproject)
    graph = dependency_graph.read(project, pyproject, choice.groups, choice.extras)
    found = audit.violations(selected, graph, rules)
    for violation in found:
        print(violation)
    if found:
        console.error(
            f"{len(found)} denied package(s) in {_shown(choice)}: move what pulls them in out of that selection, "
            "or exempt one with [tool.devkit.audit] allow"
        )
        return 1
    console.info(f"checked {len(selected.pins)} packages of {_shown(choice)}: none is denied")
    return 0


def _image_probe(project: Project, pyproject: Mapping[str, Any], image: str) -> tuple[str, list[str]]:
    """The image (default: the project's NAME:latest) and the command that runs its python3."""
    import subprocess

    from devkit.env import interpreter
    from devkit.errors import DevkitError
    from devkit.image import docker, settings

    if not image:
        image = f"{settings.read(pyproject, interpreter.for_image(pyproject, project.root)).name}:latest"
    if not settings.REFERENCE.fullmatch(image):
        raise DevkitError(f"--image {image!r} is not an image reference like registry.example/group/name:tag")
    client = docker.client()
    if subprocess.run([client, "image", "inspect", image], capture_output=True, check=False).returncode != 0:
        raise DevkitError(f"no image {image} in the Docker engine: build it first (`make image`), or pull it")
    return image, [
        client,
        "run",
        "--rm",
        "--pull",
        "never",
        "--network",
        "none",
        "--entrypoint",
        "python3",
        "--",
        image,
    ]


def _compare(project: Project, pyproject: Mapping[str, Any], request: Request, argv: list[str], label: str) -> int:
    """Compare what `argv`'s Python has installed with the export of `request`; `label` names it."""
    from devkit import console
    from devkit.env import audit
    from devkit.env.export import choose, export
    from devkit.env.installed import installed

    choice = choose(project, pyproject, request)
    found = installed(argv)
    wanted = audit.wanted(project, pyproject, export(project, request, pyproject), found.environment)
    lines = audit.differences(wanted, found.distributions)
    for line in lines:
        print(line)
    if lines:
        console.error(
            f"{label} differs from {_shown(choice)} in {len(lines)} package(s): "
            "rebuild it from the lock (`devkit sync` with these options, or the image)"
        )
        return 1
    console.info(f"{label} holds exactly {_shown(choice)}: {len(wanted)} packages")
    return 0


def _shown(choice: Choice) -> str:
    extras = f", extras {', '.join(choice.extras)}" if choice.extras else ""
    return f"the lock's selection (groups {', '.join(choice.groups)}{extras})"
