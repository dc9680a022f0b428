"""`devkit sync` on a uv project: `uv sync --locked` with devkit's options, stamp and checks."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.support.proc import run
from tests.support.projects import INHOUSE_BACKEND_SOURCE

DEVKIT = [sys.executable, "-m", "devkit"]
PYPROJECT = """\
[project]
name = "uv-app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["alpha<2"]

[dependency-groups]
dev = ["epsilon"]
docs = ["eta"]

[[tool.uv.index]]
name = "testindex"
url = "{index_url}"
default = true

[build-system]
requires = []
build-backend = "inhouse_backend"
backend-path = ["_backend"]
"""


@pytest.fixture(scope="module")
def uv_template(tmp_path_factory: pytest.TempPathFactory, index_url: str, uv: Path) -> Path:
    root = tmp_path_factory.mktemp("uv-template") / "uv-app"
    (root / "_backend").mkdir(parents=True)
    (root / "_backend/inhouse_backend.py").write_text(INHOUSE_BACKEND_SOURCE)
    (root / "uv_app").mkdir()
    (root / "uv_app/__init__.py").write_text('"""A uv-managed test application."""\n')
    (root / "pyproject.toml").write_text(PYPROJECT.format(index_url=index_url))
    home = root.parent / "home"  # module fixtures run before the per-test isolation
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_CONFIG_DIRS": str(home), "UV_CACHE_DIR": str(home)}
    run([uv, "lock"], cwd=root, env=env)
    return root


@pytest.fixture
def uv_project(uv_template: Path, tmp_path: Path) -> Path:
    project = tmp_path / "uv-app"
    shutil.copytree(uv_template, project)
    return project


def installed(project: Path, uv: Path) -> set[str]:
    listing = run([uv, "pip", "list", "--python", project / ".venv/bin/python", "--format", "json"], cwd=project)
    return {entry["name"] for entry in json.loads(listing.stdout)}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ((), {"uv-app", "alpha", "epsilon", "zeta"}),
        (("--only", "main"), {"uv-app", "alpha"}),
        (("--with", "docs"), {"uv-app", "alpha", "epsilon", "zeta", "eta"}),
        (("--no-root",), {"alpha", "epsilon", "zeta"}),
    ],
)
def test_sync_of_a_uv_project_installs_the_requested_groups(
    uv_project: Path, uv: Path, options: tuple[str, ...], expected: set[str]
) -> None:
    result = run([*DEVKIT, "sync", *options], cwd=uv_project)

    assert "synced .venv" in result.stderr
    assert installed(uv_project, uv) == expected
    assert run([*DEVKIT, "sync", *options], cwd=uv_project).stderr.strip() == "devkit: .venv is in sync with uv.lock"


def test_sync_of_a_uv_project_matches_uv_sync(uv_project: Path, tmp_path: Path, uv: Path) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(uv_project, reference)
    run([uv, "sync", "--locked"], cwd=reference)

    run([*DEVKIT, "sync"], cwd=uv_project)

    assert installed(uv_project, uv) == installed(reference, uv)


def test_stale_uv_lock_is_refused_and_venv_left_alone(uv_project: Path) -> None:
    run([*DEVKIT, "sync"], cwd=uv_project)
    stamp = (uv_project / ".venv/devkit-stamp.json").read_bytes()
    pyproject = uv_project / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('dependencies = ["alpha<2"]', 'dependencies = ["alpha<2", "delta"]')
    )

    result = run([*DEVKIT, "sync"], cwd=uv_project, check=False)

    assert result.returncode == 1
    assert "uv.lock is stale" in result.stderr
    assert "run `uv lock`" in result.stderr
    assert (uv_project / ".venv/devkit-stamp.json").read_bytes() == stamp


def test_installer_poetry_is_refused_for_a_uv_lock(uv_project: Path) -> None:
    result = run([*DEVKIT, "sync", "--installer", "poetry"], cwd=uv_project, check=False)

    assert result.returncode == 1
    assert "--installer poetry needs a poetry.lock" in result.stderr
    assert not (uv_project / ".venv").exists()


def test_unknown_group_lists_the_known_ones(uv_project: Path) -> None:
    result = run([*DEVKIT, "sync", "--with", "notebooks"], cwd=uv_project, check=False)

    assert result.returncode == 2  # bad usage
    assert "no dependency group 'notebooks'" in result.stderr
    assert "dev, docs, main" in result.stderr
