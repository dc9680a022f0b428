"""Staging on demand: `[tool.devkit.staging]` renders manual deploy and stop jobs for merge
requests, run here under gitlab-ci-local, and every setting is checked before a file is written."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.gitlab_ci_local import commit_example, gitlab, listed
from tests.support.proc import run
from tests.support.projects import without_images

DEVKIT = [sys.executable, "-m", "devkit"]
MERGE_REQUEST = "CI_PIPELINE_SOURCE=merge_request_event"
TABLE = re.compile(r"\[tool\.devkit\.staging\][^\n]*\n(?:[^\n\[][^\n]*\n)*")


def with_staging(project: Path, body: str | None) -> None:
    """Replace the example's `[tool.devkit.staging]` with one holding `body` (None: no table)."""
    pyproject = project / "pyproject.toml"
    table = "" if body is None else f"[tool.devkit.staging]\n{body}"
    pyproject.write_text(TABLE.sub(lambda _: table, pyproject.read_text(), count=1))


def rendered(project: Path) -> dict[str, Any]:
    run([*DEVKIT, "ci", "render"], cwd=project)
    pipeline: dict[str, Any] = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    return pipeline


def test_deploy_and_stop_jobs_run_the_example_targets_under_gitlab_ci_local(
    example_project: Path, gitlab_ci_local: Path, tmp_path: Path
) -> None:
    project = commit_example(example_project)
    marker = tmp_path / "review-app"
    commit = run(["git", "rev-parse", "HEAD"], cwd=project).stdout.strip()
    slug = run(["git", "branch", "--show-current"], cwd=project).stdout.strip()
    job = ["--variable", MERGE_REQUEST, "--variable", f"STAGING_MARKER={marker}"]

    code, branch = gitlab(project, gitlab_ci_local, "--list")
    assert code == 0, branch
    code, request = gitlab(project, gitlab_ci_local, "--list", "--variable", MERGE_REQUEST)
    assert code == 0, request
    code, deployed = gitlab(project, gitlab_ci_local, *job, "staging:deploy")
    assert code == 0, deployed
    written = marker.read_text() if marker.is_file() else None
    code, stopped = gitlab(project, gitlab_ci_local, *job, "staging:stop")
    assert code == 0, stopped

    assert "lint" in listed(branch)
    assert "staging:deploy" not in listed(branch)
    assert listed(request)["staging:deploy"] == ["staging", "manual", "true", "[build:image]"]
    assert listed(request)["staging:stop"] == ["staging", "manual", "true", "[build:image]"]
    assert written is not None
    assert written.endswith(f":{commit}\n")
    url = f"https://{slug}.staging.example.com"
    assert f"staging:deploy environment: {{ name: review/{slug}, url: {url} }}" in deployed
    assert f"staging:stop environment: {{ name: review/{slug} }}" in stopped
    assert not marker.exists()


