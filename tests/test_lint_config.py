"""A project's lint.toml with values of the wrong shape: one line naming the file and the key."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from devkit.main import main
from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write

CASES = [
    ("[tool]\nruff = 1\n", "tool.ruff must be a table, not an integer"),
    ('tool = "ruff"\n', "tool must be a table, not a string"),
    ("[tool.ruff]\nlint = []\n", "tool.ruff.lint must be a table, not a list"),
    ("[tool.mypy]\noverrides = 1\n", "tool.mypy.overrides must be a list of tables"),
    ('[tool.mypy]\noverrides = ["app.*"]\n', "tool.mypy.overrides must be a list of tables"),
    (
        '[tool.ruff.lint.per-file-ignores]\n"tests/**" = "D"\n',
        'tool.ruff.lint.per-file-ignores."tests/**" must be a list',
    ),
    (
        '[tool.ruff.lint.per-file-ignores]\n"tests/**" = [1]\n',
        'per-file-ignores."tests/**" must be a list of rule codes',
    ),
    ("[tool.ruff.lint]\nper-file-ignores = 3\n", "tool.ruff.lint.per-file-ignores must be a table, not an integer"),
    ('[tool.ruff]\nextend-exclude = "generated"\n', "tool.ruff.extend-exclude must be a list, not a string"),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_devkit_config_names_the_file_and_the_key(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    write(unsynced_service, "lint.toml", text)

    code = main(["config"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.startswith(f"devkit: error: {unsynced_service / 'lint.toml'}: ")
    assert message in captured.err
    assert captured.err.count("\n") == 1
    assert captured.out == ""


def test_mypy_exclude_of_the_wrong_type_with_devkit_excludes_is_an_error(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(unsynced_service, "lint.toml", "[tool.mypy]\nexclude = 3\n")
    pyproject = unsynced_service / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.devkit]\nexclude = ["generated"]\n')

    code = main(["config", "mypy"])

    assert code == 1
    assert "tool.mypy.exclude must be a pattern or a list of patterns" in capsys.readouterr().err


@pytest.mark.parametrize("excludes", ['["generated/"]', '"generated/"'])
def test_a_projects_mypy_excludes_add_to_devkits(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], excludes: str
) -> None:
    write(unsynced_service, "lint.toml", f"[tool.mypy]\nexclude = {excludes}\n")

    code = main(["config", "mypy"])

    shown = tomllib.loads(capsys.readouterr().out)
    assert code == 0
    assert shown["tool"]["mypy"]["exclude"] == [r"(^|/)(\.venv|\.devkit|build|dist|notebooks)/", "generated/"]


def test_a_projects_mypy_excludes_are_checked_by_mypy(locked_service: Path, tmp_path: Path) -> None:
    service = make_service(locked_service, tmp_path / "service")
    write(service, "lint.toml", '[tool.mypy]\nexclude = ["generated/"]\n')
    write(service, "generated/client.py", "value: int = 'text'\n")
    write(service, "build/leftover.py", "value: int = 'text'\n")

    result = run([*DEVKIT, "run", "typecheck"], cwd=service, check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_a_projects_coverage_include_replaces_devkits_source(locked_service: Path, tmp_path: Path) -> None:
    service = make_service(locked_service, tmp_path / "service")
    write(service, "lint.toml", '[tool.coverage.run]\ninclude = ["*/service/*"]\n')

    shown = tomllib.loads(run([*DEVKIT, "config", "coverage"], cwd=service).stdout)
    result = run([*DEVKIT, "run", "tests"], cwd=service, check=False)

    assert "source" not in shown["tool"]["coverage"]["run"]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "CoverageWarning" not in result.stdout + result.stderr


def test_lint_never_fixes_even_when_the_project_sets_fix(locked_service: Path, tmp_path: Path) -> None:
    service = make_service(locked_service, tmp_path / "service")
    write(service, "lint.toml", "[tool.ruff]\nfix = true\nunsafe-fixes = true\n")
    seeded = "import os\n"
    write(service, "app/unused.py", seeded)

    result = run([*DEVKIT, "run", "lint"], cwd=service, check=False)

    assert result.returncode == 1, result.stdout
    assert "F401" in result.stdout
    assert (service / "app/unused.py").read_text() == seeded


def test_devkit_run_reports_a_wrong_lint_toml_and_runs_nothing(locked_service: Path, tmp_path: Path) -> None:
    service = make_service(locked_service, tmp_path / "service")
    write(service, "lint.toml", "[tool]\nruff = 1\n")

    result = run([*DEVKIT, "run", "lint"], cwd=service, check=False)

    assert result.returncode == 1
    assert (
        result.stderr
        == f"devkit: error: {service / 'lint.toml'}: tool.ruff must be a table, not an integer: fix that key\n"
    )
    assert "$ " not in result.stdout
    assert not (service / ".devkit/ruff.toml").exists()


def test_the_generated_config_names_the_project_files_to_edit(locked_service: Path, tmp_path: Path) -> None:
    from devkit import resources

    service = make_service(locked_service, tmp_path / "service")

    run([*DEVKIT, "run", "lint"], cwd=service)

    for name in ("lint.toml", "ruff.toml"):
        header = [line for line in (service / ".devkit" / name).read_text().splitlines() if line.startswith("#")]
        text = "\n".join(header)
        assert "edit (or create) lint.toml in the project" in text
        assert "pyproject.toml" in text
        assert str(resources.shipped("lint.toml").parent) not in text
        assert "/" not in text


@pytest.mark.parametrize("kind", ["broken-link", "folder"])
def test_a_lint_toml_that_is_not_a_file_is_an_error_not_ignored(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """Ignored, a broken link to a shared lint.toml once dropped the project's stricter settings."""
    own = unsynced_service / "lint.toml"
    if kind == "folder":
        own.mkdir()
    else:
        own.symlink_to(unsynced_service / "shared/lint.toml")

    code = main(["config"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err == (
        f"devkit: error: {own} is not a file (a folder or a broken link): "
        "make it the project's config file or remove it\n"
    )
    assert captured.out == ""


def test_a_damaged_config_key_rewrites_the_config(locked_service: Path, tmp_path: Path) -> None:
    service = make_service(locked_service, tmp_path / "service")
    write(service, "lint.toml", "[tool.ruff]\nline-length = 99\n")
    assert run([*DEVKIT, "run", "typecheck"], cwd=service, check=False).returncode == 0
    (service / ".devkit/config.key").write_bytes(b"\xff\xfe")
    (service / ".devkit/ruff.toml").write_text("line-length = 10\n")

    result = run([*DEVKIT, "run", "typecheck"], cwd=service, check=False)

    assert result.returncode == 0, result.stderr
    assert "line-length = 99" in (service / ".devkit/ruff.toml").read_text()
