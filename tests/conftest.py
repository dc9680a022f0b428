"""Shared fixtures: an isolated environment, a loopback package index, uv, Poetry and the hook runners.

Every test runs with ``HOME`` and the XDG folders in a fresh temporary folder
and with no index, pip, uv, Poetry, virtualenv or CI settings inherited from
the caller. uv and Poetry caches are shared by the whole session (for speed)
but live in the session's temporary folder, never in the real ``$HOME``.
Packages come only from ``index_url``, a PEP 503 index this session serves on
127.0.0.1 from the ``wheelhouse`` folder.

Session-scoped fixtures are set up before the per-test isolation applies: one
that runs uv, Poetry or git isolates itself with ``isolate`` first.

A test that runs devkit's hooks takes ``hook_runner`` and runs once with each program
that runs them: pre-commit (the test environment's, the version devkit pins) and prek.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.index import RunningIndex, serve_index
from tests.support.proc import run
from tests.support.projects import (
    EXAMPLE_WHEELS_MISSING,
    build_parity_wheels,
    copy_example,
    link_checkout,
    lock_by_poetry,
    lock_with_poetry,
    write_parity_project,
)
from tests.support.service import PYPROJECT as SERVICE_PYPROJECT
from tests.support.wheels import gather

SOURCE = Path(__file__).resolve().parent.parent
# Property-based tests: no example database in the checkout, no deadline (the machine runs
# real installers beside them), and under CI (which sets CI) the same examples on every run,
# so that a CI result can be reproduced; elsewhere each run explores new ones.
settings.register_profile(
    "devkit",
    database=None,
    deadline=None,
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("devkit")
# The image the example's pipeline and Dockerfile name; no image can be pulled here, so
# `bash .ci/run` makes it from Debian's packages.
BASE_IMAGE = "python:3.11-slim"
ENGINE_MISSING = "no Docker engine answers: set DEVKIT_DOCKER to a client whose engine runs (bash .ci/run starts one)"
POETRY_MISSING = "Poetry not found: set DEVKIT_TEST_POETRY or put poetry on PATH (bash .ci/run installs it)"
PREK_MISSING = "prek not found: set DEVKIT_TEST_PREK or put prek on PATH (bash .ci/run installs it)"

# Variables removed from every test's environment: anything that could point
# uv, pip or Poetry at another index, config, cache or environment, plus CI
# (tools change output and defaults under CI) and proxies (the index is on
# loopback; nothing else is reached).
_UNSET = (
    "VIRTUAL_ENV",
    "CONDA_PREFIX",
    "CONDA_DEFAULT_ENV",
    "CI",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)
# Every variable with one of these prefixes is removed too. This covers the
# named ones (UV_INDEX_URL, UV_DEFAULT_INDEX, UV_EXTRA_INDEX_URL, UV_CONFIG_FILE,
# PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_FIND_LINKS, PIP_CONSTRAINT,
# POETRY_VIRTUALENVS_IN_PROJECT, ...) and any other setting of those tools.
_UNSET_PREFIXES = ("UV_", "PIP_", "POETRY_", "VIRTUALENV_", "PRE_COMMIT", "PREK_")


@dataclass(frozen=True)
class HookRunner:
    """A program that runs a project's git hooks from .pre-commit-config.yaml: pre-commit or prek."""

    name: str
    command: tuple[str, ...]

    def __call__(self, *args: str | Path) -> list[str | Path]:
        """The argument list of `NAME ARGS...`, e.g. runner("run", "devkit-lint", "--all-files")."""
        return [*self.command, *args]


@dataclass(frozen=True)
class SessionCaches:
    """Cache folders shared by all tests of one session (outside any ``$HOME``)."""

    uv: Path
    poetry: Path


@pytest.fixture(scope="session")
def session_caches(tmp_path_factory: pytest.TempPathFactory) -> SessionCaches:
    """Return the session's uv and Poetry cache folders."""
    return SessionCaches(
        uv=tmp_path_factory.mktemp("uv-cache"),
        poetry=tmp_path_factory.mktemp("poetry-cache"),
    )


