"""Faults a user runs into around `devkit sync`: one line that says what to do, nothing lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.proc import run

DEVKIT = [sys.executable, "-m", "devkit"]
KNOWN_GROUPS = "the groups are: dev, docs, main"


def devkit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *args], cwd=project, check=False)


def tree(folder: Path) -> dict[str, float]:
    """Every file under `folder` with its modification time: to prove nothing changed."""
    return {str(path.relative_to(folder)): path.lstat().st_mtime for path in folder.rglob("*")}


@pytest.mark.parametrize(
    "options",
    [
        ("--check", "--with", "nosuch"),
        ("--check", "--only", "nosuch"),
        ("--check", "--without", "nosuch", "--quiet"),
        ("--with", "nosuch"),
    ],
)
def test_unknown_group_is_a_usage_error_before_anything_is_built(
    parity_project: Path, options: tuple[str, ...]
) -> None:
    result = devkit(parity_project, "sync", *options)

    assert result.returncode == 2
    assert result.stderr == f"devkit: error: no dependency group 'nosuch' in pyproject.toml; {KNOWN_GROUPS}\n"
    assert not (parity_project / ".venv").exists()


def test_check_with_an_unknown_group_is_a_usage_error_not_out_of_date(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    before = tree(parity_project / ".venv")

    result = devkit(parity_project, "sync", "--check", "--with", "docs,nosuch")

    assert result.returncode == 2
    assert "no dependency group 'nosuch'" in result.stderr
    assert "out of date" not in result.stderr
    assert tree(parity_project / ".venv") == before
    assert devkit(parity_project, "sync", "--check", "--with", "docs").returncode == 1  # a known group: stale


def test_venv_that_is_a_file_is_left_alone(parity_project: Path) -> None:
    venv = parity_project / ".venv"
    venv.write_text("notes that happen to be called .venv\n")

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert result.stderr == (
        f"devkit: error: {venv} is a file, not a virtual environment: move it away, then run `devkit sync` again\n"
    )
    assert venv.read_text() == "notes that happen to be called .venv\n"


@pytest.mark.parametrize("kind", ["file", "broken-link"])
@pytest.mark.parametrize("command", [["sync"], ["run", "lint"]])
def test_devkit_folder_that_is_a_file_is_named_and_kept(parity_project: Path, kind: str, command: list[str]) -> None:
    state = parity_project / ".devkit"
    if kind == "file":
        state.write_text("notes\n")
    else:
        state.symlink_to(parity_project / "gone")

    result = devkit(parity_project, *command)

    assert result.returncode == 1
    assert result.stderr == (
        f"devkit: error: cannot create the folder {state}: a file or a broken link is in its place: "
        "move it away and run again\n"
    )
    assert state.is_symlink() if kind == "broken-link" else state.read_text() == "notes\n"
    assert not (parity_project / ".venv").exists()


def test_a_pyvenv_cfg_with_bytes_that_are_not_utf8_is_read_for_its_version(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    with (parity_project / ".venv/pyvenv.cfg").open("ab") as config:
        config.write(b"prompt = caf\xe9\n")  # another tool's setting, in Latin-1
    (parity_project / ".venv/devkit-stamp.json").unlink()
    python_before = (parity_project / ".venv/bin/python").lstat().st_mtime

    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    assert (parity_project / ".venv/bin/python").lstat().st_mtime == python_before  # not rebuilt
    assert devkit(parity_project, "sync", "--check").returncode == 0


def test_folder_that_is_not_a_venv_is_not_deleted(parity_project: Path) -> None:
    venv = parity_project / ".venv"
    (venv / "data").mkdir(parents=True)
    (venv / "data/results.csv").write_text("id,score\n1,0.5\n")
    before = tree(venv)

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert f"{venv} is not a virtual environment (no pyvenv.cfg) and not empty: move it away" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert tree(venv) == before


def test_empty_venv_folder_is_built_into(parity_project: Path) -> None:
    (parity_project / ".venv").mkdir()

    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    assert (parity_project / ".venv/pyvenv.cfg").is_file()
