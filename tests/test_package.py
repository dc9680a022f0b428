"""The wheel: the `devkit` command, `python -m devkit` and the shipped files inside it."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

import pytest

from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING

SOURCE = Path(__file__).resolve().parent.parent
SHIPPED = (
    "devkit/_shipped/lint.toml",
    "devkit/_shipped/make/devkit.mk",
    "devkit/_shipped/make/help.awk",
    "devkit/_shipped/make/bootstrap.mk",
    "devkit/_shipped/hooks/devkit-hook",
    "devkit/_shipped/hooks/pre-commit-config.yaml",
    "devkit/_shipped/hooks/pre-commit-config.local.yaml",
)


def test_wheel_ships_the_shared_files(devkit_wheel: Path) -> None:
    names = zipfile.ZipFile(devkit_wheel).namelist()

    for name in SHIPPED:
        assert name in names
    assert not [name for name in names if name.startswith(("make/", "tests/", "examples/"))]


def test_installed_wheel_finds_its_files_and_runs(devkit_wheel: Path, tmp_path: Path, uv: Path) -> None:
    venv = tmp_path / "venv"
    run([uv, "venv", "--python", sys.executable, venv], cwd=tmp_path)
    run([uv, "pip", "install", "--python", venv / "bin/python", "--no-deps", devkit_wheel], cwd=tmp_path)

    found = run(
        [venv / "bin/python", "-c", "from devkit import resources; print(resources.shipped('lint.toml'))"], cwd=tmp_path
    )
    assert Path(found.stdout.strip()).read_bytes() == (SOURCE / "lint.toml").read_bytes()
    assert "site-packages" in found.stdout
    assert "usage: devkit" in run([venv / "bin/devkit", "--help"], cwd=tmp_path).stdout
    assert "devkit 0.1.0" in run([venv / "bin/python", "-m", "devkit", "--version"], cwd=tmp_path).stdout


def test_pip_installs_devkit_from_a_git_url(tmp_path: Path, uv: Path, wheelhouse: Path, index_url: str) -> None:
    if not any(wheelhouse.glob("hatchling-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    repo = tmp_path / "devkit.git"
    listed = run(["git", "ls-files", "-z"], cwd=SOURCE).stdout
    for name in filter(None, listed.split("\0")):
        if (SOURCE / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes((SOURCE / name).read_bytes())
    for command in (["init", "-q"], ["add", "."], ["commit", "-qm", "devkit"]):
        run(["git", *command], cwd=repo)
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)

    run(
        [
            venv / "bin/python",
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--index-url",
            index_url,
            f"git+{repo.as_uri()}",
        ],
        cwd=tmp_path,
    )

    assert "usage: devkit" in run([venv / "bin/devkit", "--help"], cwd=tmp_path).stdout
    shipped = run(
        [venv / "bin/python", "-c", "from devkit import resources; print(resources.shipped('make/devkit.mk'))"],
        cwd=tmp_path,
    )
    assert Path(shipped.stdout.strip()).is_file()
