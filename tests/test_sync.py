"""`devkit sync` against real uv and real Poetry, installing from the session's loopback index."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from devkit.main import main
from tests.support.index import RunningIndex
from tests.support.proc import run

SEED = {"pip", "setuptools", "wheel"}  # what `python -m venv` puts in before Poetry runs
DEVKIT = [sys.executable, "-m", "devkit"]


def installed(project: Path, uv: Path) -> set[tuple[str, str]]:
    """Every distribution in the project's .venv, as (name, version), seed packages aside."""
    listing = run([uv, "pip", "list", "--python", project / ".venv/bin/python", "--format", "json"], cwd=project)
    return {(entry["name"], entry["version"]) for entry in json.loads(listing.stdout) if entry["name"] not in SEED}


def poetry_sync(project: Path, poetry: Path, python: str, *args: str) -> None:
    """What a team without devkit runs: `poetry sync` into a .venv made by `python -m venv`."""
    run([python, "-m", "venv", ".venv"], cwd=project)
    env = dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="true")
    run([poetry, "sync", "--no-interaction", *args], cwd=project, env=env)


def devkit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *args], cwd=project, check=False)


def tree(folder: Path) -> dict[str, float]:
    """Every file under `folder` with its modification time: to prove nothing changed."""
    return {str(path.relative_to(folder)): path.lstat().st_mtime for path in folder.rglob("*")}


def set_python(project: Path, version: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f'\n[tool.devkit]\npython = "{version}"\n')


@pytest.mark.parametrize(
    ("python", "options"),
    [
        ("3.11", ()),
        ("3.11", ("--only", "main")),
        ("3.11", ("--with", "docs")),
        ("3.12", ()),
    ],
)
def test_sync_installs_what_poetry_sync_installs(
    parity_project: Path,
    tmp_path: Path,
    poetry: Path,
    uv: Path,
    python: str,
    options: tuple[str, ...],
    request: pytest.FixtureRequest,
) -> None:
    if python != "3.11":
        request.getfixturevalue("second_python")
    reference = tmp_path / "reference"
    shutil.copytree(parity_project, reference)
    set_python(parity_project, python)
    poetry_sync(reference, poetry, f"python{python}", *options)

    result = devkit(parity_project, "sync", *options)

    assert result.returncode == 0, result.stderr
    ours = installed(parity_project, uv)
    assert ours == installed(reference, uv)
    names = {name for name, _ in ours}
    assert "gamma" not in names  # Windows only
    assert ("beta", "1.0" if python == "3.11" else "2.0") in ours  # locked twice, exclusive markers
    assert ("eta" in names) == ("--with" in options)
    assert ("epsilon" in names) == ("--only" not in options)


