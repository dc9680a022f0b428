"""Which Python `.venv` is built on: the setting, `.python-version`, else the newest one both admit."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.env import interpreter
from devkit.errors import DevkitError
from tests.support.proc import run

DEVKIT = [sys.executable, "-m", "devkit"]


def interpreters(folder: Path, *names: str) -> Path:
    """A folder holding only links to the real interpreters `names` (e.g. python3.11)."""
    folder.mkdir()
    for name in names:
        found = run([name, "-c", "import sys; print(getattr(sys, '_base_executable', sys.executable))"], cwd=folder)
        (folder / name).symlink_to(found.stdout.strip())
    return folder


def full_version(name: str, cwd: Path) -> str:
    return run([name, "-c", "import platform; print(platform.python_version())"], cwd=cwd).stdout.strip()


def venv_python(project: Path) -> str:
    """The Python version `.venv` was built with, as the stamp records it."""
    stamp = json.loads((project / ".venv/devkit-stamp.json").read_text())
    return str(stamp["python"])


def devkit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *args], cwd=project, check=False)


@pytest.mark.parametrize(
    ("pyproject", "chosen"),
    [
        ({"project": {"requires-python": ">=3.11"}}, "3.12"),
        ({"project": {"requires-python": ">=3.10"}}, "3.12"),
        ({"project": {"requires-python": ">=3.8,<3.12"}}, "3.11"),
        ({"project": {"requires-python": "==3.11.*"}}, "3.11"),
        ({"project": {}}, "3.12"),
        ({"tool": {"poetry": {"dependencies": {"python": "^3.10"}}}}, "3.12"),
        ({"tool": {"poetry": {"dependencies": {"python": "~3.11"}}}}, "3.11"),
        ({"tool": {"poetry": {"dependencies": {"python": ">=3.9 <3.12"}}}}, "3.11"),
        ({"tool": {"poetry": {"dependencies": {"python": "3.11.*"}}}}, "3.11"),
        ({"tool": {"poetry": {"dependencies": {"python": "~3.9 || >=3.11,<3.12"}}}}, "3.11"),
    ],
)
def test_without_a_setting_the_newest_python_on_path_that_both_admit_is_chosen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_python: str, pyproject: dict[str, object], chosen: str
) -> None:
    monkeypatch.setenv("PATH", str(interpreters(tmp_path / "bin", "python3.11", second_python)))

    version, origin = interpreter.choose(pyproject, tmp_path)

    assert version == chosen
    assert origin.startswith("the newest Python on PATH that ")


def test_the_ci_image_takes_the_lowest_python_both_admit(tmp_path: Path) -> None:
    assert interpreter.for_image({"project": {"requires-python": ">=3.9"}}, tmp_path) == "3.11"
    assert interpreter.for_image({"project": {"requires-python": ">=3.12"}}, tmp_path) == "3.12"
    (tmp_path / ".python-version").write_text("3.13\n")
    assert interpreter.for_image({"project": {"requires-python": ">=3.9"}}, tmp_path) == "3.13"


def test_no_python_that_both_admit_is_an_error_naming_the_setting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, second_python: str
) -> None:
    monkeypatch.setenv("PATH", str(interpreters(tmp_path / "bin", "python3.11", second_python)))

    with pytest.raises(DevkitError) as raised:
        interpreter.choose({"project": {"requires-python": ">=3.10,<3.11"}}, tmp_path)

    newer, older = full_version(second_python, tmp_path), full_version("python3.11", tmp_path)
    assert str(raised.value) == (
        "no Python on PATH that requires-python '>=3.10,<3.11' and devkit (>=3.11) admit "
        f"(found: {second_python} {newer}, python3.11 {older}): install one, or "
        'add [tool.devkit] python = "3.11" (the version to use) to pyproject.toml'
    )


def test_sync_builds_on_the_newest_python_both_admit(parity_project: Path, second_python: str) -> None:
    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    assert venv_python(parity_project).startswith("3.12.")
    assert "version_info = 3.12" in (parity_project / ".venv/pyvenv.cfg").read_text()


def test_sync_takes_the_python_version_file(parity_project: Path, second_python: str) -> None:
    (parity_project / ".python-version").write_text("3.11\n# pyenv reads only the first line\n")

    assert devkit(parity_project, "sync").returncode == 0

    assert venv_python(parity_project).startswith("3.11.")


def test_the_setting_wins_over_the_python_version_file(parity_project: Path, second_python: str) -> None:
    (parity_project / ".python-version").write_text("3.11\n")
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.devkit]\npython = "3.12"\n')

    assert devkit(parity_project, "sync").returncode == 0

    assert venv_python(parity_project).startswith("3.12.")


@pytest.mark.parametrize("content", ["system\n", "", "3\n", "pypy3.10\n"])
def test_a_python_version_file_that_names_no_version_is_an_error(parity_project: Path, content: str) -> None:
    (parity_project / ".python-version").write_text(content)

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: {parity_project / '.python-version'}: the first line {content.strip()!r} is not a Python "
        "version like 3.11 or 3.11.7: fix it, or delete it and set [tool.devkit] python in pyproject.toml"
    ]
    assert not (parity_project / ".venv").exists()


@pytest.mark.parametrize(
    ("pyproject", "version", "origin"),
    [
        (
            {"project": {"requires-python": ">=3.11"}, "tool": {"devkit": {"python": "2.7"}}},
            "2.7",
            "[tool.devkit] python",
        ),
        (
            {"project": {"requires-python": ">=3.12"}, "tool": {"devkit": {"python": "3.11"}}},
            "3.11",
            "[tool.devkit] python",
        ),
        (
            {"project": {"requires-python": ">=3.9"}, "tool": {"devkit": {"python": "3.10.4"}}},
            "3.10.4",
            "[tool.devkit] python",
        ),
    ],
)
def test_a_named_python_the_requirements_refuse_is_an_error_for_the_sync_and_the_image(
    tmp_path: Path, pyproject: dict[str, object], version: str, origin: str
) -> None:
    requires = pyproject["project"]["requires-python"]  # type: ignore[index]
    message = f"Python {version} ({origin}) is not one that requires-python {requires!r} and devkit (>=3.11) admit: change {origin}"

    for choice in (interpreter.choose, interpreter.for_image):
        with pytest.raises(DevkitError) as raised:
            choice(pyproject, tmp_path)
        assert str(raised.value) == message


def test_a_python_version_file_the_requirements_refuse_is_an_error(parity_project: Path) -> None:
    (parity_project / ".python-version").write_text("3.10\n")

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "devkit: error: Python 3.10 (.python-version) is not one that requires-python '>=3.11' and devkit (>=3.11) "
        "admit: change .python-version"
    ]
    assert not (parity_project / ".venv").exists()


def test_a_missing_python_version_names_the_file_it_came_from(parity_project: Path) -> None:
    (parity_project / ".python-version").write_text("3.29.1\n")

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert "Python 3.29.1 (.python-version) is not installed or not on PATH" in result.stderr
    assert not (parity_project / ".venv").exists()


def test_the_choice_needs_no_dependency_as_the_hooks_first_sync_runs(
    parity_project: Path, tmp_path: Path, second_python: str
) -> None:
    source = Path(__file__).resolve().parent.parent
    run(["python3.11", "-m", "venv", "--without-pip", tmp_path / "bare"], cwd=tmp_path)
    bare = tmp_path / "bare/bin/python"
    assert run([bare, "-c", "import packaging"], cwd=tmp_path, check=False).returncode == 1
    env = dict(os.environ, PYTHONPATH=str(source))

    result = run([bare, "-P", "-m", "devkit", "sync"], cwd=parity_project, env=env, check=False)

    assert result.returncode == 0, result.stderr
    assert venv_python(parity_project).startswith("3.12.")
