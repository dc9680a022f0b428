"""The rendered pipeline in containers: gitlab-ci-local's docker executor runs the dependency,
check and build jobs in the image the pipeline names, with the pipeline's caches; run again
on a commit with seeded findings, the dependency jobs find `.venv` in their cache and install
nothing, and the failing check jobs still hand over their reports, which name each finding.
A merge-request pipeline offers the staging jobs, which deploy and stop in their own image.

The service here is the example as a team has it: devkit comes from the package index (the
session's loopback index, which holds devkit's wheel), not from `../..`, a folder no
container has. Poetry locks it against that index; the containers reach the index through
the host's network, told by runner variables, as a company runner is told of its mirror.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gitlab_ci_local import HELPER_IMAGE, commit, in_containers, job_lines, listed
from tests.support.index import RunningIndex, serve_index
from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING, copy_example, lock_by_poetry, without_images
from tests.support.reports import FAILING, cobertura, codequality, junit_cases, places, seed
from tests.support.wheels import build_wheel, gather

DEVKIT = [sys.executable, "-m", "devkit"]
DEPS_JOBS = ("build:deps:main", "build:deps:dev")
CHECK_JOBS = ("lint", "tests")
JOBS = (*DEPS_JOBS, *CHECK_JOBS, "build:wheel")
FROM_CHECKOUT = 'devkit-toolchain = { path = "../..", develop = true }'
# Locked for platforms no job runs on: Poetry resolves for every platform, so the index
# holds each as an empty stand-in (a company index mirrors every file of them).
OTHER_PLATFORMS = (("appnope", "1.0.0"), ("cffi", "2.1.1"), ("colorama", "0.4.6"))
INDEX_SOURCE = '\n[[tool.poetry.source]]\nname = "company"\nurl = "{url}"\npriority = "primary"\n'
# The index holds the wheels of Python 3.11, which the pipeline's image runs.
FOR_PYTHONS, ONLY_311 = 'requires-python = ">=3.11"', 'requires-python = ">=3.11,<3.12"'
# The check jobs' reports, their artifacts for GitLab's merge request widgets.
REPORTS = sorted(
    [f"lint.{tool}.codequality.json" for tool in ("ruff-check", "ruff-format", "mypy")]
    + ["tests.pytest.junit.xml", "tests.coverage.cobertura.xml"]
)
IN_SYNC = "devkit: .venv is in sync with poetry.lock"
MERGE_REQUEST = {"CI_PIPELINE_SOURCE": "merge_request_event"}


@dataclass(frozen=True)
class Service:
    """The committed service and the running index its lock names."""

    project: Path
    index: RunningIndex


def in_engine(docker: str, image: str) -> str:
    """`image`, once the engine has it: no image can be pulled here."""
    found = subprocess.run([docker, "image", "inspect", image], capture_output=True, check=False)
    if found.returncode != 0:
        pytest.fail(f"the engine has no {image}: bash .ci/run makes it from the base image and Debian's packages")
    return image


@pytest.fixture
def helper_image(docker: str) -> str:
    """The image gitlab-ci-local's docker executor copies files, caches and artifacts with."""
    return in_engine(docker, HELPER_IMAGE)


