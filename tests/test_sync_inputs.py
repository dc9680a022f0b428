"""Hand-edited inputs of `devkit sync`: poetry.lock, pyproject.toml and the stamp in `.venv`.

Each case starts from the parity project synced by real uv and edits one file the way a
hostile or careless hand would. A lock or pyproject.toml field of the wrong type gives
one line naming the file and the key, exit 1, and `.venv` (stamp included) exactly as it
was. A malformed stamp means "out of date", never "in sync"; a stamp path that is a
directory is an error saying to remove it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
    "marker-that-cannot-compare": (
        lambda lock: package(lock, "delta").update(markers={"main": "os_name ~= 'posix'"}),
        "delta",
        "markers.main is not a valid marker: \"os_name ~= 'posix'\"",
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
    "lock-version-of-5000-digits": (
        lambda lock: lock["metadata"].update({"lock-version": "2." + "1" * 5000}),
        '[metadata]: lock-version must be a version like "2.1", got \'2.111',
    ),
    "lock-version-in-arabic-digits": (
        lambda lock: lock["metadata"].update({"lock-version": "\u0662.\u0661"}),
        '[metadata]: lock-version must be a version like "2.1", got',
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


BYTE_CASES: dict[str, tuple[str, bytes, bytes, str]] = {
    # case: (file, bytes replaced, replacement, the message after the file's path)
    "lock-not-utf8": ("poetry.lock", b'name = "alpha"', b'name = "alph\xe9"', ":not UTF-8 (byte 0xe9)"),
    "pyproject-not-utf8": (
        "pyproject.toml",
        b'description = "devkit parity',
        b'description = "devkit \xff parity',
        ":not UTF-8 (byte 0xff)",
    ),
    "lock-with-a-byte-order-mark": ("poetry.lock", b"", b"\xef\xbb\xbf", ":1:1: starts with a byte-order mark"),
    "pyproject-with-a-byte-order-mark": (
        "pyproject.toml",
        b"",
        b"\xef\xbb\xbf",
        ":1:1: starts with a byte-order mark",
    ),
}


@pytest.mark.parametrize("case", list(BYTE_CASES))
def test_bytes_that_are_not_plain_utf8_are_named_and_venv_is_untouched(
    case: str, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Decoded with replacement characters, such a lock once synced and a pyproject.toml failed mid-install."""
    name, old, new, message = BYTE_CASES[case]
    path = synced / name
    data = path.read_bytes()
    assert old in data
    path.write_bytes(new + data if not old else data.replace(old, new, 1))

    assert_refused_and_untouched(synced, capsys, f"devkit: error: {path}:")
    code, lines = sync_in_process(synced, capsys)
    assert code == 1
    assert message.lstrip(":") in lines[0]
    assert lines[0].endswith("save it as UTF-8 and run again") or lines[0].endswith("without one and run again")


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


# --- the stamp ----------------------------------------------------------------------


def stamp_of(project: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((project / ".venv/devkit-stamp.json").read_text())
    return data


def without(data: dict[str, Any], key: str) -> dict[str, Any]:
    return {name: value for name, value in data.items() if name != key}


STAMP_CASES: dict[str, Callable[[dict[str, Any]], object]] = {
    "python-missing": lambda stamp: without(stamp, "python"),
    "installer-version-missing": lambda stamp: without(stamp, "installer_version"),
    "groups-a-string": lambda stamp: {**stamp, "groups": "main"},
    "groups-with-a-number": lambda stamp: {**stamp, "groups": ["main", 1]},
    "format-true": lambda stamp: {**stamp, "format": True},
    "format-a-float": lambda stamp: {**stamp, "format": 1.0},
    "root-a-string": lambda stamp: {**stamp, "request": {**stamp["request"], "root": "yes"}},
    "request-with-an-extra-key": lambda stamp: {**stamp, "request": {**stamp["request"], "quiet": False}},
    "request-a-list": lambda stamp: {**stamp, "request": list(stamp["request"])},
    "a-list": lambda stamp: [stamp],
    "nested-deeper-than-json-reads": lambda stamp: "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("case", list(STAMP_CASES))
def test_malformed_stamp_is_out_of_date_never_in_sync(
    case: str, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each case keeps the stamp's key and request where it can: only the malformed part is wrong."""
    changed = STAMP_CASES[case](stamp_of(synced))
    text = changed if isinstance(changed, str) else json.dumps(changed)
    (synced / ".venv/devkit-stamp.json").write_text(text)

    code, lines = sync_in_process(synced, capsys, "--check")

    assert code == 1
    assert lines == [
        "devkit: error: .venv is out of date: .venv was not built by a finished `devkit sync`; run `devkit sync`"
    ]


@pytest.mark.parametrize("content", [b"not json {", b"", b'\xff\xfe{"format": 1}'])
def test_unreadable_stamp_is_out_of_date_and_the_next_sync_repairs_it(
    content: bytes, synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = stamp_of(synced)
    (synced / ".venv/devkit-stamp.json").write_bytes(content)

    assert sync_in_process(synced, capsys, "--check")[0] == 1
    code, lines = sync_in_process(synced, capsys)

    assert code == 0, lines
    assert stamp_of(synced) == good
    assert sync_in_process(synced, capsys, "--check")[0] == 0


@pytest.mark.parametrize("options", [(), ("--check",)])
def test_stamp_that_is_a_directory_is_one_line_saying_to_remove_it(
    options: tuple[str, ...], synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    place = synced / ".venv/devkit-stamp.json"
    place.unlink()
    place.mkdir()
    (place / "kept").write_text("")
    before = tree(synced / ".venv")

    code, lines = sync_in_process(synced, capsys, *options)

    assert code == 1
    assert lines == [f"devkit: error: {place} is a directory, not devkit's stamp: remove it, then run `devkit sync`"]
    assert tree(synced / ".venv") == before


def test_stamp_that_is_a_pipe_does_not_block_and_is_replaced(synced: Path) -> None:
    place = synced / ".venv/devkit-stamp.json"
    good = stamp_of(synced)
    place.unlink()
    os.mkfifo(place)

    checked = subprocess.run([*DEVKIT, "sync", "--check"], cwd=synced, capture_output=True, text=True, timeout=60)
    synced_again = subprocess.run([*DEVKIT, "sync"], cwd=synced, capture_output=True, text=True, timeout=120)

    assert checked.returncode == 1, checked.stderr
    assert synced_again.returncode == 0, synced_again.stderr
    assert stamp_of(synced) == good


@pytest.mark.parametrize("command", [["stages"], ["config"], ["run", "lint"], ["ci", "render"], ["ci", "run"]])
def test_every_command_names_a_pyproject_key_of_the_wrong_type(tmp_path: Path, command: list[str]) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "x"\n\n[project]\nname = "app"\nversion = "1"\n')
    (tmp_path / "poetry.lock").write_text("")

    result = run([*DEVKIT, *command], cwd=tmp_path, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "devkit: error: pyproject.toml: tool must be a table, got 'x': fix it in pyproject.toml and run again"
    ]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["poetry.lock", "pyproject.toml"]
