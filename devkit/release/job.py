"""`devkit release`: on the default branch, turn the merged request's label into a release.

The release commit (pyproject.toml's new version) is pushed with `-o ci.skip`, its tag in
a second push so that the tag pipeline runs. When the branch moved meanwhile, the job
fetches, resets to the new tip and computes the version again; it never creates or
pushes a tag that exists on the remote.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from pathlib import Path

from devkit import console
from devkit.errors import DevkitError
from devkit.release import git, gitlab, labels, version
from devkit.release import settings as release_settings
from devkit.release.remote import Remote, push_url

ATTEMPTS = 5
_IN_CI = "run `devkit release` in a GitLab CI job"


def _subject_pattern() -> str:
    """The release commit's subject as a regular expression that Python and GitLab's rules read alike."""
    before, _, after = version.RELEASE_SUBJECT.partition("{version}")
    literal = [re.sub(r"([][.^$*+?(){}|\\/])", r"\\\1", part) for part in (before, after)]
    return f"^{literal[0]}[0-9]+\\.[0-9]+\\.[0-9]+{literal[1]}$"


SUBJECT_PATTERN = _subject_pattern()


def is_release(subject: str) -> bool:
    """Whether a commit subject is one `devkit bump --commit` writes."""
    return re.fullmatch(SUBJECT_PATTERN, subject) is not None


def release(root: Path, pyproject: Mapping[str, object], env: Mapping[str, str]) -> str | None:
    """Release the merged request of `$CI_COMMIT_SHA`: the new version, None when HEAD is a release."""
    chosen = release_settings.read(pyproject)
    subject = git.run(root, "log", "-1", "--format=%s").strip()
    if is_release(subject):
        console.info(f"HEAD is the release commit '{subject}': nothing to release")
        return None
    sha = gitlab.variable(env, "CI_COMMIT_SHA", _IN_CI)
    branch = gitlab.variable(env, "CI_DEFAULT_BRANCH", _IN_CI)
    request = gitlab.merged_request(env, sha)
    what = f"merge request !{request.iid}" if request else f"commit {sha[:12]}, which no merge request brought in,"
    part = labels.choose(request.labels if request else (), chosen, what)
    console.info(f"{what.rstrip(',')}: a {part} release")
    _set_identity(root, env)
    token = env[gitlab.TOKEN]
    remote = Remote(root, push_url(git.run(root, "remote", "get-url", "origin").strip(), token), token)
    return _release(remote, branch, part)


def _release(remote: Remote, branch: str, part: str) -> str:
    for _ in range(ATTEMPTS):
        remote.fetch_tags()
        new = version.bump(remote.root, part, commit=True, tag=True)
        tag = version.tag_name(new)
        if not remote.has_tag(tag) and remote.push_commit(branch):
            remote.push_tag(tag, branch)
            console.info(f"released {new}: the release commit is on {branch}, tag {tag} pushed")
            return new
        console.note(f"{branch} moved while releasing {new}: fetching its new tip and computing the version again")
        git.run(remote.root, "tag", "--delete", tag)
        remote.fetch_branch(branch)
        git.run(remote.root, "reset", "--quiet", "--hard", "FETCH_HEAD")
    raise DevkitError(f"{branch} moved {ATTEMPTS} times while releasing: nothing was pushed; run the job again")


def _set_identity(root: Path, env: Mapping[str, str]) -> None:
    """The release commit's author: git's own setting, else the user who started the pipeline."""
    configured = subprocess.run(["git", "config", "user.email"], cwd=root, capture_output=True, check=False)
    if configured.stdout.strip() or os.environ.get("GIT_AUTHOR_EMAIL"):
        return
    name = env.get("GITLAB_USER_NAME") or "devkit release"
    email = env.get("GITLAB_USER_EMAIL") or "devkit-release@noreply.invalid"
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.setdefault(f"GIT_{role}_NAME", name)
        os.environ.setdefault(f"GIT_{role}_EMAIL", email)
