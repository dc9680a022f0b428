"""`devkit run`, `devkit stages` and `devkit config` with real ruff, mypy, pytest and coverage."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest

from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write


@pytest.fixture
def service(locked_service: Path, tmp_path: Path) -> Path:
    """A synced service with clean code and tests; its .venv has devkit's tools."""
    return make_service(locked_service, tmp_path / "service")


def devkit(root: Path, *args: str) -> tuple[int, str]:
    result = run([*DEVKIT, *args], cwd=root, check=False)
    return result.returncode, result.stdout + result.stderr


def printed_commands(output: str) -> list[list[str]]:
    return [shlex.split(line[2:]) for line in output.splitlines() if line.startswith("$ ")]


def test_clean_project_passes_every_stage(service: Path) -> None:
    for stage in ("lint", "typecheck", "tests"):
        code, output = devkit(service, "run", stage)
        assert code == 0, output


def test_base_rules_fire(service: Path) -> None:
    write(service, "app/messy.py", "import os\n\n\ndef Compute(x):\n    return x\n")

    code, output = devkit(service, "run", "lint")

    assert code == 1
    assert "F401" in output  # pyflakes: unused import
    assert "N802" in output  # pep8-naming: function name
    assert "no-untyped-def" in output  # mypy strict
    assert "stage lint failed: ruff check, mypy" in output


def test_every_command_runs_even_after_a_failure(service: Path) -> None:
    write(service, "app/messy.py", "import os\n")

    _, output = devkit(service, "run", "lint")

    assert [words[1] for words in printed_commands(output)] == ["check", "format", "--config-file"]


def test_project_overrides_take_effect(service: Path) -> None:
    write(service, "tests/test_naming.py", "def test_Upper() -> None:\n    assert True\n")
    write(service, "app/legacy.py", "def old(x):\n    return x\n")
    write(
        service,
        "lint.toml",
        '[tool.ruff.lint.per-file-ignores]\n"tests/**" = ["N802"]\n\n'
        '[[tool.mypy.overrides]]\nmodule = "app.legacy"\nignore_errors = true\n',
    )

    code, output = devkit(service, "run", "lint")

    assert code == 0, output
    merged = devkit(service, "config", "ruff")[1]
    assert '"tests/**" = ["D", "N802"]' in merged  # the base entry and the project's, appended


def test_coverage_fail_under_from_the_project_file(service: Path) -> None:
    write(service, "app/unused.py", "def never() -> int:\n    return 1\n")
    write(service, "lint.toml", "[tool.coverage.report]\nfail_under = 100\n")

    code, output = devkit(service, "run", "tests")

    assert code == 1
    assert "Required test coverage of 100" in output


def test_excluded_folders_are_not_checked(service: Path) -> None:
    write(service, "notebooks/scratch.py", "import os\n")
    write(service, "generated/client.py", "import os\n")
    write(
        service,
        "lint.toml",
        '[tool.ruff]\nextend-exclude = ["generated"]\n[tool.mypy]\nexclude = ["generated/", "notebooks/"]\n',
    )

    code, output = devkit(service, "run", "lint", "notebooks/scratch.py", "generated/client.py", "app/scoring.py")

    assert code == 0, output
    assert '"notebooks", "*.ipynb", "generated"' in devkit(service, "config", "ruff")[1]


def test_stages_json_lists_exactly_what_run_executes(service: Path) -> None:
    listing = json.loads(run([*DEVKIT, "stages", "--json"], cwd=service).stdout)

    for stage in ("lint", "typecheck", "tests"):
        _, output = devkit(service, "run", stage)
        assert printed_commands(output) == listing[stage]
    assert listing["lint"][0][0] == str(service / ".venv/bin/ruff")


def test_files_narrow_ruff_but_not_mypy(service: Path) -> None:
    write(service, "app/messy.py", "import os\n")
    write(service, "README.md", "# Service\n")

    code, output = devkit(service, "run", "lint", "app/scoring.py", "README.md")

    commands = printed_commands(output)
    assert commands[0][-1] == "app/scoring.py"
    assert commands[1][-1] == "app/scoring.py"
    assert commands[2][-1] == "--config-file" or commands[2][-2] == "--config-file"
    assert code == 0, output  # ruff skips app/messy.py; mypy finds no type error in it


