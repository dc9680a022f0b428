"""`devkit init`: an existing Poetry or uv project adopts devkit, changing only what it must."""

from __future__ import annotations

import difflib
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from devkit.adopt import makefile
from tests.conftest import HookRunner
from tests.support.index import serve_index
from tests.support.proc import run
from tests.support.projects import (
    EXAMPLE_WHEELS_MISSING,
    INHOUSE_BACKEND_SOURCE,
    SOURCE,
    link_checkout,
    lock_by_poetry,
)
from tests.support.wheels import build_wheel

DEVKIT = [sys.executable, "-m", "devkit"]
POETRY_PYPROJECT = """\
[project]
name = "legacy-app"
version = "0.1.0"
requires-python = ">=3.11,<3.12"  # the service runs on 3.11
dependencies = ["alpha<2"]

[tool.poetry.group.dev.dependencies]
ruff = "^0.5"  # our own linter pin
mypy = "*"
pytest = ">=8"
epsilon = "*"  # a dev tool devkit does not provide

[tool.ruff]
line-length = 100
select = ["E", "F", "Q"]

[tool.ruff.format]
quote-style = "single"

[tool.mypy]
strict = false
exclude = ["^build/"]

[tool.pytest.ini_options]
testpaths = ["tests"]

[tool.coverage.report]
fail_under = 70

[[tool.poetry.source]]
name = "testindex"
url = "{index_url}"
priority = "primary"

[build-system]
requires = []
build-backend = "inhouse_backend"
backend-path = ["_backend"]
"""
UV_PYPROJECT = """\
[project]
name = "uv-legacy"
version = "0.1.0"
requires-python = ">=3.11,<3.12"
dependencies = ["alpha<2"]

[dependency-groups]
dev = [
    "ruff>=0.5",  # pinned by hand
    "epsilon",
]

[build-system]
requires = []
build-backend = "inhouse_backend"
backend-path = ["_backend"]
"""
WARNING_TEST = (
    "import warnings\n\n\ndef test_old_api() -> None:\n    warnings.warn(DeprecationWarning(), stacklevel=1)\n"
)
MAKEFILE = "# legacy-app's targets\nserve:\n\tpython -m legacy_app\n\nlint:\n\tflake8\n"
REMOVED = {'ruff = "^0.5"  # our own linter pin', 'mypy = "*"', 'pytest = ">=8"'}


def write_project(root: Path, pyproject: str, package: str) -> Path:
    (root / "_backend").mkdir(parents=True)
    (root / "_backend/inhouse_backend.py").write_text(INHOUSE_BACKEND_SOURCE)
    (root / package).mkdir()
    (root / package / "__init__.py").write_text('"""An application that predates devkit."""\n')
    (root / "tests").mkdir()
    (root / "tests/test_app.py").write_text(
        f"import {package}\n\n\ndef test_imports() -> None:\n    assert {package}\n"
    )
    (root / "pyproject.toml").write_text(pyproject)
    return root


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    return link_checkout(tmp_path / "devkit-checkout")


@pytest.fixture
def poetry_app(checkout: Path, index_url: str) -> Path:
    root = write_project(
        checkout / "examples/legacy-app", POETRY_PYPROJECT.replace("{index_url}", index_url), "legacy_app"
    )
    (root / "Makefile").write_text(MAKEFILE)
    return root


def init(project: Path, *arguments: str) -> str:
    """`devkit init --from CHECKOUT`, the linked checkout the project sits in, as the example's `../..`."""
    checkout = next(folder for folder in project.parents if (folder / "devkit").is_symlink())
    result = run([*DEVKIT, "init", "--from", str(checkout), *arguments], cwd=project)
    return result.stdout + result.stderr


def files(project: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(project.iterdir()) if path.is_file()}


def changed_lines(before: str, after: str) -> tuple[set[str], set[str]]:
    diff = list(difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0))[2:]
    removed = {line[1:] for line in diff if line.startswith("-")}
    added = {line[1:] for line in diff if line.startswith("+")}
    return removed - {""}, added - {""}


