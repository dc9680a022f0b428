"""The one GitLab API call a release makes: the merge requests of a commit, with their labels.

Standard library only (urllib), a timeout on every request; each failure is one DevkitError
naming the variable to fix or the HTTP status GitLab answered.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from typing import Any, NamedTuple

from devkit.errors import DevkitError

TIMEOUT = 30.0
TOKEN = "DEVKIT_RELEASE_TOKEN"
_PATH = "{api}/projects/{project}/repository/commits/{sha}/merge_requests"


class MergeRequest(NamedTuple):
    """A merged request: its number (iid) and labels."""

    iid: int
    labels: tuple[str, ...]


def variable(env: Mapping[str, str], name: str, why: str) -> str:
    """The CI variable `name`; a DevkitError saying what it is for when it is unset or empty."""
    value = env.get(name, "")
    if not value:
        raise DevkitError(f"${name} is not set: {why}")
    return value


def merged_request(env: Mapping[str, str], sha: str) -> MergeRequest | None:
    """The merged request that brought commit `sha` into the project; None when there is none."""
    api = variable(env, "CI_API_V4_URL", "run `devkit release` in a GitLab CI job")
    project = variable(env, "CI_PROJECT_ID", "run `devkit release` in a GitLab CI job")
    token = variable(env, TOKEN, "add a project access token as a masked CI/CD variable (see the README)")
    url = _PATH.format(api=api.rstrip("/"), project=urllib.parse.quote(project, safe=""), sha=sha)
    found = [request for request in _requests(_get(url, token)) if request.get("state") == "merged"]
    if not found:
        return None
    return MergeRequest(int(found[0]["iid"]), tuple(str(label) for label in found[0]["labels"]))


def _get(url: str, token: str) -> Any:
    request = urllib.request.Request(url, headers={"PRIVATE-TOKEN": token, "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise DevkitError(f"GitLab answered HTTP {exc.code} {exc.reason} for {url}: {_advice(exc.code)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DevkitError(f"could not reach GitLab at {url}: {reason}; check $CI_API_V4_URL and retry") from None
    except ValueError:
        raise DevkitError(f"GitLab's answer from {url} is not JSON: check $CI_API_V4_URL") from None


def _advice(status: int) -> str:
    if status in (401, 403):
        return f"${TOKEN} must be a valid project access token with the api or read_api scope"
    if status == 404:
        return "check $CI_PROJECT_ID and $CI_COMMIT_SHA, and that the token's project is this one"
    return "retry the job; if it persists, check GitLab's status"


def _requests(data: Any) -> list[dict[str, Any]]:
    """The list GitLab returns, each item checked for the fields a release reads."""
    if not isinstance(data, list) or not all(_valid(item) for item in data):
        raise DevkitError("GitLab's list of merge requests lacks iid or labels: check $CI_API_V4_URL")
    return data


def _valid(item: object) -> bool:
    return isinstance(item, dict) and type(item.get("iid")) is int and isinstance(item.get("labels"), list)
