"""`devkit upgrade` across two released devkits: the lock moves, the managed files follow.

The project takes devkit from an index, as a service does: first this checkout's wheel,
then a next release whose pipeline renders one more header line. After the bump and
the sync, `devkit check` names the stale pipeline, `devkit upgrade` re-renders it and
says so, and `devkit check` is silent again.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.index import serve_index
from tests.support.proc import run
from tests.support.projects import SOURCE, commit_all

NEXT_LINE = "# devkit 0.99: this line is what the next release renders differently.\n"
VERSION = "import importlib.metadata as m; print(m.version('devkit-toolchain'))"
PYPROJECT = """\
[project]
name = "upgraded-service"
version = "0.1.0"
requires-python = ">=3.11"

[dependency-groups]
dev = ["devkit-toolchain=={version}"]

[tool.uv]
package = false
environments = ["sys_platform == 'linux' and python_version == '3.11'"]  # the test index's wheels

[tool.devkit]
python = "3.11"
"""


@pytest.fixture
def next_devkit_wheel(tmp_path: Path, uv: Path, index_url: str) -> Path:
    """devkit 0.99.0: this checkout's sources with the pipeline header one line longer."""
    source = tmp_path / "devkit-next"
    for name in ("devkit", "make", "hooks"):
        shutil.copytree(SOURCE / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("lint.toml", "README.md"):
        shutil.copy(SOURCE / name, source / name)
    pyproject = (SOURCE / "pyproject.toml").read_text()
    (source / "pyproject.toml").write_text(pyproject.replace('version = "0.1.0"', 'version = "0.99.0"', 1))
    rendering = source / "devkit/render/gitlab_ci.py"
    text = rendering.read_text()
    rendering.write_text(text.replace("HEADER = (\n", f"HEADER = (\n    {NEXT_LINE!r}\n", 1))
    out = tmp_path / "next-dist"
    run([uv, "build", "--wheel", "--default-index", index_url, "--out-dir", out, source], cwd=tmp_path)
    (built,) = out.glob("devkit_toolchain-0.99.0-*.whl")
    return built


@pytest.fixture
def two_releases(tmp_path: Path, wheelhouse: Path, devkit_wheel: Path, next_devkit_wheel: Path) -> Iterator[str]:
    """An index holding the session's wheels and both devkit releases."""
    if not any(wheelhouse.glob("ruff-*.whl")):
        pytest.fail("devkit's locked wheels are not in the test index: run bash .ci/run")
    folder = tmp_path / "releases"
    shutil.copytree(wheelhouse, folder, copy_function=os.link)
    for wheel in (devkit_wheel, next_devkit_wheel):
        shutil.copy(wheel, folder / wheel.name)
    with serve_index(folder) as index:
        yield index.url


def synced_service(tmp_path: Path, uv: Path, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A uv project on devkit 0.1.0 from `index_url`, locked, its .venv synced by uv."""
    monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
    project = tmp_path / "service"
    project.mkdir()
    (project / "pyproject.toml").write_text(PYPROJECT.format(version="0.1.0"))
    run([uv, "lock"], cwd=project)
    run([uv, "sync", "--locked"], cwd=project)
    return project


def test_upgrade_follows_a_devkit_bump_in_the_lock(
    tmp_path: Path, two_releases: str, uv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = synced_service(tmp_path, uv, two_releases, monkeypatch)
    run(["git", "init", "--quiet"], cwd=project)
    devkit = project / ".venv/bin/devkit"
    run([devkit, "ci", "render"], cwd=project)
    commit_all(project, "devkit 0.1.0")
    pipeline = (project / ".gitlab-ci.yml").read_text()

    (project / "pyproject.toml").write_text(PYPROJECT.format(version="0.99.0"))
    run([uv, "lock"], cwd=project)
    run([devkit, "sync"], cwd=project)
    stale = run([devkit, "check"], cwd=project, check=False)
    upgraded = run([devkit, "upgrade"], cwd=project)
    current = run([devkit, "check"], cwd=project, check=False)

    installed = run([project / ".venv/bin/python", "-c", VERSION], cwd=project).stdout
    assert installed == "0.99.0\n"
    assert stale.returncode == 1
    assert f"+{NEXT_LINE}" in stale.stdout + stale.stderr
    assert "updated .gitlab-ci.yml (+2 -1 lines)\n" in upgraded.stdout  # the header, and the bootstrap pin
    assert (project / ".gitlab-ci.yml").read_text() == NEXT_LINE + pipeline.replace("==0.1.0", "==0.99.0")
    assert current.returncode == 0, current.stdout + current.stderr


def test_a_devkit_installed_in_venv_rebuilds_its_own_venv_for_another_python(
    tmp_path: Path, two_releases: str, uv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = synced_service(tmp_path, uv, two_releases, monkeypatch)
    # .venv now says it runs another Python than [tool.devkit] python: devkit must rebuild it,
    # while the devkit and the uv doing so are the ones installed in it
    config = project / ".venv/pyvenv.cfg"
    config.write_text(config.read_text().replace("version_info = 3.11", "version_info = 3.12"))

    result = run([project / ".venv/bin/devkit", "sync"], cwd=project, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "synced .venv: dev, main with uv" in result.stderr
    assert "version_info = 3.11." in config.read_text()
    assert run([project / ".venv/bin/devkit", "sync"], cwd=project).stderr == "devkit: .venv is in sync with uv.lock\n"