def test_init_changes_only_devkits_lines_of_pyproject(poetry_app: Path) -> None:
    before = (poetry_app / "pyproject.toml").read_text()

    output = init(poetry_app)

    after = (poetry_app / "pyproject.toml").read_text()
    removed, added = changed_lines(before, after)
    tool_tables = before[before.index("[tool.ruff]") : before.index("[[tool.poetry.source]]")]
    assert removed == REMOVED | (set(tool_tables.splitlines()) - {""})
    devkit_line = f'devkit-toolchain = {{path = "{Path("../..").as_posix()}", develop = true}}'
    assert added == {
        devkit_line,
        "[tool.devkit]",
        'python = "3.11"  # the one Python setting local syncs and the CI image share',
    }
    assert "# the service runs on 3.11" in after
    assert "# a dev tool devkit does not provide" in after
    for name in ("ruff", "mypy", "pytest"):
        assert f"removed {name} from the dev group: devkit provides it\n" in output
    assert "next: poetry lock, then `make sync` and `make hooks`" in output


def test_init_moves_the_tool_settings_into_lint_toml(poetry_app: Path) -> None:
    init(poetry_app)

    lint = tomllib.loads((poetry_app / "lint.toml").read_text())["tool"]
    # the project's own values, and its tools' defaults where devkit's baseline differs
    assert lint["ruff"] == {
        "line-length": 100,
        "target-version": "py311",
        "format": {"quote-style": "single", "docstring-code-format": False, "exclude": ["*.md"]},
        "lint": {"select": ["E", "F", "Q"], "ignore": []},
    }
    assert lint["mypy"] == {
        "strict": False,
        "exclude": ["^build/"],
        "warn_unreachable": False,
        "explicit_package_bases": False,
    }
    assert lint["pytest"] == {
        "ini_options": {"testpaths": ["tests"], "addopts": [], "xfail_strict": False, "filterwarnings": []}
    }
    assert lint["coverage"] == {"report": {"fail_under": 70}, "run": {"branch": False, "omit": []}}


def test_init_keeps_the_makefiles_targets_and_names_a_clash(poetry_app: Path) -> None:
    output = init(poetry_app)

    makefile = (poetry_app / "Makefile").read_text()
    assert makefile.startswith("# devkit: the bootstrap")
    assert makefile.endswith("\n" + MAKEFILE)
    assert "Makefile: target 'lint' is also devkit's" in output
    assert "'serve'" not in output


def test_a_second_init_changes_nothing(poetry_app: Path) -> None:
    init(poetry_app)
    before = files(poetry_app)

    output = init(poetry_app)

    assert files(poetry_app) == before
    assert output == "nothing to change: devkit is adopted here\n"


def test_dry_run_prints_the_diffs_and_writes_nothing(poetry_app: Path) -> None:
    before = files(poetry_app)

    output = init(poetry_app, "--dry-run")

    assert files(poetry_app) == before
    assert "--- a/pyproject.toml\n+++ b/pyproject.toml\n" in output
    assert "--- /dev/null\n+++ b/lint.toml\n" in output
    assert '-ruff = "^0.5"  # our own linter pin\n' in output
    assert output.endswith("dry run: nothing written\n")


def test_init_in_a_subfolder_adopts_the_project_around_it(poetry_app: Path) -> None:
    init(poetry_app / "tests")

    assert (poetry_app / "lint.toml").is_file()
    assert not (poetry_app / "tests/lint.toml").exists()


def test_a_uv_project_gets_devkit_in_its_dependency_group(checkout: Path) -> None:
    project = write_project(checkout / "examples/uv-legacy", UV_PYPROJECT, "uv_legacy")

    output = init(project)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["dependency-groups"]["dev"] == ["epsilon", "devkit-toolchain"]
    assert pyproject["tool"]["uv"]["sources"]["devkit-toolchain"] == {"path": "../..", "editable": True}
    assert "removed ruff from the dev group: devkit provides it\n" in output
    assert "next: uv lock, then `make sync` and `make hooks`" in output
    assert (project / "Makefile").read_text().endswith("\n##@ uv-legacy\n")
    assert init(project) == "nothing to change: devkit is adopted here\n"


