"""`[tool.devkit.staging]`: a review environment per merge request, deployed and stopped on demand.

For example (deploy and stop are required, the rest optional):

[tool.devkit.staging]
deploy = "make staging-up"       # the project's own deploy command: devkit writes no chart
stop = "make staging-down"       # the command that takes it down again
url = "https://$CI_COMMIT_REF_SLUG.staging.example.com"   # the environment's link in GitLab
auto-stop-in = "1 day"           # GitLab stops the environment after this long (or "never")
image = "python:3.11"            # the two jobs' image; default the pipeline's

The rendered pipeline gets two manual jobs in merge-request pipelines, in the environment
`review/$CI_COMMIT_REF_SLUG`: `staging:deploy` runs `deploy`, `staging:stop` runs `stop`
(by hand, when the request is merged or closed, or after auto-stop-in). With
`[tool.devkit.image]` both wait for the image build and get the production image's
reference as `$DEVKIT_STAGING_IMAGE`. A command is split into words as the shell splits
them, and each word is quoted again for the job's shell: no `;`, `|` or `$(...)` there
acts; `$NAME` and `${NAME}` stay the job's variables.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Any, NamedTuple

from devkit.env import settings
from devkit.files import fields
from devkit.image.settings import REFERENCE

DEPLOY = "staging:deploy"
STOP = "staging:stop"
STAGE = "staging"
ENVIRONMENT = "review/$CI_COMMIT_REF_SLUG"
IMAGE_VARIABLE = "DEVKIT_STAGING_IMAGE"
KEYS = ("deploy", "stop", "url", "auto-stop-in", "image")
_WHERE = "[tool.devkit.staging]"
_ADVICE = "fix it in pyproject.toml, then run `devkit ci render`"
# RFC 3986's characters only: GitLab's schema takes the URL as a URI, and `$NAME` is a job variable.
_URL = re.compile(r"https?://[A-Za-z0-9$][A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]*")
_UNIT = r"(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)"
_DURATION = re.compile(rf"never|[1-9][0-9]* ?{_UNIT}(?: (?:and )?[1-9][0-9]* ?{_UNIT})*")
# A word the job's shell reads in double quotes: only `$NAME` and `${NAME}` expand there.
_EXPANDING = re.compile(r"(?:[^$\"`\\]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})*")


class Staging(NamedTuple):
    """The settings: each command as the shell line the job runs, and the environment's options."""

    deploy: str
    stop: str
    url: str | None
    auto_stop_in: str | None
    image: str | None


class Built(NamedTuple):
    """The production image a pipeline builds: the job that pushes it and its reference."""

    job: str
    reference: str


def enabled(pyproject: Mapping[str, Any]) -> bool:
    """Whether the pipeline has the staging jobs: pyproject.toml has `[tool.devkit.staging]`."""
    return STAGE in settings.table(pyproject)


def read(pyproject: Mapping[str, Any]) -> Staging:
    """The settings, each key checked; a bad one is a DevkitError naming the file and the key."""
    table = fields.Table(settings.table(pyproject, STAGE), "pyproject.toml", _WHERE, _ADVICE)
    for key in table.data:
        if key not in KEYS:
            raise table.error(key, f"is not a staging setting; the settings are {', '.join(KEYS)}")
    return Staging(
        deploy=_command(table, "deploy", "make staging-up"),
        stop=_command(table, "stop", "make staging-down"),
        url=table.matching("url", _URL, "an http(s) URL, e.g. https://$CI_COMMIT_REF_SLUG.staging.example.com", None),
        auto_stop_in=table.matching("auto-stop-in", _DURATION, 'a duration like "1 day" or "2 hours 30 minutes"', None),
        image=table.matching("image", REFERENCE, "an image reference like python:3.11", None),
    )


def _command(table: fields.Table, key: str, example: str) -> str:
    """`key` as the shell line a job runs: its words, each quoted for the shell."""
    text = table.get(key, f'a command on one line, e.g. {key} = "{example}"', fields.is_line)
    try:
        words = shlex.split(text)
    except ValueError as exc:  # an unclosed quote
        raise table.error(key, f"is not a command ({exc}): {fields.shown(text)}") from None
    if not words:
        raise table.error(key, f'is empty: name the command, e.g. {key} = "{example}"')
    for word in words:
        if "$" in word and not _EXPANDING.fullmatch(word):
            raise table.error(
                key,
                f"has the word {fields.shown(word)}: a $ starts a variable, $NAME or ${{NAME}}, and a word with "
                'one has no ", ` or \\; put anything else in a script or a make target',
            )
    return " ".join(f'"{word}"' if "$" in word else shlex.quote(word) for word in words)


def jobs(staging: Staging, when: str, built: Built | None) -> dict[str, Any]:
    """`staging:deploy` and `staging:stop`: manual jobs of the pipelines `when` selects."""
    environment: dict[str, Any] = {"name": ENVIRONMENT}
    start = {**environment, **({"url": staging.url} if staging.url else {}), "on_stop": STOP}
    if staging.auto_stop_in:
        start["auto_stop_in"] = staging.auto_stop_in
    return {
        DEPLOY: _job(staging, staging.deploy, start, when, built),
        STOP: _job(staging, staging.stop, {**environment, "action": "stop"}, when, built),
    }


def _job(staging: Staging, script: str, environment: dict[str, Any], when: str, built: Built | None) -> dict[str, Any]:
    job: dict[str, Any] = {"stage": STAGE}
    if staging.image:
        job["image"] = staging.image
    if built:
        job["variables"] = {IMAGE_VARIABLE: built.reference}
    # `when: manual` in rules defaults to allow_failure: false, which holds the pipeline (and the
    # merge, where a green pipeline is required) until someone runs the job.
    job.update(needs=[built.job] if built else [], environment=environment, allow_failure=True)
    job["rules"] = [{"if": when, "when": "manual"}]
    job["script"] = [script]
    return job
