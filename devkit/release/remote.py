"""The release's traffic with the remote: fetches and pushes with a token that no message shows."""

from __future__ import annotations

import re
import subprocess
import urllib.parse
from pathlib import Path
from typing import NamedTuple

from devkit.errors import DevkitError

PUSH_USER = "devkit-release"
# git's reasons for refusing a push because the branch is no longer where the clone saw it
# (the last three when another push updated it at the same moment).
_MOVED = re.compile(
    r"^!\t.*\((fetch first|non-fast-forward|failed to update ref|cannot lock ref.*|incorrect old value provided)\)$",
    re.MULTILINE,
)
_SAME = re.compile(r"^=\t", re.MULTILINE)


def push_url(origin: str, token: str) -> str:
    """`origin` with `token` as its credentials when it is an http(s) URL; other URLs as they are.

    A CI job's origin carries the job token, whose pushes start no pipeline; the release
    pushes with the project access token instead, so that the tag pipeline runs.
    """
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return origin
    netloc = f"{PUSH_USER}:{urllib.parse.quote(token, safe='')}@{parts.netloc.rpartition('@')[2]}"
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


class Remote(NamedTuple):
    """The repository at `url`, reached from the clone at `root`; `secret` is masked in messages."""

    root: Path
    url: str
    secret: str

    def fetch_tags(self) -> None:
        """The remote's tags exactly: local tags of the same name replaced, tags it lacks removed."""
        refspec = "+refs/tags/*:refs/tags/*"
        self._check(self._git("fetch", "--quiet", "--force", "--prune", self.url, refspec), "fetching tags")

    def fetch_branch(self, branch: str) -> None:
        """The tip of `branch` into FETCH_HEAD."""
        self._check(self._git("fetch", "--quiet", self.url, f"refs/heads/{branch}"), f"fetching {branch}")

    def has_tag(self, tag: str) -> bool:
        result = self._check(self._git("ls-remote", "--tags", self.url, f"refs/tags/{tag}"), "listing tags")
        return bool(result.stdout.strip())

    def push_commit(self, branch: str) -> bool:
        """Push HEAD to `branch` with no pipeline for it; False when the branch moved meanwhile."""
        result = self._git("push", "--porcelain", "-o", "ci.skip", self.url, f"HEAD:refs/heads/{branch}")
        if result.returncode == 0:
            return not _SAME.search(result.stdout)  # "=": another job pushed the very same release commit
        if _MOVED.search(result.stdout):
            return False
        # git may die on a push that raced another one (SIGPIPE) without a reason: the branch's
        # tip on the remote tells what happened. A tip equal to HEAD may be another job's
        # byte-identical release commit, so it counts as moved too: the retry then releases the
        # next version, never the same one twice.
        base = self._check(self._git("rev-parse", "HEAD^"), "reading HEAD").stdout.strip()
        if self._tip(branch) != base:
            return False
        advice = f"; the token's role must be allowed to push to the protected branch {branch} (see the README)"
        self._check(result, f"pushing the release commit to {branch}", advice)
        return True

    def _tip(self, branch: str) -> str:
        """The commit `branch` points at on the remote ("" when it has none)."""
        listed = self._check(self._git("ls-remote", self.url, f"refs/heads/{branch}"), f"reading {branch}").stdout
        return listed.split("\t", 1)[0].strip()

    def push_tag(self, tag: str, branch: str) -> None:
        """Push `tag` alone (its own push starts the tag pipeline); an existing remote tag is never replaced."""
        advice = f"; the release commit is on {branch}: push the tag with `git push origin {tag}`"
        self._check(
            self._git("push", "--porcelain", self.url, f"refs/tags/{tag}:refs/tags/{tag}"), f"pushing {tag}", advice
        )

    def _git(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = ["git", *args]
        return subprocess.run(
            command, cwd=self.root, stdin=subprocess.DEVNULL, capture_output=True, text=True, check=False
        )

    def _check(
        self, result: subprocess.CompletedProcess[str], what: str, advice: str = ""
    ) -> subprocess.CompletedProcess[str]:
        if result.returncode == 0:
            return result
        rejected = [line.split("\t")[-1] for line in result.stdout.splitlines() if line.startswith("!\t")]
        lines = [line.strip() for line in result.stderr.splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        reason = self._mask((rejected or fatal or lines or [f"exit code {result.returncode}"])[0])
        raise DevkitError(f"{what} failed: {reason}{advice}")

    def _mask(self, text: str) -> str:
        return text.replace(urllib.parse.quote(self.secret, safe=""), "[MASKED]").replace(self.secret, "[MASKED]")