@pytest.fixture(autouse=True)
def isolated_env(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path_factory: pytest.TempPathFactory,
    session_caches: SessionCaches,
) -> Path:
    """Isolate the test from the user's home and tool settings; return the fake ``$HOME``."""
    home = tmp_path_factory.mktemp("home")
    isolate(monkeypatch, home, session_caches)
    return home


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path, caches: SessionCaches) -> None:
    """Point every tool setting at `home` and `caches` and drop inherited tool config."""
    for name in list(os.environ):
        if name in _UNSET or name.startswith(_UNSET_PREFIXES):
            monkeypatch.delenv(name)
    _set_home(monkeypatch, home)
    _set_tool_dirs(monkeypatch, home, caches)
    _set_git_identity(monkeypatch)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")


def _set_home(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    # System-level config: uv reads $XDG_CONFIG_DIRS/uv/uv.toml and pip reads
    # $XDG_CONFIG_DIRS/pip/pip.conf (this machine has /etc/xdg/pip/pip.conf).
    system_config = home / ".xdg-config-dirs"
    system_config.mkdir()
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(system_config))


def _set_tool_dirs(monkeypatch: pytest.MonkeyPatch, home: Path, caches: SessionCaches) -> None:
    # uv: we do NOT set UV_NO_CONFIG, because it would also stop uv from reading
    # a project's own pyproject.toml [tool.uv] / uv.toml, which devkit's uv.lock
    # projects may rely on. UV_CONFIG_FILE is removed above; user-level config
    # is isolated by HOME/XDG_CONFIG_HOME and system-level by XDG_CONFIG_DIRS.
    # Only /etc/uv/uv.toml (uv's last fallback) cannot be redirected.
    monkeypatch.setenv("UV_CACHE_DIR", str(caches.uv))
    # Never let uv fetch interpreters from the network; tests use local ones.
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "never")
    monkeypatch.setenv("POETRY_CACHE_DIR", str(caches.poetry))
    monkeypatch.setenv("POETRY_CONFIG_DIR", str(home / ".poetry-config"))
    monkeypatch.setenv("POETRY_DATA_DIR", str(home / ".poetry-data"))
    # Poetry-made virtualenvs (not in-project) stay with the test, not in the
    # shared cache.
    monkeypatch.setenv("POETRY_VIRTUALENVS_PATH", str(home / ".poetry-virtualenvs"))
    # No keyring probing (D-Bus, files in $HOME): the test index needs no auth.
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    # pip (seeded into venvs) must not read /etc/pip.conf or /etc/xdg/pip.
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    # The hook runners' stores (cloned hook repositories, hook environments), per test.
    monkeypatch.setenv("PRE_COMMIT_HOME", str(home / ".cache" / "pre-commit"))
    monkeypatch.setenv("PREK_HOME", str(home / ".cache" / "prek"))


