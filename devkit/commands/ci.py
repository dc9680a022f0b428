"""`devkit ci render|check|run`: the GitLab pipeline derived from the stage table."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devkit.env.project import Project

DESCRIPTION = """\
render  write .gitlab-ci.yml from the stage table and the sync setting: dependency jobs
        cached by the lock (main and dev), one job per check stage ([tool.devkit] ci,
        default lint and tests), the wheel built once; with [tool.devkit.staging]
        (deploy, stop, url, auto-stop-in, image), the manual merge-request jobs
        staging:deploy and staging:stop, which run the project's deploy and stop
        commands in the environment review/$CI_COMMIT_REF_SLUG. The project's own jobs
        go in .gitlab-ci.local.yml, which the rendered file includes. A .gitlab-ci.yml that
        devkit did not render is never written over: move its jobs into
        .gitlab-ci.local.yml first, or replace it with --force.
check   exit 1 with a unified diff when .gitlab-ci.yml differs from what render writes
        (`devkit check` checks every file devkit renders).
run     run the check stages locally, in CI's order, as the jobs do (what `make ci`
        runs), after `devkit check` when .gitlab-ci.yml is devkit's; every stage runs
        even when one fails.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "ci",
        help="render, check or run the GitLab CI pipeline",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", choices=("render", "check", "run"), help="what to do (see above)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="render: replace a .gitlab-ci.yml that devkit did not render (its own jobs are lost)",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit.env.project import find_project

    if args.force and args.action != "render":
        from devkit.errors import UsageError

        raise UsageError(f"--force goes with `devkit ci render` only, not with `devkit ci {args.action}`")
    project = find_project(Path.cwd())
    if args.action == "render":
        return _render(project, force=args.force)
    return _check(project) if args.action == "check" else _run(project)


def _render(project: Project, *, force: bool) -> int:
    from devkit import console
    from devkit.render import files, gitlab_ci, managed

    target = project.root / gitlab_ci.CI_FILE
    managed.write(target, gitlab_ci.render(project), force=force, command="devkit ci render", advice=files.CI_ADVICE)
    console.info(f"wrote {target}")
    return 0


def _check(project: Project) -> int:
    from devkit import console
    from devkit.render import gitlab_ci, managed

    diff = managed.difference(project.root / gitlab_ci.CI_FILE, gitlab_ci.render(project), "devkit ci render")
    if not diff:
        return 0
    print(diff, end="")
    console.error(f"{gitlab_ci.CI_FILE} differs from the stage table: run `devkit ci render` and commit it")
    return 1


def _run(project: Project) -> int:
    from devkit import console
    from devkit.checks import runner, stages
    from devkit.commands import check
    from devkit.env import pyproject as pyproject_file
    from devkit.render import gitlab_ci, managed

    pyproject = pyproject_file.read(project.pyproject)
    table = stages.table(pyproject)
    checks = gitlab_ci.checks(pyproject)  # a bad setting stops before anything is synced
    runner.prepare(project)
    failed = []
    pipeline = project.root / gitlab_ci.CI_FILE
    if pipeline.is_file() and managed.is_devkits(pipeline):  # the pipeline's first check job runs it
        print("$ devkit check", flush=True)
        failed += ["devkit check"] if check.check(project) != 0 else []
    reports = runner.reports_folder(project)
    failed += [name for name in checks if runner.run(project, name, table[name], None, reports) != 0]
    if failed:
        console.error(f"CI checks failed: {', '.join(failed)}")
        return 1
    return 0
