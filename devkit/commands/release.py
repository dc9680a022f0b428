"""`devkit release [labels]`: the release jobs of the GitLab pipeline."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DESCRIPTION = """\
release         (the default branch's release job) find the merged request of
                $CI_COMMIT_SHA through GitLab's API, take the bump from its label (or
                [tool.devkit.release] default), make the release commit and tag vX.Y.Z,
                push the commit with -o ci.skip and the tag on its own so that the tag
                pipeline runs. When the branch moved meanwhile it fetches, resets to the
                new tip and computes the version again; an existing tag is never pushed.
                Nothing happens when HEAD is itself a release commit.
                Needs $DEVKIT_RELEASE_TOKEN: a project access token (read_api,
                write_repository) whose role may push to the protected default branch.
release labels  (merge-request pipelines) exit 1 unless $CI_MERGE_REQUEST_LABELS holds
                exactly one bump label, or none and a default bump is set.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "release",
        help="CI: release the merged request (or check a merge request's bump label)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("action", nargs="?", choices=("labels",), help="check the merge request's labels only")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import console
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_root
    from devkit.release import settings

    root = find_root(Path.cwd())
    pyproject = pyproject_file.read(root / "pyproject.toml")
    if args.action == "labels":
        from devkit.release import labels

        part = labels.check_merge_request(os.environ, settings.read(pyproject))
        console.info(f"the bump labels are in order: a {part} release")
        return 0
    from devkit.release import job

    job.release(root, pyproject, os.environ)
    return 0
