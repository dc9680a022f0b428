"""`devkit image render|check|build`: one Dockerfile, a production and a test image."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping

    from devkit.env.project import Project
    from devkit.image.settings import Image

DESCRIPTION = """\
render  write Dockerfile and .dockerignore from [tool.devkit.image] (see README, "Release
        images"). The project's own build steps go in Dockerfile.local, which the rendered
        Dockerfile takes into the stage both images start from. A Dockerfile devkit did
        not render is never written over: move it away, or replace it with --force.
check   exit 1 with a unified diff when Dockerfile or .dockerignore differs from render's
        (`devkit check` checks every file devkit renders).
build   build TARGET: `production` (the lock's main group and the wheel from dist/, run
        by a non-root user, read-only friendly) or `test` (main and dev groups, the wheel
        and the tests; it runs them). Exports the lock into .devkit/image/ first; the
        wheel must be in dist/ (`devkit run build`). Tags: NAME:VERSION and NAME:latest
        for production, NAME:test for test, plus every --tag. A package index comes from
        PIP_INDEX_URL / PIP_EXTRA_INDEX_URL, passed to the build as a secret.
test    build the test image, then run the project's tests in it without network; the
        exit code is pytest's.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "image",
        help="render, check or build the release images",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("render", "check", "build", "test"), help="what to do (see above)")
    parser.add_argument("target", nargs="?", choices=("production", "test"), help="build: the image to build")
    parser.add_argument("--tag", action="append", default=[], help="build: one more tag for the image (repeatable)")
    parser.add_argument("--force", action="store_true", help="render: replace files devkit did not render")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_project
    from devkit.image import settings

    _check_usage(args)
    project = find_project(Path.cwd())
    pyproject = pyproject_file.read(project.pyproject)
    if not settings.enabled(pyproject):
        return _without_images(project, args.action)
    image = _settings(project, pyproject)
    if args.action == "render":
        return _render(project, image, force=args.force)
    if args.action == "check":
        return _check(project, image)
    tags = _build(project, pyproject, image, "test" if args.action == "test" else args.target, args.tag)
    return _test(tags[0]) if args.action == "test" else 0


def _check_usage(args: argparse.Namespace) -> None:
    from devkit.errors import UsageError

    if args.action == "build" and args.target is None:
        raise UsageError("`devkit image build` needs a target: production or test")
    if args.action != "build" and args.target is not None:
        raise UsageError(f"`devkit image {args.action}` takes no target; `devkit image build TARGET` does")
    if args.force and args.action != "render":
        raise UsageError("--force goes with `devkit image render` only")
    if args.tag and args.action not in ("build", "test"):
        raise UsageError("--tag goes with `devkit image build` and `devkit image test` only")


def _without_images(project: Project, action: str) -> int:
    """A project without `[tool.devkit.image]`: check passes unless devkit's Dockerfile is left behind."""
    from devkit.errors import DevkitError
    from devkit.image import dockerfile
    from devkit.render import managed

    left = project.root / dockerfile.DOCKERFILE
    if action == "check" and not (left.is_file() and left.stat().st_size and managed.is_devkits(left)):
        return 0
    if action == "check":
        raise DevkitError(
            f"{left} was rendered by devkit, but pyproject.toml has no [tool.devkit.image]: "
            "add the table back, or delete Dockerfile and .dockerignore"
        )
    raise DevkitError(
        "pyproject.toml has no [tool.devkit.image]: add the table (it may stay empty) to build images, "
        "then run `devkit image render`"
    )


def _settings(project: Project, pyproject: Mapping[str, Any]) -> Image:
    from devkit.env import interpreter
    from devkit.image import settings

    return settings.read(pyproject, interpreter.for_image(pyproject, project.root))


def _render(project: Project, image: Image, *, force: bool) -> int:
    from devkit import console
    from devkit.image import dockerfile
    from devkit.render import files as managed_files
    from devkit.render import managed

    advice = managed_files.IMAGE_ADVICE
    files = dockerfile.rendered(project.root, image)
    for path in files:  # refuse before writing either file
        managed.require_writable(path, force=force, command="devkit image render", advice=advice)
    for path, text in files.items():
        managed.write(path, text, force=force, command="devkit image render", advice=advice)
        console.info(f"wrote {path}")
    return 0


def _check(project: Project, image: Image) -> int:
    from devkit import console

    stale = _stale(project, image)
    for diff in stale.values():
        print(diff, end="")
    if stale:
        console.error(f"{_differ(stale)} from [tool.devkit.image]: run `devkit image render` and commit")
        return 1
    return 0


def _differ(stale: dict[str, str]) -> str:
    return f"{' and '.join(stale)} {'differ' if len(stale) > 1 else 'differs'}"


def _stale(project: Project, image: Image) -> dict[str, str]:
    """The diff of each rendered file that differs from what render writes, by file name."""
    from devkit.image import dockerfile
    from devkit.render import managed

    rendered = dockerfile.rendered(project.root, image).items()
    diffs = {path.name: managed.difference(path, text, "devkit image render") for path, text in rendered}
    return {name: diff for name, diff in diffs.items() if diff}


def _build(project: Project, pyproject: Mapping[str, Any], image: Image, target: str, extra: list[str]) -> list[str]:
    """Build `target` from the committed Dockerfile; return its tags."""
    from devkit import console
    from devkit.checks import config
    from devkit.errors import DevkitError
    from devkit.image import context, docker, dockerfile, settings
    from devkit.release import version

    stale = _stale(project, image)
    if stale:
        raise DevkitError(
            f"{_differ(stale)} from [tool.devkit.image], so the image would not be what the files say: "
            "run `devkit image render` (`devkit image check` shows the diff) and build again"
        )
    for tag in extra:
        if not settings.REFERENCE.fullmatch(tag):
            raise DevkitError(f"--tag {tag!r} is not an image reference like registry.example/group/name:tag")
    current = version.locate(pyproject, project.pyproject).version
    wheel = context.wheel(project, settings.project_name(pyproject), current)
    config.ensure(project)
    context.prepare(project, dockerfile.SELECTIONS[target])
    tags = [f"{image.name}:{current}", f"{image.name}:latest"] if target == "production" else [f"{image.name}:test"]
    docker.build(project.root, target, [*tags, *extra], {"WHEEL": wheel.name})
    console.info(f"built {', '.join([*tags, *extra])} ({target}) from dist/{wheel.name}")
    return [*tags, *extra]


def _test(tag: str) -> int:
    """Run the test image's tests, without network; pytest's exit code."""
    import subprocess

    from devkit.image import docker

    return subprocess.run([docker.client(), "run", "--rm", "--network", "none", "--", tag], check=False).returncode
