"""`devkit publish`: upload the tag's wheels in dist/ with `uv publish`, after the version check.

The target is `[tool.devkit.release] publish-url` (GitLab's package registry by default),
with `$NAME` references filled from the environment. The credentials are the job token
(user `gitlab-ci-token`) unless DEVKIT_PUBLISH_USERNAME and DEVKIT_PUBLISH_PASSWORD are set;
they reach uv through its environment, never its command line.
"""

from __future__ import annotations

import os
import string
import subprocess
from collections.abc import Mapping
from pathlib import Path

from devkit import console
from devkit.errors import DevkitError
from devkit.release import gitlab, version
from devkit.release import settings as release_settings

USERNAME = "DEVKIT_PUBLISH_USERNAME"
PASSWORD = "DEVKIT_PUBLISH_PASSWORD"
JOB_USER = "gitlab-ci-token"


def publish(root: Path, pyproject: Mapping[str, object], env: Mapping[str, str]) -> list[Path]:
    """Check the tag against pyproject.toml and dist/, then upload the wheels; the files uploaded."""
    tag = gitlab.variable(env, "CI_COMMIT_TAG", "run `devkit publish` in a tag pipeline")
    version.check(root, tag)
    wheels = sorted((root / "dist").glob("*.whl"))
    if not wheels:
        raise DevkitError(f"{root / 'dist'} holds no wheel: build it first (`devkit run build`)")
    url = expand(release_settings.read(pyproject).publish_url, env)
    username, password = credentials(env)
    console.info(f"uploading {', '.join(wheel.name for wheel in wheels)} to {url}")
    _upload(root, url, username, password, wheels)
    return wheels


def expand(url: str, env: Mapping[str, str]) -> str:
    """`url` with each `$NAME` or `${NAME}` replaced from `env`; an unset one is a DevkitError."""
    try:
        return string.Template(url).substitute(env)
    except KeyError as exc:
        raise DevkitError(f"[tool.devkit.release] publish-url {url!r} uses ${exc.args[0]}, which is not set") from None
    except ValueError:
        raise DevkitError(f"[tool.devkit.release] publish-url {url!r} has a stray $: write $$ for a dollar") from None


def credentials(env: Mapping[str, str]) -> tuple[str, str]:
    """DEVKIT_PUBLISH_USERNAME and DEVKIT_PUBLISH_PASSWORD when set, else the job token."""
    if env.get(USERNAME) or env.get(PASSWORD):
        why = f"set both {USERNAME} and {PASSWORD} (masked CI/CD variables), or neither to use the job token"
        return gitlab.variable(env, USERNAME, why), gitlab.variable(env, PASSWORD, why)
    why = f"run `devkit publish` in a GitLab CI job, or set {USERNAME} and {PASSWORD}"
    return JOB_USER, gitlab.variable(env, "CI_JOB_TOKEN", why)


def _upload(root: Path, url: str, username: str, password: str, wheels: list[Path]) -> None:
    from devkit.env import programs

    uv = programs.find("uv")
    if uv is None:
        raise DevkitError("uv not found beside devkit or on PATH: run `devkit sync` (devkit depends on uv)")
    command = [str(uv), "publish", "--trusted-publishing", "never", "--publish-url", url, "--", *map(str, wheels)]
    secrets = {"UV_PUBLISH_USERNAME": username, "UV_PUBLISH_PASSWORD": password}
    result = subprocess.run(command, cwd=root, env={**os.environ, **secrets}, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        raise DevkitError(f"uv publish failed (exit {result.returncode}), see its output above; nothing else changed")