def test_project_stage_from_pyproject(service: Path) -> None:
    pyproject = service / "pyproject.toml"
    stage = """smoke = ["python -c 'import sys; print(sys.prefix)'"]"""
    pyproject.write_text(pyproject.read_text() + f"\n[tool.devkit.stages]\n{stage}\n")

    code, output = devkit(service, "run", "smoke")

    assert code == 0, output
    assert printed_commands(output) == [[str(service / ".venv/bin/python"), "-c", "import sys; print(sys.prefix)"]]
    assert str(service / ".venv") in output
    assert "smoke" in run([*DEVKIT, "stages"], cwd=service).stdout


def test_unknown_stage_lists_the_known_ones(service: Path) -> None:
    code, output = devkit(service, "run", "deploy")

    assert code == 1
    assert "no stage 'deploy'; the stages are: lint, format, typecheck, tests" in output


def test_malformed_lint_toml_names_file_line_and_column(service: Path) -> None:
    write(service, "lint.toml", "[tool.ruff]\nline-length = = 3\n")

    code, output = devkit(service, "run", "lint")

    assert code == 1
    assert f"{service / 'lint.toml'}:2:15: invalid TOML" in output


def test_missing_tool_says_which_group_provides_it(service: Path) -> None:
    (service / ".venv/bin/mypy").unlink()

    code, output = devkit(service, "run", "typecheck")

    assert code == 1
    assert "mypy is not installed in .venv: it comes with devkit, which belongs in the dev group" in output


def test_format_fixes_what_lint_reports(service: Path) -> None:
    write(service, "app/messy.py", "import sys\nimport os\n\n\ndef value() -> str:\n    return os.sep+sys.platform\n")

    assert devkit(service, "run", "lint")[0] == 1
    assert devkit(service, "run", "format")[0] == 0
    code, output = devkit(service, "run", "lint")

    assert code == 0, output


def test_config_files_are_rewritten_only_when_a_source_changes(service: Path) -> None:
    devkit(service, "run", "typecheck")
    ruff_config = service / ".devkit/ruff.toml"
    first = ruff_config.stat().st_mtime_ns

    devkit(service, "run", "typecheck")
    assert ruff_config.stat().st_mtime_ns == first

    write(service, "lint.toml", "[tool.ruff]\nline-length = 99\n")
    devkit(service, "run", "typecheck")
    assert "line-length = 99" in ruff_config.read_text()


def test_config_for_an_unknown_tool_lists_the_configured_ones(service: Path) -> None:
    code, output = devkit(service, "config", "black")

    assert code == 1
    assert "the tools configured are: ruff, mypy, pytest, coverage" in output


def test_a_missing_pytest_plugin_names_the_package_that_provides_it(example_project: Path) -> None:
    run([*DEVKIT, "sync"], cwd=example_project)  # a real .venv: uv installs every package into it
    for path in example_project.glob(".venv/lib/python3*/site-packages/pytest_cov*"):
        shutil.rmtree(path)

    code, output = devkit(example_project, "run", "tests")

    assert code == 1
    assert (
        "devkit: error: pytest-cov (for pytest) is not installed in .venv: it comes with devkit, which belongs in "
        "the dev group (`poetry add --group dev devkit-toolchain`); then run `devkit sync`\n"
    ) in output
    assert "unrecognized arguments" not in output


def test_tool_settings_devkit_does_not_read_are_named_once(service: Path) -> None:
    write(service, "mypy.ini", "[mypy]\nstrict = False\n")
    note = "devkit: note: devkit does not read the tool settings in "

    first = devkit(service, "run", "typecheck")
    second = devkit(service, "run", "typecheck")
    write(service, ".coveragerc", "[report]\nfail_under = 50\n")
    third = devkit(service, "run", "typecheck")

    assert f"{note}mypy.ini: the tools run with devkit's lint.toml" in first[1]
    assert note not in second[1]
    assert f"{note}mypy.ini, .coveragerc: " in third[1]
    assert first[0] == second[0] == third[0] == 0
