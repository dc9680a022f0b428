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

from tests.support.index import serve_index
from tests.support.proc import run
from tests.support.projects import (
    EXAMPLE_WHEELS_MISSING,
    INHOUSE_BACKEND_SOURCE,
    SOURCE,
    link_checkout,
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
    assert lint["ruff"] == {
        "line-length": 100,
        "format": {"quote-style": "single"},
        "lint": {"select": ["E", "F", "Q"]},
    }
    assert lint["mypy"] == {"strict": False, "exclude": ["^build/"]}
    assert lint["pytest"] == {"ini_options": {"testpaths": ["tests"]}}
    assert lint["coverage"] == {"report": {"fail_under": 70}}


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
        init(poetry_app)

        run(
            [poetry, "lock", "--no-interaction"],
            cwd=poetry_app,
            env=dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="false"),
        )
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


def test_the_examples_makefile_holds_the_bootstrap_init_writes() -> None:
    bootstrap = (SOURCE / "make/bootstrap.mk").read_text().split("\n", 1)[1]

    assert bootstrap in (SOURCE / "examples/ml-service/Makefile").read_text()