@pytest.mark.parametrize("kind", ["uv", "poetry"])
def test_a_project_that_admits_older_pythons_gets_devkit_on_devkits_pythons_only(
    checkout: Path, kind: str, index_url: str
) -> None:
    text = UV_PYPROJECT if kind == "uv" else POETRY_PYPROJECT.replace("{index_url}", index_url)
    text = text.replace('requires-python = ">=3.11,<3.12"', 'requires-python = ">=3.9"')
    project = write_project(checkout / f"examples/{kind}-old", text, f"{kind}_old")

    init(project)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    if kind == "uv":
        assert pyproject["dependency-groups"]["dev"] == ["epsilon", "devkit-toolchain; python_version >= '3.11'"]
    else:
        devkit = pyproject["tool"]["poetry"]["group"]["dev"]["dependencies"]["devkit-toolchain"]
        assert devkit == {"path": "../..", "develop": True, "python": ">=3.11"}
    assert init(project) == "nothing to change: devkit is adopted here\n"


def test_pins_of_devkits_tools_in_any_group_are_taken_out(poetry_app: Path) -> None:
    pyproject = poetry_app / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text() + '\n[tool.poetry.group.types.dependencies]\nmypy = "^1.0"\nzeta = "*"\n'
    )

    output = init(poetry_app)

    types = tomllib.loads(pyproject.read_text())["tool"]["poetry"]["group"]["types"]["dependencies"]
    assert types == {"zeta": "*"}
    assert "removed mypy from the types group: devkit provides it\n" in output