def _set_git_identity(monkeypatch: pytest.MonkeyPatch) -> None:
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "devkit tests")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "devkit-tests@example.invalid")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the session's wheel folder, pre-filled with every wheel the fixtures need.

    With ``DEVKIT_TEST_WHEELS`` set (``.ci/run`` fills it once), the locked wheels of
    devkit and of the example service are in it too.
    """
    path = tmp_path_factory.mktemp("wheelhouse")
    build_parity_wheels(path)
    extra = os.environ.get("DEVKIT_TEST_WHEELS")
    return gather(path, Path(extra).glob("*.whl") if extra else ())


@pytest.fixture
def example_project(tmp_path: Path, wheelhouse: Path, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of examples/ml-service whose packages come from the session index.

    Its dev group takes devkit from `../..`, so the copy sits in a folder that holds this
    checkout's devkit sources (linked, not copied).
    """
    if not any(wheelhouse.glob("numpy-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    project = copy_example(link_checkout(tmp_path / "devkit-checkout"))
    monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
    return project


@pytest.fixture(scope="session")
def index(wheelhouse: Path) -> Iterator[RunningIndex]:
    """Serve ``wheelhouse`` as a PEP 503 index on loopback for the whole session."""
    with serve_index(wheelhouse) as running:
        yield running


@pytest.fixture(scope="session")
def index_url(index: RunningIndex) -> str:
    """The session index's ``/simple/`` URL."""
    return index.url


@pytest.fixture(scope="session")
def parity_template(
    tmp_path_factory: pytest.TempPathFactory, session_caches: SessionCaches, index_url: str, poetry: Path
) -> Path:
    """The parity project, locked once per session by real Poetry against the session index."""
    root = tmp_path_factory.mktemp("parity-template") / "parity-app"
    write_parity_project(root, index_url)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("lock-home"), session_caches)
        lock_with_poetry(root, poetry)
    return root


@pytest.fixture
def parity_project(parity_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the locked parity project, without a ``.venv``."""
    project = tmp_path / "parity-app"
    shutil.copytree(parity_template, project, ignore=shutil.ignore_patterns(".venv"))
    return project


@pytest.fixture(scope="session")
def devkit_wheel(
    tmp_path_factory: pytest.TempPathFactory, uv: Path, wheelhouse: Path, index_url: str, session_caches: SessionCaches
) -> Path:
    """devkit's wheel, built once per session by uv with hatchling from the session index."""
    if not any(wheelhouse.glob("hatchling-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    out = tmp_path_factory.mktemp("devkit-dist")
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("build-home"), session_caches)
        run([uv, "build", "--wheel", "--default-index", index_url, "--out-dir", out, SOURCE], cwd=out)
    (built,) = out.glob("devkit_toolchain-*.whl")
    return built


@pytest.fixture(scope="session")
def poetry() -> Path:
    """Return the Poetry executable: ``$DEVKIT_TEST_POETRY``, else ``poetry`` on PATH."""
    configured = os.environ.get("DEVKIT_TEST_POETRY")
    found = configured or shutil.which("poetry")
    if not found or not Path(found).is_file():
        pytest.fail(POETRY_MISSING)
    return Path(found)


@pytest.fixture(scope="session", params=["pre-commit", "prek"])
def hook_runner(request: pytest.FixtureRequest) -> HookRunner:
    """pre-commit (the test environment's, `python -m pre_commit`), then prek: ``$DEVKIT_TEST_PREK``, else on PATH."""
    if request.param == "pre-commit":
        return HookRunner("pre-commit", (sys.executable, "-m", "pre_commit"))
    found = os.environ.get("DEVKIT_TEST_PREK") or shutil.which("prek")
    if not found or not Path(found).is_file():
        pytest.fail(PREK_MISSING)
    return HookRunner("prek", (found,))


@pytest.fixture(scope="session")
def gitlab_ci_local() -> Path:
    """gitlab-ci-local: `$DEVKIT_TEST_GITLAB_CI_LOCAL`, else on PATH."""
    found = os.environ.get("DEVKIT_TEST_GITLAB_CI_LOCAL") or shutil.which("gitlab-ci-local")
    if not found or not Path(found).is_file():
        pytest.fail("gitlab-ci-local not found: set DEVKIT_TEST_GITLAB_CI_LOCAL (bash .ci/run installs it)")
    return Path(found)


@pytest.fixture(scope="session")
def docker() -> str:
    """The docker client (`$DEVKIT_DOCKER`, else on PATH), once its engine answers and holds the base image."""
    client = shutil.which(os.environ.get("DEVKIT_DOCKER") or "docker")
    if client is None or subprocess.run([client, "info"], capture_output=True, check=False).returncode != 0:
        pytest.fail(ENGINE_MISSING)
    if subprocess.run([client, "image", "inspect", BASE_IMAGE], capture_output=True, check=False).returncode != 0:
        pytest.fail(f"the engine has no {BASE_IMAGE}: bash .ci/run makes it from Debian's packages")
    return client


@pytest.fixture(scope="session")
def uv() -> Path:
    """Return the uv executable: next to ``sys.executable`` (the test venv's), else on PATH."""
    beside = Path(sys.executable).parent / "uv"
    found = str(beside) if beside.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv not found: install uv into the test environment or put it on PATH")
    return Path(found)


@pytest.fixture(scope="session")
def second_python() -> str:
    """`python3.12` on PATH, for the tests of a project that moves to another Python."""
    result = subprocess.run(["python3.12", "-c", "pass"], capture_output=True, check=False)
    if result.returncode != 0:
        pytest.fail("python3.12 does not run from PATH: these tests need it (bash .ci/run makes it available)")
    return "python3.12"


@pytest.fixture(scope="session")
def locked_service(tmp_path_factory: pytest.TempPathFactory, session_caches: SessionCaches, poetry: Path) -> Path:
    """A dependency-free service project, locked once per session by real Poetry."""
    root = tmp_path_factory.mktemp("service-template") / "service"
    root.mkdir()
    (root / "pyproject.toml").write_text(SERVICE_PYPROJECT)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("lock-home"), session_caches)
        lock_by_poetry(root, poetry)
    return root


@pytest.fixture
def unsynced_service(locked_service: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the locked service (pyproject.toml and poetry.lock only), as the current folder."""
    root = tmp_path / "service"
    shutil.copytree(locked_service, root)
    monkeypatch.chdir(root)
    return root
