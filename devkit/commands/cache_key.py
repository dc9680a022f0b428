"""`devkit cache-key`: the key GitLab computes for the environment cache."""

from __future__ import annotations

import argparse
from pathlib import Path

from devkit import console
from devkit.env import cache_key
from devkit.env.project import Project, find_project
from devkit.errors import DevkitError, UsageError

DESCRIPTION = """\
Print the key GitLab CI computes for
  cache: {key: {files: [<lock file>, pyproject.toml], prefix: PREFIX}}
from the files in the working tree, as the last line of stdout. GitLab hashes the files
of the pipeline's commit, so a note on stderr says when the working tree differs from HEAD,
or that git could not tell (the key is printed either way).
"""


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "cache-key",
        help="print the GitLab cache key of the lock and pyproject.toml",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--prefix", default="", help="the cache's key prefix (devkit's CI uses main and dev)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _check_prefix(args.prefix)
    project = find_project(Path.cwd())
    _note_differences(project)
    print(cache_key.key(project.key_files, args.prefix))
    return 0


def _note_differences(project: Project) -> None:
    """Say on stderr when the key files differ from HEAD, or that git could not tell."""
    names = " and ".join(path.name for path in project.key_files)
    try:
        changed = cache_key.differs_from_head(project.root, project.key_files)
    except DevkitError as exc:
        console.note(f"cannot tell whether {names} differ from HEAD ({exc}): CI computes the key of the commit")
        return
    if changed:
        verb = "differs" if len(changed) == 1 else "differ"
        console.note(f"{', '.join(changed)} {verb} from HEAD: CI computes another key until they are committed")


def _check_prefix(prefix: str) -> None:
    """A prefix GitLab takes and the last line can carry: no `/` (or `%2F`), nothing unprintable."""
    if "/" in prefix or "%2f" in prefix.lower() or not prefix.isprintable():
        raise UsageError(
            f"--prefix {prefix!r}: GitLab refuses a cache key with / or %2F, and a key is one line; rename it"
        )