def test_no_admitted_python_is_one_line_naming_the_setting(checkout: Path) -> None:
    project = write_project(checkout / "examples/future", UV_PYPROJECT.replace(">=3.11,<3.12", ">=3.29"), "future")
    before = files(project)

    result = run([*DEVKIT, "init"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "requires-python '>=3.29'" in result.stderr
    assert "[tool.devkit] python" in result.stderr
    assert files(project) == before


def test_from_a_folder_without_devkit_is_a_usage_error(poetry_app: Path, tmp_path: Path) -> None:
    result = run([*DEVKIT, "init", "--from", str(tmp_path)], cwd=poetry_app, check=False)

    assert result.returncode == 2
    assert "no pyproject.toml there" in result.stderr


def config(project: Path, tool: str) -> dict[str, Any]:
    return tomllib.loads(run([*DEVKIT, "config", tool], cwd=project).stdout)


def test_an_adopted_poetry_project_locks_syncs_and_keeps_its_settings(
    poetry_app: Path, poetry: Path, wheelhouse: Path, index_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not any(wheelhouse.glob("ruff-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    # Poetry locks for every platform: pytest's Windows-only colorama must be in the index.
    wheels = tmp_path / "wheels"
    shutil.copytree(wheelhouse, wheels, copy_function=os.link)
    build_wheel(wheels, "colorama", "0.4.6")
    with serve_index(wheels) as index:
        pyproject = poetry_app / "pyproject.toml"
        pyproject.write_text(pyproject.read_text().replace(index_url, index.url))
        monkeypatch.setenv("UV_DEFAULT_INDEX", index.url)
        assert init(poetry_app).endswith(", then `devkit ci render`\n")

        lock_by_poetry(poetry_app, poetry)
        run([*DEVKIT, "sync"], cwd=poetry_app)

    ruff = config(poetry_app, "ruff")
    assert (ruff["line-length"], ruff["format"]["quote-style"], ruff["lint"]["select"]) == (
        100,
        "single",
        ["E", "F", "Q"],
    )
    mypy = config(poetry_app, "mypy")["tool"]["mypy"]
    assert mypy["strict"] is False
    assert "^build/" in mypy["exclude"]
    assert config(poetry_app, "pytest")["tool"]["pytest"]["ini_options"]["testpaths"] == ["tests"]
    assert config(poetry_app, "coverage")["tool"]["coverage"]["report"]["fail_under"] == 70
    run([*DEVKIT, "ci", "render"], cwd=poetry_app)
    run([*DEVKIT, "check"], cwd=poetry_app)
    assert init(poetry_app) == "nothing to change: devkit is adopted here\n"

    # the checks pass as they did before devkit: a deprecation warning is not an error yet
    (poetry_app / "tests/test_warns.py").write_text(WARNING_TEST)
    run([*DEVKIT, "run", "lint", "legacy_app", "tests"], cwd=poetry_app)
    run([*DEVKIT, "run", "tests"], cwd=poetry_app)
    lint = poetry_app / "lint.toml"
    lint.write_text("".join(line for line in lint.read_text().splitlines(True) if "filterwarnings" not in line))
    failed = run([*DEVKIT, "run", "tests"], cwd=poetry_app, check=False)
    assert failed.returncode == 1
    assert "DeprecationWarning" in failed.stdout


def test_the_examples_makefile_holds_the_bootstrap_init_writes() -> None:
    example = (SOURCE / "examples/ml-service/Makefile").read_text()

    assert example.startswith(makefile.stub("ml-service") + "\n.PHONY: score\n")


PRE_COMMIT_CONFIG = """\
# the team's hooks
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.5.0
    hooks:
      - id: ruff
        args: [--fix]
      - id: ruff-format
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.10.0
    hooks:
      - id: mypy
  - repo: local
    hooks:
      - id: check-json
        name: check json
        entry: python -m json.tool
        language: system
        files: \\.json$
"""
GITLAB_CI = "stages: [test, deploy]\nlint:\n  script: [flake8]\ndeploy:\n  stage: deploy\n  script: [./deploy]\n"


def test_init_puts_devkits_hooks_in_place_of_ruff_and_mypy(poetry_app: Path, hook_runner: HookRunner) -> None:
    import yaml

    (poetry_app / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)

    output = init(poetry_app)

    config = yaml.safe_load((poetry_app / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local", "local"]
    assert [hook["id"] for hook in config["repos"][0]["hooks"]] == ["check-json"]
    local = yaml.safe_load((SOURCE / "hooks/pre-commit-config.local.yaml").read_text())
    assert config["repos"][1] == local["repos"][0]
    for line in (
        "removed astral-sh/ruff-pre-commit's ruff hook",
        "removed astral-sh/ruff-pre-commit's ruff-format hook",
        "removed pre-commit/mirrors-mypy's mypy hook",
        "removed the pre-commit/mirrors-mypy repo",
        "its comments are not kept",
    ):
        assert line in output
    run(hook_runner("validate-config", ".pre-commit-config.yaml"), cwd=poetry_app)
    assert init(poetry_app) == "nothing to change: devkit is adopted here\n"


def test_init_writes_devkits_local_pre_commit_config_where_there_is_none(poetry_app: Path) -> None:
    init(poetry_app)

    assert (poetry_app / ".pre-commit-config.yaml").read_text() == (
        SOURCE / "hooks/pre-commit-config.local.yaml"
    ).read_text()


def test_a_malformed_pre_commit_config_is_one_line_and_nothing_is_written(poetry_app: Path) -> None:
    (poetry_app / ".pre-commit-config.yaml").write_text("repos: [\n")
    before = files(poetry_app)

    result = run([*DEVKIT, "init"], cwd=poetry_app, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert ".pre-commit-config.yaml is not valid YAML" in result.stderr
    assert files(poetry_app) == before


def test_a_hand_written_gitlab_ci_moves_to_the_local_file(poetry_app: Path) -> None:
    import yaml

    (poetry_app / ".gitlab-ci.yml").write_text(GITLAB_CI)

    output = init(poetry_app)

    assert not (poetry_app / ".gitlab-ci.yml").exists()
    assert (poetry_app / ".gitlab-ci.local.yml").read_text() == GITLAB_CI
    assert set(yaml.safe_load(GITLAB_CI)) <= set(yaml.safe_load((poetry_app / ".gitlab-ci.local.yml").read_text()))
    assert "job 'lint' is also one of devkit's jobs: rename it" in output
    assert "'deploy'" not in output
    assert "removed .gitlab-ci.yml\n" in output
    assert output.endswith("next: poetry lock, then `make sync` and `make hooks`, then `devkit ci render`\n")


def test_an_identical_local_ci_file_only_loses_the_hand_written_one(poetry_app: Path) -> None:
    (poetry_app / ".gitlab-ci.yml").write_text(GITLAB_CI)
    (poetry_app / ".gitlab-ci.local.yml").write_text(GITLAB_CI)

    init(poetry_app)

    assert not (poetry_app / ".gitlab-ci.yml").exists()
    assert (poetry_app / ".gitlab-ci.local.yml").read_text() == GITLAB_CI


def test_a_different_local_ci_file_stops_init_before_it_writes(poetry_app: Path) -> None:
    (poetry_app / ".gitlab-ci.yml").write_text(GITLAB_CI)
    (poetry_app / ".gitlab-ci.local.yml").write_text("other:\n  script: [true]\n")
    before = files(poetry_app)

    result = run([*DEVKIT, "init"], cwd=poetry_app, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert ".gitlab-ci.local.yml exists with other content" in result.stderr
    assert files(poetry_app) == before


def test_a_rendered_gitlab_ci_is_left_alone(poetry_app: Path) -> None:
    rendered = "# Rendered by `devkit ci render` from devkit's stage table: do not edit.\nlint: {}\n"
    (poetry_app / ".gitlab-ci.yml").write_text(rendered)

    output = init(poetry_app)

    assert (poetry_app / ".gitlab-ci.yml").read_text() == rendered
    assert not (poetry_app / ".gitlab-ci.local.yml").exists()
    assert "devkit ci render" not in output


def test_init_appends_the_ignored_folders_once(poetry_app: Path) -> None:
    (poetry_app / ".gitignore").write_text("# ours\n*.pyc\n/.venv")

    output = init(poetry_app)

    assert (poetry_app / ".gitignore").read_text() == "# ours\n*.pyc\n/.venv\n.devkit/\n.cache/\ndist/\n"
    assert ".gitignore: added .devkit/, .cache/, dist/" in output
    init(poetry_app)
    assert (poetry_app / ".gitignore").read_text().count("dist/") == 1


def test_init_merges_the_vscode_settings_keeping_the_users(poetry_app: Path) -> None:
    import json

    (poetry_app / ".vscode").mkdir()
    settings = poetry_app / ".vscode/settings.json"
    settings.write_text('{"editor.rulers": [100], "python.defaultInterpreterPath": "venv/bin/python"}')

    init(poetry_app)

    text = settings.read_text()
    assert json.loads(text) == {
        "editor.rulers": [100],
        "python.defaultInterpreterPath": ".venv/bin/python",
        "ruff.configuration": ".devkit/ruff.toml",
        "mypy-type-checker.args": ["--config-file", ".devkit/lint.toml"],
        "python.testing.pytestArgs": ["-c", ".devkit/lint.toml"],
        "python.testing.pytestEnabled": True,
    }
    assert text.startswith('{\n    "editor.rulers": [\n')


def test_a_vscode_settings_file_with_comments_is_left_alone_and_reported(poetry_app: Path) -> None:
    (poetry_app / ".vscode").mkdir()
    settings = poetry_app / ".vscode/settings.json"
    settings.write_text('{\n  // ours\n  "editor.rulers": [100],\n}\n')
    before = settings.read_bytes()

    output = init(poetry_app)

    assert settings.read_bytes() == before
    assert (
        '.vscode/settings.json is not plain JSON (comments or trailing commas?): left alone; add by hand: "python.defaultInterpreterPath": ".venv/bin/python",'
        in output
    )


def test_dry_run_writes_none_of_the_other_files(poetry_app: Path) -> None:
    (poetry_app / ".pre-commit-config.yaml").write_text(PRE_COMMIT_CONFIG)
    (poetry_app / ".gitlab-ci.yml").write_text(GITLAB_CI)
    (poetry_app / ".gitignore").write_text("*.pyc\n")
    (poetry_app / ".vscode").mkdir()
    (poetry_app / ".vscode/settings.json").write_text("{}\n")
    before = {**files(poetry_app), "settings.json": (poetry_app / ".vscode/settings.json").read_bytes()}

    output = init(poetry_app, "--dry-run")

    assert {**files(poetry_app), "settings.json": (poetry_app / ".vscode/settings.json").read_bytes()} == before
    for header in (
        "--- a/.pre-commit-config.yaml\n+++ b/.pre-commit-config.yaml\n",
        "--- /dev/null\n+++ b/.gitlab-ci.local.yml\n",
        "--- a/.gitlab-ci.yml\n+++ /dev/null\n",
        "--- a/.gitignore\n+++ b/.gitignore\n",
        "--- a/.vscode/settings.json\n+++ b/.vscode/settings.json\n",
    ):
        assert header in output
    assert "its comments are not kept" in output
    assert output.endswith("dry run: nothing written\n")
