"""Names and settings that reach a shell or a YAML key: stage names, the Python setting, groups."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devkit.main import main
from tests.support.proc import run
from tests.support.projects import lock_with_poetry
from tests.support.service import DEVKIT


def add(root: Path, text: str) -> None:
    """Append `text` to the project's pyproject.toml."""
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n" + text)


def devkit(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def untouched(root: Path) -> bool:
    """Whether devkit left no environment, config or stray file in the project."""
    return sorted(path.name for path in root.iterdir()) == ["poetry.lock", "pyproject.toml"]


KEYWORD = "is a GitLab CI keyword and cannot name a job; rename the stage"
NOT_A_WORD = "a stage name is lowercase letters, digits, - and _, starting with a letter; rename it"
DEVKIT_JOB = "is one of devkit's own CI jobs; rename the stage"
BAD_NAMES = [
    *((name, f"{name} {KEYWORD}") for name in ("variables", "image", "pages", "stages", "include", "default", "true")),
    *(
        (name, NOT_A_WORD)
        for name in ("x; touch pwned", "docs\n", "Docs", "-x", "a b", "", "$(touch pwned)", "doc\u0455")
    ),
    *((name, f"{name} {DEVKIT_JOB}") for name in ("build:wheel", "build:deps:dev", ".devkit")),
]


@pytest.mark.parametrize("command", ["run", "stages"])
@pytest.mark.parametrize(("name", "rule"), BAD_NAMES)
def test_a_stage_name_that_is_not_a_safe_plain_word_is_refused(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], command: str, name: str, rule: str
) -> None:
    add(unsynced_service, f'[tool.devkit.stages]\n{json.dumps(name)} = ["python -c pass"]\n')

    code, output = devkit(capsys, command, *(["lint"] if command == "run" else []))

    assert code == 1
    assert output == f"devkit: error: [tool.devkit.stages] {name!r} in pyproject.toml: {rule}\n"
    assert untouched(unsynced_service)


def test_an_unclosed_quote_in_a_stage_command_is_an_error(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add(unsynced_service, '[tool.devkit.stages]\nsmoke = ["python -c \'print(1)"]\n')

    code, output = devkit(capsys, "stages")

    assert code == 1
    assert '[tool.devkit.stages] smoke: "python -c \'print(1)" in pyproject.toml: No closing quotation' in output


def test_a_stage_without_commands_is_an_error_not_a_pass(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add(unsynced_service, "[tool.devkit.stages]\nsmoke = []\n")

    code, output = devkit(capsys, "run", "smoke")

    assert code == 1
    assert output == (
        "devkit: error: [tool.devkit.stages] smoke in pyproject.toml has no commands: give it one, or remove the stage\n"
    )
    assert untouched(unsynced_service)


@pytest.mark.parametrize("tool", ["../../../bin/echo", "scripts/check.sh", "/bin/true"])
def test_a_stage_command_that_starts_with_a_path_is_an_error(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], tool: str
) -> None:
    add(unsynced_service, f'[tool.devkit.stages]\nsmoke = ["{tool} --quiet"]\n')

    code, output = devkit(capsys, "run", "smoke")

    assert code == 1
    assert output.startswith(f"devkit: error: [tool.devkit.stages] smoke: {tool!r} in pyproject.toml is a path; ")
    assert output.count("\n") == 1
    assert untouched(unsynced_service)


@pytest.mark.parametrize(
    "value",
    ["3.11\\n", " 3.11", "3.11 ", "\uff13.11", "3.\u0661\u0661", "3.11;true", "3", "03.11", "3.011", "3." + "1" * 5000],
)
def test_the_python_setting_is_ascii_digits_only(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    add(unsynced_service, f'[tool.devkit]\npython = "{value}"\n')

    code, output = devkit(capsys, "sync")

    assert code == 1
    assert "[tool.devkit] python = " in output
    assert 'in pyproject.toml is not a version: write it like "3.11"' in output
    assert not (unsynced_service / ".venv").exists()


@pytest.mark.parametrize(
    ("command", "setting", "message"),
    [
        ("config", '[tool.devkit]\nexclude = "generated"\n', "[tool.devkit] exclude in pyproject.toml must be a list"),
        ("config", "[tool.devkit]\nexclude = [1]\n", "[tool.devkit] exclude in pyproject.toml must be a list"),
        ("config", "[tool]\ndevkit = 1\n", "pyproject.toml: tool.devkit must be a table, got 1"),
        ("stages", "[tool]\ndevkit = 1\n", "pyproject.toml: tool.devkit must be a table, got 1"),
        ("stages", "[tool.devkit]\nstages = []\n", "[tool.devkit.stages] in pyproject.toml must be a table, not []"),
        (
            "stages",
            "[tool.devkit.stages]\nsmoke = 1\n",
            "[tool.devkit.stages] smoke in pyproject.toml must be a command",
        ),
        (
            "sync",
            "[tool.devkit]\ninstaller = 1\n",
            "[tool.devkit] installer = 1 in pyproject.toml: use one of uv, poetry",
        ),
        ("sync", '[tool.devkit]\ninstaller = ["uv"]\n', "[tool.devkit] installer = ['uv'] in pyproject.toml: use one"),
        ("sync", "[tool]\ndevkit = []\n", "pyproject.toml: tool.devkit must be a table, got []"),
    ],
)
def test_a_setting_of_the_wrong_type_names_the_key(
    unsynced_service: Path, capsys: pytest.CaptureFixture[str], command: str, setting: str, message: str
) -> None:
    add(unsynced_service, setting)

    code, output = devkit(capsys, command)

    assert code == 1
    assert message in output
    assert output.count("\n") == 1


def test_group_names_compare_as_poetry_normalises_them(parity_project: Path, poetry: Path) -> None:
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("tool.poetry.group.docs", "tool.poetry.group.github-actions"))
    lock_with_poetry(parity_project, poetry)

    first = run([*DEVKIT, "sync", "--with", "github_actions"], cwd=parity_project, check=False)
    again = run([*DEVKIT, "sync", "--with", "GitHub.Actions"], cwd=parity_project, check=False)
    check = run([*DEVKIT, "sync", "--check", "--with=github-actions"], cwd=parity_project, check=False)

    assert first.returncode == 0, first.stderr
    assert "synced .venv: dev, github-actions, main" in first.stderr
    assert again.returncode == 0, again.stderr
    assert "in sync with poetry.lock" in again.stderr
    assert check.returncode == 0, check.stderr
    stamp = json.loads((parity_project / ".venv/devkit-stamp.json").read_text())
    assert stamp["request"]["with_groups"] == ["github-actions"]