@pytest.mark.parametrize(
    ("python", "options", "poetry_options", "optional"),
    [
        ("3.11", ("-E", "serve"), ("-E", "serve"), {"iota", "kappa"}),
        ("3.11", ("--extras", "fast"), ("--extras", "fast"), {"kappa"}),
        ("3.12", ("--extras", "fast"), ("--extras", "fast"), {"kappa", "lam"}),
        ("3.12", ("--extras=serve,fast",), ("-E", "serve", "-E", "fast"), {"iota", "kappa", "lam"}),
        ("3.12", ("--all-extras", "--only", "main"), ("--all-extras", "--only", "main"), {"iota", "kappa", "lam"}),
    ],
)
def test_sync_installs_the_extras_poetry_sync_installs(
    parity_project: Path,
    tmp_path: Path,
    poetry: Path,
    uv: Path,
    second_python: str,
    python: str,
    options: tuple[str, ...],
    poetry_options: tuple[str, ...],
    optional: set[str],
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(parity_project, reference)
    set_python(parity_project, python)
    poetry_sync(reference, poetry, f"python{python}", *poetry_options)

    result = devkit(parity_project, "sync", *options)

    assert result.returncode == 0, result.stderr
    ours = installed(parity_project, uv)
    assert ours == installed(reference, uv)
    assert {name for name, _ in ours} & {"iota", "kappa", "lam"} == optional


def test_extras_are_part_of_what_the_stamp_compares(parity_project: Path) -> None:
    assert devkit(parity_project, "sync", "-E", "serve").returncode == 0

    again = devkit(parity_project, "sync", "--extras", "serve")

    assert again.returncode == 0
    assert again.stderr == "devkit: .venv is in sync with poetry.lock\n"
    assert devkit(parity_project, "sync", "--check", "-E", "serve").returncode == 0
    without = devkit(parity_project, "sync", "--check")
    assert without.returncode == 1
    assert "the last sync installed other groups, extras or options" in without.stderr
    assert devkit(parity_project, "sync", "--check", "--all-extras").returncode == 1


def test_an_unknown_extra_is_a_usage_error_naming_the_extras(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    before = tree(parity_project / ".venv")

    result = devkit(parity_project, "sync", "-E", "serve,nosuch")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "devkit: error: no extra 'nosuch' in pyproject.toml; the extras are: fast, serve"
    ]
    assert tree(parity_project / ".venv") == before


def test_installer_poetry_installs_the_same_extras(parity_project: Path, tmp_path: Path, uv: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(parity_project, other)
    assert devkit(parity_project, "sync", "-E", "serve").returncode == 0

    result = devkit(other, "sync", "-E", "serve", "--installer", "poetry")

    assert result.returncode == 0, result.stderr
    assert installed(other, uv) == installed(parity_project, uv)
    assert {"iota", "kappa"} <= {name for name, _ in installed(other, uv)}


def test_sync_is_a_noop_when_nothing_changed(parity_project: Path, uv: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    before = tree(parity_project / ".venv")

    again = devkit(parity_project, "sync")

    assert again.returncode == 0
    assert "in sync with poetry.lock" in again.stderr
    assert tree(parity_project / ".venv") == before
    assert devkit(parity_project, "sync", "--check").returncode == 0


def test_sync_removes_what_the_lock_does_not_select(parity_project: Path, uv: Path, index_url: str) -> None:
    assert devkit(parity_project, "sync", "--with", "docs").returncode == 0
    run([uv, "pip", "install", "--python", ".venv/bin/python", "--index-url", index_url, "gamma"], cwd=parity_project)

    assert devkit(parity_project, "sync", "--only", "main").returncode == 0

    names = {name for name, _ in installed(parity_project, uv)}
    assert names == {"parity-app", "alpha", "beta", "delta"}


def test_check_reports_stale_without_installing(parity_project: Path) -> None:
    result = devkit(parity_project, "sync", "--check")

    assert result.returncode == 1
    assert "run `devkit sync`" in result.stderr
    assert not (parity_project / ".venv").exists()


def test_stale_lock_is_refused_and_venv_left_as_it_was(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    before = tree(parity_project / ".venv")
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"alpha (<2)",', '"alpha (<2)",\n    "eta",'))

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert "run `poetry lock`" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree(parity_project / ".venv") == before
    assert devkit(parity_project, "sync", "--check").returncode == 1


def test_editing_tool_settings_keeps_the_lock_fresh(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.ruff]\nline-length = 100\n")

    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    assert "synced .venv" in result.stderr  # the cache key covers the whole file


def test_missing_python_is_a_clear_error(parity_project: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    before = tree(parity_project / ".venv")
    set_python(parity_project, "3.29")

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    assert "Python 3.29 ([tool.devkit] python) is not installed" in result.stderr
    assert tree(parity_project / ".venv") == before


def test_venv_on_another_python_is_rebuilt(parity_project: Path, uv: Path, second_python: str) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    set_python(parity_project, "3.12")

    assert devkit(parity_project, "sync").returncode == 0

    config = (parity_project / ".venv/pyvenv.cfg").read_text()
    assert "version_info = 3.12" in config
    assert ("beta", "2.0") in installed(parity_project, uv)


def test_installer_poetry_gives_the_same_environment(parity_project: Path, tmp_path: Path, uv: Path) -> None:
    other = tmp_path / "other"
    shutil.copytree(parity_project, other)
    assert devkit(parity_project, "sync").returncode == 0

    result = devkit(other, "sync", "--installer", "poetry")

    assert result.returncode == 0, result.stderr
    assert installed(other, uv) == installed(parity_project, uv)
    stamp = json.loads((other / ".venv/devkit-stamp.json").read_text())
    assert stamp["installer"] == "poetry"


def test_killed_sync_is_stale_and_the_next_sync_repairs(
    parity_project: Path, uv: Path, index: RunningIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = parity_project
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))  # so uv must download
    with index.slow(1.0):
        process = subprocess.Popen([*DEVKIT, "sync"], cwd=project, start_new_session=True, stderr=subprocess.DEVNULL)
        listing = project / ".devkit/requirements.txt"
        deadline = time.monotonic() + 60
        while not listing.exists() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.01)
        time.sleep(0.5)  # uv is now waiting for the slow index
        assert process.poll() is None, "the sync finished before it could be interrupted"
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    assert devkit(project, "sync", "--check").returncode == 1
    assert devkit(project, "sync").returncode == 0
    assert {"alpha", "beta", "delta", "epsilon", "zeta"} <= {name for name, _ in installed(project, uv)}
    assert devkit(project, "sync", "--check").returncode == 0


def test_two_syncs_at_once_install_once(parity_project: Path, uv: Path) -> None:
    processes = [
        subprocess.Popen([*DEVKIT, "sync"], cwd=parity_project, stderr=subprocess.PIPE, text=True) for _ in range(2)
    ]
    outputs = [process.communicate(timeout=300)[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0], outputs
    assert sum("synced .venv" in output for output in outputs) == 1, outputs
    assert devkit(parity_project, "sync", "--check").returncode == 0


@pytest.mark.parametrize(
    ("name", "broken"), [("pyproject.toml", "[project\n"), ("poetry.lock", "[[package]]\nname = \n")]
)
def test_malformed_toml_names_file_line_and_column(parity_project: Path, name: str, broken: str) -> None:
    (parity_project / name).write_text(broken)

    result = devkit(parity_project, "sync")

    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert f"{name}:" in lines[0]
    assert "invalid TOML" in lines[0]
    line, column = lines[0].split(f"{name}:")[1].split(":")[:2]
    assert line.isdigit()
    assert column.isdigit()


def test_sync_works_from_a_subfolder(parity_project: Path) -> None:
    result = run([*DEVKIT, "sync"], cwd=parity_project / "parity_app")

    assert "synced .venv" in result.stderr
    assert (parity_project / ".venv/devkit-stamp.json").is_file()


def test_missing_installer_says_what_to_install(parity_project: Path, tmp_path: Path) -> None:
    source = Path(__file__).resolve().parent.parent
    run(["python3.11", "-m", "venv", "--without-pip", tmp_path / "bare"], cwd=tmp_path)
    env = dict(os.environ, PATH=str(tmp_path / "empty"), PYTHONPATH=str(source))

    result = run([tmp_path / "bare/bin/python", "-m", "devkit", "sync"], cwd=parity_project, env=env, check=False)

    assert result.returncode == 1
    assert "no installer found: install uv" in result.stderr
    assert not (parity_project / ".venv").exists()


def test_in_process_main_returns_the_exit_code(parity_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(parity_project)

    assert main(["sync", "--check", "--quiet"]) == 1
    assert main(["sync", "--quiet"]) == 0
    assert main(["sync", "--check", "--quiet"]) == 0


@pytest.mark.parametrize(("python", "beta"), [("python3.11", "1.0"), ("python3.12", "2.0")])
def test_markers_are_evaluated_for_the_venv_interpreter(
    parity_template: Path, request: pytest.FixtureRequest, python: str, beta: str
) -> None:
    from devkit.env import markers
    from devkit.env.installers.uv_pip import requirements
    from devkit.env.locks import poetry_lock

    if python != "python3.11":
        request.getfixturevalue("second_python")
    interpreter = Path(shutil.which(python) or python)
    lock = poetry_lock.read(parity_template / "poetry.lock")
    groups = ("main", "dev")

    evaluated = requirements(lock.packages, groups, parity_template, markers.evaluator(interpreter))
    deferred = requirements(lock.packages, groups, parity_template)

    pins = [line.split(" ")[0] for line in evaluated]
    assert pins == ["alpha==1.0", f"beta=={beta}", "delta==1.0", "epsilon==1.0", "zeta==1.0"]
    assert not [line for line in evaluated if ";" in line]
    optional = {"iota==1.0", "kappa==1.0", "lam==1.0"}  # marked `extra == ...`, for uv to leave out
    assert {line.split(" ")[0] for line in deferred} == {*pins, "beta==1.0", "beta==2.0", "gamma==1.0", *optional}
    assert all("sys_platform" in line for line in deferred if line.startswith(("gamma", "delta")))
