"""`devkit publish`: the tag pipeline's upload of the wheels in dist/."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DESCRIPTION = """\
Check that $CI_COMMIT_TAG, pyproject.toml's version and every wheel in dist/ agree (as
`devkit version --check` does), then upload dist/*.whl with `uv publish` to
[tool.devkit.release] publish-url, by default GitLab's package registry
($CI_API_V4_URL/projects/$CI_PROJECT_ID/packages/pypi) as gitlab-ci-token with
$CI_JOB_TOKEN. Another index: set publish-url and the masked CI/CD variables
DEVKIT_PUBLISH_USERNAME and DEVKIT_PUBLISH_PASSWORD. CI only: run it in a tag pipeline.
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "publish",
        help="CI: upload the tag's wheels in dist/ to the package index",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from devkit import console
    from devkit.env import pyproject as pyproject_file
    from devkit.env.project import find_root
    from devkit.release import publish

    root = find_root(Path.cwd())
    uploaded = publish.publish(root, pyproject_file.read(root / "pyproject.toml"), os.environ)
    console.info(f"published {len(uploaded)} wheel(s)")
    return 0