def test_without_images_the_jobs_need_nothing_and_take_the_pipelines_image(example_project: Path) -> None:
    without_images(example_project)
    with_staging(example_project, 'deploy = "make staging-up"\nstop = "make staging-down"\n')

    pipeline = rendered(example_project)
    schema = run(
        [Path(sys.executable).parent / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
        cwd=example_project,
    )

    assert "validation done" in schema.stdout
    assert pipeline["stages"] == ["deps", "checks", "build", "staging", "release"]
    assert pipeline["staging:deploy"] == {
        "stage": "staging",
        "needs": [],
        "environment": {"name": "review/$CI_COMMIT_REF_SLUG", "on_stop": "staging:stop"},
        "allow_failure": True,
        "rules": [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "when": "manual"}],
        "script": ["make staging-up"],
    }
    assert pipeline["staging:stop"] == {
        "stage": "staging",
        "needs": [],
        "environment": {"name": "review/$CI_COMMIT_REF_SLUG", "action": "stop"},
        "allow_failure": True,
        "rules": [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"', "when": "manual"}],
        "script": ["make staging-down"],
    }


def test_no_table_no_staging_jobs(example_project: Path) -> None:
    with_staging(example_project, None)

    pipeline = rendered(example_project)

    assert "staging" not in pipeline["stages"]
    assert not {"staging:deploy", "staging:stop"} & set(pipeline)


def test_each_word_of_a_command_stays_one_word_and_only_variables_expand(example_project: Path, tmp_path: Path) -> None:
    command = "printf '[%s]' 'a; touch pwned' * '`touch pwned2`' >out \\\"$NAME\\\" ${NAME}.x"
    with_staging(example_project, f'deploy = "{command}"\nstop = "make staging-down"\n')

    script = rendered(example_project)["staging:deploy"]["script"]
    folder = tmp_path / "job"
    folder.mkdir()
    (folder / "file").touch()  # what an unquoted * would become
    result = run(["sh", "-c", script[0]], cwd=folder, env={"PATH": "/usr/bin:/bin", "NAME": "a b"})

    assert script == ["printf '[%s]' 'a; touch pwned' '*' '`touch pwned2`' '>out' \"$NAME\" \"${NAME}.x\""]
    assert result.stdout == "[a; touch pwned][*][`touch pwned2`][>out][a b][a b.x]"
    assert [path.name for path in folder.iterdir()] == ["file"]


SETTINGS = "pyproject.toml: [tool.devkit.staging]: "
ADVICE = ": fix it in pyproject.toml, then run `devkit ci render`"
STOP = 'stop = "make staging-down"\n'


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ('deploy = "make staging-up"\n', "stop is missing"),
        ('deploy = ""\n' + STOP, 'deploy is empty: name the command, e.g. deploy = "make staging-up"'),
        ('deploy = "  "\n' + STOP, 'deploy is empty: name the command, e.g. deploy = "make staging-up"'),
        (
            'deploy = ["make", "staging-up"]\n' + STOP,
            "deploy must be a command on one line, e.g. deploy = \"make staging-up\", got ['make', 'staging-up']",
        ),
        (
            'deploy = "make\\nstaging-up"\n' + STOP,
            "deploy must be a command on one line, e.g. deploy = \"make staging-up\", got 'make\\nstaging-up'",
        ),
        (
            'deploy = "make \'staging-up"\n' + STOP,
            'deploy is not a command (No closing quotation): "make \'staging-up"',
        ),
        ('deploy = "echo $(touch pwned)"\n' + STOP, "deploy has the word '$(touch': a $ starts a variable"),
        ('deploy = "echo $HOME`touch pwned`"\n' + STOP, "deploy has the word '$HOME`touch': a $ starts"),
        (
            'deploy = "make up"\nstop = 3\n',
            'stop must be a command on one line, e.g. stop = "make staging-down", got 3',
        ),
        ('deploy = "make up"\n' + STOP + 'url = "ftp://example.com"\n', "url must be an http(s) URL"),
        ('deploy = "make up"\n' + STOP + 'url = "https://example.com/a b"\n', "url must be an http(s) URL"),
        ('deploy = "make up"\n' + STOP + 'auto-stop-in = "soon"\n', 'auto-stop-in must be a duration like "1 day"'),
        ('deploy = "make up"\n' + STOP + "auto-stop-in = 1\n", 'auto-stop-in must be a duration like "1 day"'),
        ('deploy = "make up"\n' + STOP + 'auto-stop-in = "1 week, 2 days"\n', "auto-stop-in must be a duration"),
        ('deploy = "make up"\n' + STOP + 'image = "Python 3"\n', "image must be an image reference"),
        (
            'deploy = "make up"\n' + STOP + 'on-stop = "x"\n',
            "on-stop is not a staging setting; the settings are deploy, stop, url, auto-stop-in, image",
        ),
    ],
)
def test_a_bad_setting_is_one_line_naming_the_key_and_nothing_is_written(
    example_project: Path, body: str, problem: str
) -> None:
    pipeline = example_project / ".gitlab-ci.yml"
    before = pipeline.read_bytes()
    with_staging(example_project, body)

    result = run([*DEVKIT, "ci", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"devkit: error: {SETTINGS}{problem}")
    assert line.endswith(ADVICE)
    assert pipeline.read_bytes() == before
    assert not (example_project / "pwned").exists()


def test_a_staging_setting_that_is_no_table_is_named(example_project: Path) -> None:
    with_staging(example_project, None)
    pyproject = example_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("\n[tool.devkit]\n", '\n[tool.devkit]\nstaging = "make up"\n'))

    result = run([*DEVKIT, "ci", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "devkit: error: [tool.devkit.staging] in pyproject.toml must be a table, not 'make up'"
    ]


@pytest.mark.parametrize("duration", ["1 day", "2 hours 30 minutes", "3 weeks and 2 days", "3 mins 4 secs", "never"])
def test_auto_stop_in_takes_gitlabs_durations(example_project: Path, duration: str) -> None:
    with_staging(example_project, f'deploy = "make up"\n{STOP}auto-stop-in = "{duration}"\n')

    environment = rendered(example_project)["staging:deploy"]["environment"]

    assert environment["auto_stop_in"] == duration
