"""FILES given to `devkit run` (what pre-commit passes) reach the tools as paths, never as options."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.conftest import HookRunner
from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write
from tests.test_hooks import git, service_config, snapshot

VIOLATION = "import os\n"
# `-e` is ruff's --exit-zero, `--select=E501` switches every other rule off, `--output-file`
# writes the report over another file: as options, each would let the violation pass.
OPTION_LIKE = ("--output-file=app.py", "--select=E501.py", "-e.py")


@pytest.fixture
def service(locked_service: Path, tmp_path: Path) -> Path:
    """A synced service with clean code and tests; its .venv has devkit's tools."""
    return make_service(locked_service, tmp_path / "service")


@pytest.fixture
def hooked(service: Path, tmp_path: Path, hook_runner: HookRunner) -> Path:
    """The service in a git repository with devkit's hooks installed (by pre-commit, or by prek)."""
    repo = tmp_path / "devkit-hooks"
    repo.mkdir()
    write(service, ".gitignore", ".venv/\n.devkit/\n.mypy_cache/\n.ruff_cache/\n.coverage\n")
    write(service, ".pre-commit-config.yaml", service_config(repo, snapshot(repo)))
    git(service, "init", "-q")
    run(hook_runner("install"), cwd=service)
    git(service, "add", ".")
    git(service, "commit", "-qm", "start")
    return service


def devkit(root: Path, *args: str) -> tuple[int, str]:
    result = run([*DEVKIT, *args], cwd=root, check=False)
    return result.returncode, result.stdout + result.stderr


def listing(root: Path) -> set[str]:
    """Every file under `root` outside the folders tools write their caches and config to."""
    skipped = (".venv", ".devkit", ".mypy_cache", ".ruff_cache", ".git", "__pycache__")
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not set(path.relative_to(root).parts) & set(skipped)
    }


def test_files_named_like_options_are_linted_not_obeyed(service: Path) -> None:
    for name in OPTION_LIKE:
        write(service, name, VIOLATION)
    before = listing(service)

    code, output = devkit(service, "run", "lint", "--", *OPTION_LIKE)

    assert code == 1
    for name in OPTION_LIKE:
        assert f"--> {name}:1:8" in output
    assert listing(service) == before


def test_a_commit_of_files_named_like_options_is_refused_with_the_finding(hooked: Path) -> None:
    for name in OPTION_LIKE:
        write(hooked, name, VIOLATION)
    git(hooked, "add", "-A")
    before = listing(hooked)

    result = run(["git", "commit", "-m", "option-like names"], cwd=hooked, check=False)

    output = result.stdout + result.stderr
    assert result.returncode == 1
    for name in OPTION_LIKE:
        assert f"--> {name}:1:8" in output
    assert listing(hooked) == before
    assert git(hooked, "log", "--format=%s") == "start\n"


def test_a_folder_is_checked(service: Path) -> None:
    write(service, "app/messy.py", VIOLATION)

    code, output = devkit(service, "run", "lint", "app")

    assert code == 1
    assert "--> app/messy.py:1:8" in output


def test_dot_checks_the_whole_project_with_its_excludes(service: Path) -> None:
    write(service, "app/messy.py", VIOLATION)
    write(service, "generated/client.py", VIOLATION)
    write(service, "lint.toml", '[tool.ruff]\nextend-exclude = ["generated"]\n')

    code, output = devkit(service, "run", "lint", ".")

    assert code == 1
    assert "--> app/messy.py:1:8" in output
    assert "generated/client.py" not in output


def test_an_excluded_folder_given_as_a_path_stays_excluded(service: Path) -> None:
    write(service, "generated/client.py", VIOLATION)
    write(service, "lint.toml", '[tool.ruff]\nextend-exclude = ["generated"]\n[tool.mypy]\nexclude = ["generated/"]\n')

    code, output = devkit(service, "run", "lint", "generated")

    assert code == 0, output


def test_a_misspelled_path_is_an_error_naming_it(service: Path) -> None:
    code, output = devkit(service, "run", "lint", "app/scorng.py")

    assert code == 1
    assert "devkit: error: app/scorng.py does not exist" in output
    assert "$ " not in output  # no tool ran


