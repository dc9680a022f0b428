"""`devkit sync` on a uv project: `uv sync --locked` with devkit's options, stamp and checks."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path

import pytest

from devkit.env.locks import uv_lock
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.render import gitlab_ci
from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING, INHOUSE_BACKEND_SOURCE, write_inhouse_package

DEVKIT = [sys.executable, "-m", "devkit"]
PYPROJECT = """\
[project]
name = "uv-app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["alpha<2"]

[project.optional-dependencies]
serve = ["iota"]

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


def lock_by_uv(root: Path, uv: Path) -> None:
    home = root.parent / "home"  # module fixtures run before the per-test isolation
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "XDG_CONFIG_DIRS": str(home), "UV_CACHE_DIR": str(home)}
    run([uv, "lock"], cwd=root, env=env)


@pytest.fixture(scope="module")
def uv_template(tmp_path_factory: pytest.TempPathFactory, index_url: str, uv: Path) -> Path:
    root = tmp_path_factory.mktemp("uv-template") / "uv-app"
    (root / "_backend").mkdir(parents=True)
    (root / "_backend/inhouse_backend.py").write_text(INHOUSE_BACKEND_SOURCE)
    (root / "uv_app").mkdir()
    (root / "uv_app/__init__.py").write_text('"""A uv-managed test application."""\n')
    (root / "pyproject.toml").write_text(PYPROJECT.format(index_url=index_url))
    lock_by_uv(root, uv)
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
        (("-E", "serve"), {"uv-app", "alpha", "epsilon", "zeta", "iota", "kappa"}),
        (("--all-extras", "--only", "main"), {"uv-app", "alpha", "iota", "kappa"}),
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


# --- uv.lock read by devkit ---------------------------------------------------------


def test_uv_lock_reader_gives_the_packages_uv_locked(uv_template: Path, index_url: str) -> None:
    lock = uv_lock.read(uv_template / "uv.lock")

    found = {(package.name, package.version, package.source.kind, package.folder) for package in lock.packages}
    assert found == {
        ("alpha", "1.0", "registry", None),
        ("epsilon", "1.0", "registry", None),
        ("eta", "1.0", "registry", None),
        ("zeta", "1.0", "registry", None),
        ("zeta", "2.0", "registry", None),  # locked for a Python of the future
        ("iota", "1.0", "registry", None),  # the extra serve
        ("kappa", "1.0", "registry", None),
        ("uv-app", "0.1.0", "editable", "."),
    }
    assert {package.source.location for package in lock.packages if package.source.kind == "registry"} == {index_url}


def edit_lock(project: Path, old: str, new: str) -> None:
    lock = project / "uv.lock"
    text = lock.read_text()
    assert old in text, old
    lock.write_text(text.replace(old, new, 1))


def position(project: Path, name: str) -> int:
    names = [package["name"] for package in tomllib.loads((project / "uv.lock").read_text())["package"]]
    return 1 + names.index(name)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('version = "1.0"', "version = 1.0", "version must be a version, got 1.0"),
        ('version = "1.0"', 'version = "1.0 ; extra"', "version must be a version, got '1.0 ; extra'"),
        (
            'version = "1.0"\nsource = { registry',
            'version = "1.0"\nsource = { index',
            "source must name one of registry, git, url, path",
        ),
        (
            'version = "1.0"\nsource = { registry = ',
            'version = "1.0"\nsource = { registry = 1, x = ',
            "source.registry must be a string on one line",
        ),
    ],
)
def test_wrong_uv_lock_field_is_one_line_naming_the_package_and_venv_is_untouched(
    uv_project: Path, old: str, new: str, message: str
) -> None:
    run([*DEVKIT, "sync"], cwd=uv_project)
    stamp = (uv_project / ".venv/devkit-stamp.json").read_bytes()
    edit_lock(uv_project, 'name = "alpha"\n' + old, 'name = "alpha"\n' + new)

    result = run([*DEVKIT, "sync"], cwd=uv_project, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"uv.lock: [[package]] {position(uv_project, 'alpha')} (alpha): {message}" in result.stderr
    assert "run `uv lock` to rewrite the lock" in result.stderr
    assert (uv_project / ".venv/devkit-stamp.json").read_bytes() == stamp


def test_malformed_uv_lock_names_file_line_and_column(uv_project: Path) -> None:
    edit_lock(uv_project, 'name = "alpha"', 'name = "alpha')

    result = run([*DEVKIT, "sync"], cwd=uv_project, check=False)

    assert result.returncode == 1
    assert re.fullmatch(r"devkit: error: .*uv\.lock:\d+:\d+: invalid TOML: .*\n", result.stderr), result.stderr
    assert not (uv_project / ".venv").exists()


def test_uv_default_groups_of_the_wrong_type_is_refused(uv_project: Path) -> None:
    pyproject = uv_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.uv]\ndefault-groups = "docs"\n')

    result = run([*DEVKIT, "sync"], cwd=uv_project, check=False)

    assert result.returncode == 1
    assert (
        "pyproject.toml: tool.uv.default-groups must be a list of group names or \"all\", got 'docs'" in result.stderr
    )
    assert not (uv_project / ".venv").exists()


# --- the CI bootstrap pins from uv.lock ---------------------------------------------

TOOLS_PYPROJECT = """\
[project]
name = "tools-app"
version = "0.1.0"
requires-python = ">=3.11"

[dependency-groups]
dev = ["devkit-toolchain", "uv"]

[tool.uv.sources]
devkit-toolchain = {{ path = "vendor/devkit", editable = true }}

[[tool.uv.index]]
name = "testindex"
url = "{index_url}"
default = true
"""


@pytest.fixture(scope="module")
def tools_template(tmp_path_factory: pytest.TempPathFactory, index_url: str, uv: Path, wheelhouse: Path) -> Path:
    """A uv project whose dev group locks devkit from a folder and uv from the index."""
    if not any(wheelhouse.glob("uv-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    root = tmp_path_factory.mktemp("tools") / "tools-app"
    write_inhouse_package(root / "vendor/devkit", "devkit-toolchain", "9.1.0")
    (root / "pyproject.toml").write_text(TOOLS_PYPROJECT.format(index_url=index_url))
    lock_by_uv(root, uv)
    return root


def test_ci_bootstrap_pins_devkit_and_uv_from_uv_lock(tools_template: Path, wheelhouse: Path) -> None:
    uv_version = next(wheelhouse.glob("uv-*.whl")).name.split("-")[1]

    tools = gitlab_ci.bootstrap(Project(tools_template, "uv.lock"))

    assert tools == gitlab_ci.Bootstrap(devkit_from="vendor/devkit", uv=f"uv=={uv_version}")


def test_ci_bootstrap_refuses_a_uv_lock_with_a_wrong_uv_version(tools_template: Path, tmp_path: Path) -> None:
    project = tmp_path / "tools-app"
    shutil.copytree(tools_template, project)
    lock = project / "uv.lock"
    lock.write_text(re.sub(r'(name = "uv"\nversion = )"([^"]*)"', r'\1["\2"]', lock.read_text()))

    with pytest.raises(DevkitError, match=r"uv\.lock: \[\[package\]\] \d+ \(uv\): version must be a version, got \['"):
        gitlab_ci.bootstrap(Project(project, "uv.lock"))
