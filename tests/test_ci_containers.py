"""The rendered pipeline in containers: gitlab-ci-local's docker executor runs the dependency,
check and build jobs in the image the pipeline names, with the pipeline's caches; run again,
the dependency jobs find `.venv` in their cache and install nothing.

The service here is the example as a team has it: devkit comes from the package index (the
session's loopback index, which holds devkit's wheel), not from `../..`, a folder no
container has. Poetry locks it against that index; the containers reach the index through
the host's network, told by runner variables, as a company runner is told of its mirror.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.gitlab_ci_local import HELPER_IMAGE, commit, in_containers, job_lines
from tests.support.index import RunningIndex, serve_index
from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING, copy_example, lock_by_poetry
from tests.support.wheels import build_wheel

DEVKIT = [sys.executable, "-m", "devkit"]
DEPS_JOBS = ("build:deps:main", "build:deps:dev")
JOBS = (*DEPS_JOBS, "lint", "tests", "build:wheel")
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


@dataclass(frozen=True)
class Service:
    """The committed service and the running index its lock names."""

    project: Path
    index: RunningIndex


@pytest.fixture
def helper_image(docker: str) -> str:
    """The image gitlab-ci-local's docker executor copies files, caches and artifacts with."""
    found = subprocess.run([docker, "image", "inspect", HELPER_IMAGE], capture_output=True, check=False)
    if found.returncode != 0:
        pytest.fail(f"the engine has no {HELPER_IMAGE}: bash .ci/run makes it from the base image and Debian's rsync")
    return HELPER_IMAGE


@pytest.fixture
def company_wheels(tmp_path: Path, wheelhouse: Path, devkit_wheel: Path) -> Path:
    """A wheel folder: the session's wheels, devkit's, and the other platforms' stand-ins."""
    if not any(wheelhouse.glob("numpy-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    for wheel in [*wheelhouse.glob("*.whl"), devkit_wheel]:
        os.link(wheel, wheels / wheel.name) if wheel.stat().st_dev == wheels.stat().st_dev else shutil.copy(
            wheel, wheels
        )
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
    text = re.sub(r"\n\[tool\.devkit\.image\][^\n]*\n", "\n", text)
    text = text.replace(FOR_PYTHONS, ONLY_311, 1)
    pyproject.write_text(text + INDEX_SOURCE.format(url=url))
    (project / "poetry.lock").unlink()


def pipeline(service: Service, gitlab_ci_local: Path, docker: str, *jobs: str) -> tuple[int, str]:
    """One run of the pipeline (or `jobs`) in containers; pip and uv find the index through runner variables."""
    url = service.index.url
    variables = {"PIP_INDEX_URL": url, "UV_DEFAULT_INDEX": url}
    return in_containers(service.project, gitlab_ci_local, docker, variables, *jobs)


def test_pipeline_passes_in_containers_then_its_deps_jobs_install_nothing(
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

    with service.index.watch() as second_asked:
        code, second = pipeline(service, gitlab_ci_local, docker, *DEPS_JOBS)

    assert code == 0, second
    for job in DEPS_JOBS:
        assert f"PASS  {job}" in second, second
        assert job_lines(second, job) == [IN_SYNC], second
    assert second_asked == set()  # neither pip nor uv nor devkit asked the index for anything