def test_a_missing_path_with_a_line_break_is_named_on_one_line(service: Path) -> None:
    code, output = devkit(service, "run", "lint", "app/x.py\ndevkit: all checks passed")

    assert code == 1
    assert "devkit: error: 'app/x.py\\ndevkit: all checks passed' does not exist" in output
    assert output.count("\n") == 1


def test_a_path_outside_the_project_is_an_error_naming_it(service: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.py"
    outside.write_text(VIOLATION)

    code, output = devkit(service, "run", "lint", str(outside))

    assert code == 1
    assert f"{outside} is outside the project" in output
    assert "$ " not in output


def test_a_link_to_a_file_outside_the_project_is_an_error_and_the_file_is_not_formatted(
    service: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "other-project/ugly.py"
    outside.parent.mkdir()
    outside.write_text("x = [1,2 ,3]\n")
    (service / "app/linked.py").symlink_to(outside)
    (service / "shared").symlink_to(outside.parent)

    for path in ("app/linked.py", "shared", "shared/ugly.py"):
        code, output = devkit(service, "run", "format", path)

        assert code == 1
        assert f"devkit: error: {path} is a link to {outside.parent}" in output
        assert "outside the project" in output
        assert "$ " not in output
    assert outside.read_text() == "x = [1,2 ,3]\n"


def test_a_link_to_a_file_inside_the_project_is_checked(service: Path) -> None:
    write(service, "app/messy.py", VIOLATION)
    (service / "app/alias.py").symlink_to(service / "app/messy.py")

    code, output = devkit(service, "run", "lint", "app/alias.py")

    assert code == 1
    assert "--> app/alias.py:1:8" in output


def test_a_pipe_named_like_a_python_file_is_an_error_not_a_hang(service: Path) -> None:
    os.mkfifo(service / "app/pipe.py")

    code, output = devkit(service, "run", "format", "app/pipe.py")

    assert code == 1
    assert (
        output == "devkit: error: app/pipe.py is not a file or a folder (a pipe, socket or device): give Python files\n"
    )


def test_a_name_too_long_for_the_file_system_is_an_error_naming_it(service: Path) -> None:
    name = "a" * 300 + ".py"

    code, output = devkit(service, "run", "lint", name)

    assert code == 1
    assert output == f"devkit: error: {name}: File name too long: check the path\n"


def test_an_empty_path_is_an_error_not_the_whole_project(service: Path) -> None:
    write(service, "app/ugly.py", "x = [1,2 ,3]\n")

    code, output = devkit(service, "run", "format", "")

    assert code == 1
    assert output == "devkit: error: an empty path in FILES: give files or folders (`.` for the whole project)\n"
    assert (service / "app/ugly.py").read_text() == "x = [1,2 ,3]\n"


def test_files_that_are_not_python_are_skipped(service: Path) -> None:
    write(service, "notes.txt", "import os\n")

    code, output = devkit(service, "run", "lint", "notes.txt")

    assert code == 0, output
    ran = [line.split()[1] for line in output.splitlines() if line.startswith("$ ")]
    assert [Path(tool).name for tool in ran] == ["mypy"]


def test_paths_are_relative_to_the_current_folder(service: Path) -> None:
    write(service, "app/messy.py", VIOLATION)

    code, output = devkit(service / "app", "run", "lint", "messy.py")

    assert code == 1
    assert "--> app/messy.py:1:8" in output


def test_format_of_a_folder_reformats_its_files(service: Path) -> None:
    write(service, "app/ugly.py", '"""Ugly."""\n\n\ndef value() -> list[int]:\n    return [1,2 ,3]\n')
    write(service, "tests/ugly_too.py", "x = [1,2 ,3]\n")

    code, output = devkit(service, "run", "format", "app")

    assert code == 0, output
    assert "return [1, 2, 3]" in (service / "app/ugly.py").read_text()
    assert (service / "tests/ugly_too.py").read_text() == "x = [1,2 ,3]\n"  # outside the folder
