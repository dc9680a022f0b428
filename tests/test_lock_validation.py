"""Hand-edited poetry.lock and pyproject.toml fields of the wrong type, as `devkit sync` meets them.

Each case starts from the parity project synced by real uv, edits one field the way a
hostile or careless hand would, and runs `devkit sync` and `devkit sync --check`: one
line naming the file and the key, exit 1, and `.venv` (stamp included) exactly as it was.
"""

from __future__ import annotations

import shutil
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomlkit

from devkit.main import main
from tests.support.proc import run

Edit = Callable[[dict[str, Any]], None]
DEVKIT = [sys.executable, "-m", "devkit"]


def package(lock: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(entry for entry in lock["package"] if entry["name"] == name)
    return found


def position(lock_file: Path, name: str) -> int:
    """The 1-based position of package `name` in the lock, as messages count."""
    entries = tomllib.loads(lock_file.read_text())["package"]
    return 1 + [entry["name"] for entry in entries].index(name)


def rewrite(path: Path, edit: Edit) -> None:
    """Apply `edit` to the parsed file and write it back as TOML."""
    data = tomllib.loads(path.read_text())
    edit(data)
    text = tomlkit.dumps(data)
    assert tomllib.loads(text) == data, "tomlkit wrote other data than it was given"
    path.write_text(text)


def tree(folder: Path) -> dict[str, tuple[float, bytes]]:
    """Every file under `folder` with its modification time and, for the stamp, its bytes."""
    return {
        str(path.relative_to(folder)): (
            path.lstat().st_mtime,
            path.read_bytes() if path.name.endswith(".json") else b"",
        )
        for path in folder.rglob("*")
        if not path.is_dir() or path.is_symlink()
    }


def sync_in_process(project: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = main(["sync", *args])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.fixture(scope="module")
def synced_template(parity_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The parity project with a `.venv` synced once by devkit with real uv."""
    project = tmp_path_factory.mktemp("synced") / "parity-app"
    shutil.copytree(parity_template, project, ignore=shutil.ignore_patterns(".venv"))
    result = run([*DEVKIT, "sync", "--quiet"], cwd=project, check=False)
    assert result.returncode == 0, result.stderr
    return project


@pytest.fixture
def synced(synced_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the synced project, as the working directory."""
    project = tmp_path / "parity-app"
    shutil.copytree(synced_template, project, symlinks=True)
    monkeypatch.chdir(project)
    return project


LOCK_CASES: dict[str, tuple[Edit, str, str]] = {
    # case: (edit, package or "", the message after "poetry.lock: ")
    "groups-a-string": (
        lambda lock: package(lock, "alpha").update(groups="main"),
        "alpha",
        "groups must be a list of strings, got 'main': run `poetry lock` to rewrite the lock",
    ),
    "groups-with-a-number": (
        lambda lock: package(lock, "alpha").update(groups=["main", 1]),
        "alpha",
        "groups must be a list of strings, got ['main', 1]",
    ),
    "markers-a-number": (
        lambda lock: package(lock, "delta").update(markers=3),
        "delta",
        "markers must be a marker string or a table of marker strings, got 3",
    ),
    "markers-a-list": (
        lambda lock: package(lock, "delta").update(markers=["sys_platform == 'linux'"]),
        "delta",
        "markers must be a marker string or a table of marker strings",
    ),
    "marker-table-with-a-number": (
        lambda lock: package(lock, "delta").update(markers={"main": 1}),
        "delta",
        "markers must be a marker string or a table of marker strings, got {'main': 1}",
    ),
    "marker-that-does-not-parse": (
        lambda lock: package(lock, "delta").update(markers="sys_platform === linux"),
        "delta",
        "markers is not a valid marker: 'sys_platform === linux'",
    ),
    "version-a-number": (
        lambda lock: package(lock, "alpha").update(version=1.0),
        "alpha",
        "version must be a version, got 1.0",
    ),
    "version-with-a-second-line": (
        lambda lock: package(lock, "alpha").update(version="1.0\n--index-url http://example.invalid"),
        "alpha",
        "version must be a version, got '1.0\\n--index-url http://example.invalid'",
    ),
    "version-missing": (lambda lock: package(lock, "alpha").pop("version"), "alpha", "version is missing"),
    "file-hash-a-number": (
        lambda lock: package(lock, "alpha").update(files=[{"file": "alpha-1.0-py3-none-any.whl", "hash": 5}]),
        "alpha",
        'files[1].hash must be a hash like "sha256:...", got 5',
    ),
    "files-a-string": (
        lambda lock: package(lock, "alpha").update(files="x"),
        "alpha",
        "files must be a list of tables",
    ),
    "source-a-string": (lambda lock: package(lock, "alpha").update(source="legacy"), "alpha", "source must be a table"),
    "source-type-a-number": (
        lambda lock: package(lock, "alpha")["source"].update(type=1),
        "alpha",
        "source.type must be",
    ),
    "source-url-missing": (lambda lock: package(lock, "alpha")["source"].pop("url"), "alpha", "source.url is missing"),
    "develop-a-string": (
        lambda lock: package(lock, "alpha").update(develop="yes"),
        "alpha",
        "develop must be true or false, got 'yes'",
    ),
}
METADATA_CASES: dict[str, tuple[Edit, str]] = {
    "content-hash-a-number": (
        lambda lock: lock["metadata"].update({"content-hash": 1}),
        "[metadata]: content-hash must be",
    ),
    "lock-version-a-float": (
        lambda lock: lock["metadata"].update({"lock-version": 2.1}),
        '[metadata]: lock-version must be a version like "2.1", got 2.1',
    ),
    "metadata-missing": (lambda lock: lock.pop("metadata"), "[metadata] is missing"),
    "package-a-table": (
        lambda lock: lock.update(package={"name": "alpha", "version": "1.0"}),
        "[[package]] must be a list of tables",
    ),
    "package-name-missing": (lambda lock: lock["package"][0].pop("name"), "[[package]] 1: name is missing"),
}


def assert_refused_and_untouched(project: Path, capsys: pytest.CaptureFixture[str], expected: str) -> None:
    before = tree(project / ".venv")
    for options in ((), ("--check",)):
        code, lines = sync_in_process(project, capsys, *options)
        assert code == 1, options
        assert len(lines) == 1, lines
        assert expected in lines[0], lines[0]
    assert tree(project / ".venv") == before


@pytest.mark.parametrize("case", list(LOCK_CASES))
def test_wrong_package_field_is_one_line_naming_the_package_and_venv_is_untouched(
    case: str, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, name, message = LOCK_CASES[case]
    lock = synced / "poetry.lock"
    rewrite(lock, edit)

    assert_refused_and_untouched(synced, capsys, f"poetry.lock: [[package]] {position(lock, name)} ({name}): {message}")


@pytest.mark.parametrize("case", list(METADATA_CASES))
def test_wrong_lock_structure_is_one_line_naming_the_key_and_venv_is_untouched(
    case: str, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, message = METADATA_CASES[case]
    rewrite(synced / "poetry.lock", edit)

    assert_refused_and_untouched(synced, capsys, f"poetry.lock: {message}")


def test_groups_as_a_string_never_uninstalls_the_package(synced: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Read as characters, groups = "main" once dropped alpha from .venv and reported success."""
    rewrite(synced / "poetry.lock", lambda lock: package(lock, "alpha").update(groups="main"))

    code, _ = sync_in_process(synced, capsys)

    assert code == 1
    shown = run([".venv/bin/python", "-c", "import importlib.metadata as m; print(m.version('alpha'))"], cwd=synced)
    assert shown.stdout.strip() == "1.0"


PYPROJECT_CASES: dict[str, tuple[Edit, str]] = {
    "group-optional-a-string": (
        lambda data: data["tool"]["poetry"]["group"]["docs"].update(optional="yes"),
        "tool.poetry.group.docs.optional must be true or false, got 'yes'",
    ),
    "group-a-string": (
        lambda data: data["tool"]["poetry"]["group"].update(docs="eta"),
        "tool.poetry.group.docs must be a table, got 'eta'",
    ),
    "dependency-group-a-string": (
        lambda data: data.update({"dependency-groups": {"lint": "ruff"}}),
        "dependency-groups.lint must be a list of requirements, got 'ruff'",
    ),
    "sources-a-table": (
        lambda data: data["tool"]["poetry"].update(source={"name": "x", "url": "http://127.0.0.1/simple"}),
        "tool.poetry.source must be a list of tables, got {'name': 'x', 'url': 'http://127.0.0.1/simple'}",
    ),
    "source-name-a-number": (
        lambda data: data["tool"]["poetry"]["source"][0].update(name=1),
        "tool.poetry.source[1].name must be a string on one line, got 1",
    ),
    "source-priority-a-list": (
        lambda data: data["tool"]["poetry"]["source"][0].update(priority=["primary"]),
        "tool.poetry.source[1].priority must be a string on one line, got ['primary']",
    ),
    "package-mode-a-string": (
        lambda data: data["tool"]["poetry"].update({"package-mode": "false"}),
        "tool.poetry.package-mode must be true or false, got 'false'",
    ),
    "requires-python-a-number": (
        lambda data: data["project"].update({"requires-python": 3.11}),
        "project.requires-python must be a string on one line, got 3.11",
    ),
    "poetry-python-a-number": (
        lambda data: data["tool"]["poetry"].update(dependencies={"python": 3}),
        "tool.poetry.dependencies.python must be a string on one line, got 3",
    ),
    "uv-default-groups-a-string": (
        lambda data: data["tool"].update(uv={"default-groups": "dev"}),
        "tool.uv.default-groups must be a list of group names or \"all\", got 'dev'",
    ),
    "tool-a-string": (lambda data: data.update(tool="poetry"), "tool must be a table, got 'poetry'"),
}


@pytest.mark.parametrize("case", list(PYPROJECT_CASES))
def test_wrong_pyproject_field_is_one_line_naming_the_key_and_venv_is_untouched(
    case: str, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    edit, message = PYPROJECT_CASES[case]
    rewrite(synced / "pyproject.toml", edit)

    assert_refused_and_untouched(synced, capsys, f"pyproject.toml: {message}: fix it in pyproject.toml and run again")