@pytest.fixture
def company_wheels(tmp_path: Path, wheelhouse: Path, devkit_wheel: Path) -> Path:
    """A wheel folder: the session's wheels, devkit's, and the other platforms' stand-ins."""
    if not any(wheelhouse.glob("numpy-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    wheels = gather(tmp_path / "wheels", [*wheelhouse.glob("*.whl"), devkit_wheel])
    for name, version in OTHER_PLATFORMS:
        build_wheel(wheels, name, version)
    return wheels


@pytest.fixture
def service(tmp_path: Path, company_wheels: Path, devkit_wheel: Path, poetry: Path) -> Iterator[Service]:
    """The example taking devkit's release from the index, locked by Poetry, its pipeline rendered, committed."""
    with serve_index(company_wheels) as index:
        project = copy_example(tmp_path / "checkout")
        take_devkit_from_index(project, devkit_wheel.name.split("-")[1], index.url)
        lock_by_poetry(project, poetry)
        run([*DEVKIT, "ci", "render"], cwd=project)
        yield Service(commit(project), index)


def take_devkit_from_index(project: Path, version: str, url: str) -> None:
    """devkit `version` in the dev group, from the index at `url`, for Python 3.11; no image jobs.

    The image jobs build with Docker-in-Docker (tests/test_image.py runs their commands).
    The lock of the checkout's devkit goes: Poetry locks again from the index.
    """
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text()
    assert FROM_CHECKOUT in text, "the example no longer takes devkit from ../..: update this test"
    text = text.replace(FROM_CHECKOUT, f'devkit-toolchain = "{version}"')
    text = text.replace(FOR_PYTHONS, ONLY_311, 1)
    pyproject.write_text(text + INDEX_SOURCE.format(url=url))
    without_images(project)
    (project / "poetry.lock").unlink()


def pipeline(service: Service, gitlab_ci_local: Path, docker: str, *jobs: str) -> tuple[int, str]:
    """One run of the pipeline (or `jobs`) in containers; pip and uv find the index through runner variables."""
    url = service.index.url
    variables = {"PIP_INDEX_URL": url, "UV_DEFAULT_INDEX": url}
    return in_containers(service.project, gitlab_ci_local, docker, variables, *jobs)


def commit_seeded_findings(project: Path) -> None:
    """The example's next commit: a finding for each check, none in the lock (the caches' key)."""
    seed(project, "ml_service")
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-qm", "seeded findings"], cwd=project)


def test_pipeline_passes_in_containers_then_its_deps_jobs_install_nothing_and_its_checks_report_findings(
    docker: str, helper_image: str, gitlab_ci_local: Path, service: Service
) -> None:
    with service.index.watch() as first_asked:
        code, first = pipeline(service, gitlab_ci_local, docker)

    assert code == 0, first
    for job in JOBS:
        assert f"PASS  {job}" in first, first
        assert re.search(rf"^{re.escape(job)} +starting python:3\.11-slim ", first, re.MULTILINE), first
    for job in JOBS[len(DEPS_JOBS) :]:  # the check jobs found the dev job's .venv in their cache
        assert IN_SYNC in job_lines(first, job), first
    assert {"uv", "devkit-toolchain", "numpy"} <= first_asked  # the deps jobs installed from the index
    wheel = service.project / "dist/ml_service-0.1.0-py3-none-any.whl"  # build:wheel's artifact
    names = zipfile.ZipFile(wheel).namelist()
    assert "ml_service/cli.py" in names
    assert {name.split("/")[0] for name in names} == {"ml_service", "ml_service-0.1.0.dist-info"}  # no job cache
    assert sorted(path.name for path in (service.project / ".devkit/reports").iterdir()) == REPORTS

    commit_seeded_findings(service.project)
    with service.index.watch() as second_asked:
        code, second = pipeline(service, gitlab_ci_local, docker, *DEPS_JOBS, *CHECK_JOBS)

    assert code != 0, second
    for job in DEPS_JOBS:
        assert f"PASS  {job}" in second, second
        assert job_lines(second, job) == [IN_SYNC], second
    for job in CHECK_JOBS:
        assert f"FAIL  {job}" in second, second
        assert IN_SYNC in job_lines(second, job), second  # the cache of the same lock
    assert second_asked == set()  # neither pip nor uv nor devkit asked the index for anything
    assert_reports_name_the_seeded_findings(service.project / ".gitlab-ci-local/artifacts")


def assert_reports_name_the_seeded_findings(artifacts: Path) -> None:
    """The failed check jobs' artifacts (`when: always`): each finding at its path in the project and line."""
    lint, tests = artifacts / "lint/.devkit/reports", artifacts / "tests/.devkit/reports"
    unused = places(codequality(lint / "lint.ruff-check.codequality.json"))
    assert ("ruff-check/F401", "ml_service/messy.py", 3) in unused
    layout = places(codequality(lint / "lint.ruff-format.codequality.json"))
    assert layout == {("ruff-format/unformatted", "ml_service/layout.py", 3)}
    typing = places(codequality(lint / "lint.mypy.codequality.json"))
    assert typing == {("mypy/return-value", "ml_service/messy.py", 8)}
    failing = junit_cases(tests / "tests.pytest.junit.xml")[FAILING]
    assert failing.get("file") == "tests/test_failing.py"
    failure = failing.find("failure")
    assert failure is not None
    assert "tests/test_failing.py:5: AssertionError" in (failure.text or "")
    classes = {item.get("filename") for item in cobertura(tests / "tests.coverage.cobertura.xml").iter("class")}
    assert "ml_service/messy.py" in classes


@pytest.fixture
def staging_image(docker: str, example_project: Path) -> str:
    """The image the example's staging jobs name (make's, which the slim pipeline image lacks)."""
    pyproject = tomllib.loads((example_project / "pyproject.toml").read_text())
    image: str = pyproject["tool"]["devkit"]["staging"]["image"]
    return in_engine(docker, image)


def test_a_merge_request_pipeline_offers_the_staging_jobs_which_deploy_and_stop_in_their_image(
    docker: str, helper_image: str, staging_image: str, gitlab_ci_local: Path, example_project: Path, tmp_path: Path
) -> None:
    """The review environment stands in as a folder the runner mounts into the jobs' containers."""
    without_images(example_project)
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    project = commit(example_project)
    review = tmp_path / "review"
    review.mkdir()
    variables = {**MERGE_REQUEST, "STAGING_MARKER": "/review/review-app"}
    mounted = ("--volume", f"{review}:/review")

    code, offered = in_containers(project, gitlab_ci_local, docker, MERGE_REQUEST, "--list")
    assert code == 0, offered
    code, deployed = in_containers(project, gitlab_ci_local, docker, variables, *mounted, "staging:deploy")
    assert code == 0, deployed
    written = (review / "review-app").read_text() if (review / "review-app").is_file() else None
    code, stopped = in_containers(project, gitlab_ci_local, docker, variables, *mounted, "staging:stop")
    assert code == 0, stopped

    assert listed(offered)["staging:deploy"] == ["staging", "manual", "true", "[]"]
    assert listed(offered)["staging:stop"] == ["staging", "manual", "true", "[]"]
    for job, output in (("staging:deploy", deployed), ("staging:stop", stopped)):
        assert f"PASS  {job}" in output, output
        assert re.search(rf"^{job} +starting {re.escape(staging_image)} ", output, re.MULTILINE), output
    assert written == "no image\n"  # no image jobs here, so no $DEVKIT_STAGING_IMAGE
    assert list(review.iterdir()) == []
