"""The GitLab CI pipeline, rendered from the stage table and the sync setting.

The dependency jobs build `.venv` with `devkit sync` into caches keyed exactly as
`devkit cache-key` computes (separate main and dev caches); one job per check stage runs
`devkit run STAGE` as soon as the dev environment exists; the wheel is built once as an
artifact. A job whose cache missed brings in the project's locked devkit with the locked
uv, nothing else (see `sync_script`). The project's own jobs live in `.gitlab-ci.local.yml`,
which the rendered file includes and re-rendering never touches.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

from devkit.checks import stages
from devkit.env import locks, settings
from devkit.env import pyproject as pyproject_file
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.files import yaml_file
from devkit.image import settings as image_settings
from devkit.image.settings import Image
from devkit.render import staging

CI_FILE = ".gitlab-ci.yml"
LOCAL_FILE = ".gitlab-ci.local.yml"
DEFAULT_CHECKS = ("lint", "tests")
DEVKIT = "devkit-toolchain"
MANAGED_CHECK = ".venv/bin/devkit check"
MERGE_REQUESTS = '$CI_PIPELINE_SOURCE == "merge_request_event"'
HEADER = (
    "# Rendered by `devkit ci render` from devkit's stage table: do not edit. The project's\n"
    f"# own jobs go in {LOCAL_FILE}; `devkit check` fails when this file is out of date.\n"
)


class Bootstrap(NamedTuple):
    """What a job whose cache missed installs to run `devkit sync`: both from the lock."""

    devkit_from: str
    uv: str


def checks(pyproject: Mapping[str, Any]) -> tuple[str, ...]:
    """The stages CI runs, in order: `[tool.devkit] ci`, else lint and tests."""
    chosen = settings.string_list(pyproject, "ci", '["lint", "tests"]')
    names = DEFAULT_CHECKS if chosen is None else tuple(chosen)
    if not names:
        raise DevkitError(
            "[tool.devkit] ci in pyproject.toml is empty: a pipeline must check something; name its stages, "
            'e.g. ci = ["lint", "tests"], or remove the key for lint and tests'
        )
    table = stages.table(pyproject)
    if "format" in names and table.get("format") == stages.BUILTIN["format"]:
        raise DevkitError(
            "[tool.devkit] ci in pyproject.toml names 'format', which rewrites files and always passes: "
            "CI checks the format with the lint stage; remove 'format'"
        )
    for name in names:
        if name not in table:
            raise DevkitError(
                f"[tool.devkit] ci in pyproject.toml names {name!r}, which is not a stage; "
                f"the stages are: {', '.join(table)} (see `devkit stages`)"
            )
    return names


def bootstrap(project: Project) -> Bootstrap:
    """The locked devkit (a requirement or a local path) and the locked uv."""
    packages = locks.packages(project)
    if DEVKIT not in packages:
        raise DevkitError(f"{DEVKIT} is not in {project.lock_name}: add it to the dev group and lock again")
    if "uv" not in packages or not packages["uv"][0]:
        raise DevkitError(f"uv is not in {project.lock_name}: lock again with a devkit that depends on it")
    version, folder = packages[DEVKIT]
    if not (folder or version):
        raise DevkitError(f"{project.lock_name} records no version of {DEVKIT}: lock it from an index or a folder")
    return Bootstrap(devkit_from=folder or f"{DEVKIT}=={version}", uv=f"uv=={packages['uv'][0]}")


BOOTSTRAP = ".cache/devkit"
# The cached .venv holds no editable install of the project: a job's checkout path differs
# between runners and concurrent jobs, and the checks import the code from the checkout.
SYNC = ["--no-root"]


def sync_script(arguments: Sequence[str] = ()) -> str:
    """The shell script every job starts with.

    The locked devkit lives in its own small venv, cached with `.venv` under the same
    key: on a cache hit `devkit sync` finds the stamp and installs nothing; on a miss
    pip brings the locked uv and uv the locked devkit, then devkit builds `.venv`.
    """
    options = "".join(f" {shlex.quote(argument)}" for argument in arguments)
    return "\n".join([*_bootstrap(BOOTSTRAP), f"{BOOTSTRAP}/bin/devkit sync{options}"])


def _bootstrap(folder: str, *, system_pip: bool = False) -> list[str]:
    """The lines that install the locked uv and devkit into `folder` unless they are there.

    With `system_pip`, the venv gets no pip of its own and the system's pip installs uv
    into it: for images whose Python has no ensurepip (Alpine's, with py3-pip).
    """
    if system_pip:
        create = [f"  python3 -m venv --without-pip {folder}"]
        create += [f'  python3 -m pip --python {folder}/bin/python install --quiet "$DEVKIT_UV"']
    else:
        create = [f"  python3 -m venv {folder}", f'  {folder}/bin/pip install --quiet "$DEVKIT_UV"']
    return [
        f"if [ ! -x {folder}/bin/devkit ]; then",
        *create,
        f'  {folder}/bin/uv pip install --quiet --python {folder}/bin/python "$DEVKIT_FROM"',
        "fi",
    ]


def _cache(project: Project, prefix: str, policy: str) -> dict[str, Any]:
    return {
        "key": {"files": [project.lock_name, "pyproject.toml"], "prefix": prefix},
        "paths": [".venv/", f"{BOOTSTRAP}/"],
        "policy": policy,
    }


def _tool_cache(name: str) -> dict[str, Any]:
    return {"key": f"{name}-$CI_COMMIT_REF_SLUG", "paths": [".mypy_cache/", ".ruff_cache/", ".pytest_cache/"]}


def pipeline(project: Project, pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """The pipeline as data."""
    from devkit.env import interpreter

    python = interpreter.for_image(pyproject, project.root)
    tools = bootstrap(project)
    data: dict[str, Any] = {}
    if (project.root / LOCAL_FILE).is_file():
        data["include"] = [{"local": LOCAL_FILE}]
    data["workflow"] = {
        "rules": [
            {"if": MERGE_REQUESTS},
            {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"},
            {"if": "$CI_COMMIT_TAG"},
        ]
    }
    optional = [("images", image_settings.enabled(pyproject)), (staging.STAGE, staging.enabled(pyproject))]
    data["stages"] = ["deps", "checks", "build", *(stage for stage, wanted in optional if wanted), "release"]
    data["default"] = {"image": f"python:{python}-slim"}
    data["variables"] = {
        "DEVKIT_FROM": tools.devkit_from,
        "DEVKIT_UV": tools.uv,
        "UV_CACHE_DIR": "$CI_PROJECT_DIR/.cache/uv",
        "UV_LINK_MODE": "copy",
    }
    data["build:deps:main"] = _deps(project, "main", ["--only", "main", *SYNC])
    data["build:deps:dev"] = _deps(project, "dev", SYNC)
    data[".devkit"] = {
        "needs": ["build:deps:dev"],
        "cache": [_cache(project, "dev", "pull")],
        "before_script": [sync_script(SYNC)],
    }
    table = stages.table(pyproject)
    for index, name in enumerate(checks(pyproject)):
        data[name] = {**_job(project, "checks", name, [_tool_cache(name)]), **report_keys(name, table[name])}
        if index == 0:  # the first check job also fails on a managed file this devkit renders otherwise
            data[name]["script"].insert(0, MANAGED_CHECK)
    data["build:wheel"] = {**_job(project, "build", "build", []), "artifacts": {"paths": ["dist/"]}}
    if image_settings.enabled(pyproject):
        data.update(image_jobs(image_settings.read(pyproject, python)))
    if staging.enabled(pyproject):
        data.update(staging_jobs(pyproject))
    data.update(release_jobs(project, checks(pyproject)))
    return data


# The image jobs' devkit: apart from the cached one, which belongs to the Python image.
IMAGE_BOOTSTRAP = ".cache/devkit-image"
# The production image build:image pushes, tagged with the commit.
PRODUCTION_IMAGE = "$CI_REGISTRY_IMAGE:$CI_COMMIT_SHA"
_REGISTRY_LOGIN = (
    'echo "$CI_REGISTRY_PASSWORD" | docker login --username "$CI_REGISTRY_USER" --password-stdin "$CI_REGISTRY"'
)


def image_jobs(image: Image) -> dict[str, Any]:
    """The images, built once from build:wheel's artifact with Docker-in-Docker.

    `build:image` builds the production image, audits it against the lock and pushes it tagged
    with the commit (and, in tag pipelines, the version); `build:image:test` builds the test
    image, runs the tests in it and pushes it. Each runs the commands `make image`,
    `make audit` and `make image-test` run.
    """
    devkit = f"{IMAGE_BOOTSTRAP}/bin/devkit"
    commit = f'"{PRODUCTION_IMAGE}"'
    version = '${CI_COMMIT_TAG:+--tag "$CI_REGISTRY_IMAGE:${CI_COMMIT_TAG#v}"}'
    test = '"$CI_REGISTRY_IMAGE/test:$CI_COMMIT_SHA"'

    def job(script: list[str]) -> dict[str, Any]:
        return {
            "stage": "images",
            "image": image.builder,
            "services": [{"name": image.builder_service, "alias": "docker"}],
            "variables": {"DOCKER_HOST": "tcp://docker:2375", "DOCKER_TLS_CERTDIR": ""},
            "needs": ["build:wheel"],
            "before_script": [
                "apk add --no-cache python3 py3-pip",
                "\n".join(_bootstrap(IMAGE_BOOTSTRAP, system_pip=True)),
                _REGISTRY_LOGIN,
            ],
            "script": script,
        }

    return {
        "build:image": job(
            [
                f"{devkit} image build production --tag {commit} {version}",
                f"{devkit} audit --image {commit}",
                'docker push --all-tags "$CI_REGISTRY_IMAGE"',
            ]
        ),
        "build:image:test": job([f"{devkit} image test --tag {test}", f"docker push {test}"]),
    }


def staging_jobs(pyproject: Mapping[str, Any]) -> dict[str, Any]:
    """The manual review environment of a merge request ([tool.devkit.staging]).

    Deployed from the production image when the pipeline builds one: the deploy job waits
    for build:image and gets its reference.
    """
    built = staging.Built("build:image", PRODUCTION_IMAGE) if image_settings.enabled(pyproject) else None
    return staging.jobs(staging.read(pyproject), MERGE_REQUESTS, built)


def release_jobs(project: Project, checked: Sequence[str]) -> dict[str, Any]:
    """The release jobs, each one devkit command.

    The bump label checked in merge requests; the release on the default branch (one at a
    time, after the checks, never for its own release commit); in tag pipelines the
    version check and the upload of the wheel build:wheel made.
    """
    from devkit.release.job import SUBJECT_PATTERN

    def job(stage: str, command: str, needs: list[str], when: str) -> dict[str, Any]:
        return {
            "extends": ".devkit",
            "stage": stage,
            "cache": [_cache(project, "dev", "pull")],
            "needs": ["build:deps:dev", *needs],
            "rules": [{"if": when}],
            "script": [f".venv/bin/devkit {command}"],
        }

    release = job("release", "release", [*checked, "build:wheel"], "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH")
    release["rules"].insert(0, {"if": f"$CI_COMMIT_TITLE =~ /{SUBJECT_PATTERN}/", "when": "never"})
    return {
        "release:labels": job("release", "release labels", [], MERGE_REQUESTS),
        "release": {**release, "resource_group": "release"},
        "release:check": job("release", 'version --check "$CI_COMMIT_TAG"', ["build:wheel"], "$CI_COMMIT_TAG"),
        "publish": job("release", "publish", ["build:wheel", "release:check"], "$CI_COMMIT_TAG"),
    }


def report_keys(name: str, commands: Sequence[stages.Command]) -> dict[str, Any]:
    """The keys that hand stage `name`'s reports to GitLab: `coverage:` and `artifacts: reports`.

    `devkit run` writes them under CI; they are uploaded even when the job fails.
    """
    from devkit.checks import reports

    found = reports.files(name, commands)
    declared: dict[str, Any] = {}
    if reports.JUNIT in found:
        declared["junit"] = [f"{stages.REPORTS}/{file}" for file in found[reports.JUNIT]]
    if reports.COBERTURA in found:  # GitLab takes one coverage report a job
        declared["coverage_report"] = {
            "coverage_format": "cobertura",
            "path": f"{stages.REPORTS}/{found[reports.COBERTURA][0]}",
        }
    if reports.CODEQUALITY in found:
        declared["codequality"] = [f"{stages.REPORTS}/{file}" for file in found[reports.CODEQUALITY]]
    if not declared:
        return {}
    coverage = {"coverage": reports.COVERAGE_PATTERN} if reports.COBERTURA in found else {}
    return {**coverage, "artifacts": {"when": "always", "paths": [f"{stages.REPORTS}/"], "reports": declared}}


def _deps(project: Project, prefix: str, arguments: list[str]) -> dict[str, Any]:
    return {"stage": "deps", "cache": [_cache(project, prefix, "pull-push")], "script": [sync_script(arguments)]}


def _job(project: Project, stage: str, name: str, caches: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "extends": ".devkit",
        "stage": stage,
        "cache": [_cache(project, "dev", "pull"), *caches],
        "script": [f".venv/bin/devkit run {shlex.quote(name)}"],
    }


def render(project: Project, pyproject: Mapping[str, Any] | None = None) -> str:
    """The text of `.gitlab-ci.yml` for the project (`pyproject`: its pyproject.toml, already read)."""
    table = pyproject_file.read(project.pyproject) if pyproject is None else pyproject
    return HEADER + yaml_file.dumps(pipeline(project, table))
