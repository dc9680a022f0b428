"""`[tool.devkit] with`, `extras` and `all-extras`: the project's default selection, used alike by
`devkit sync`, `--check`, the hooks, `make` and the re-sync of `devkit run`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from devkit.env import sync
from devkit.env.project import find_project
from tests.support.proc import run

SOURCE = Path(__file__).resolve().parent.parent
DEVKIT = [sys.executable, "-m", "devkit"]
DEFAULTS = '\n[tool.devkit]\nwith = ["docs"]\nextras = ["serve"]\n'


def devkit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *args], cwd=project, check=False)


def names(project: Path, uv: Path) -> set[str]:
    listing = run([uv, "pip", "list", "--python", project / ".venv/bin/python", "--format", "json"], cwd=project)
    return {entry["name"] for entry in json.loads(listing.stdout)}


def add(project: Path, text: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + text)


def test_a_plain_sync_installs_the_default_selection_as_poetry_does_with_those_options(
    parity_project: Path, tmp_path: Path, poetry: Path, uv: Path
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(parity_project, reference)
    run(["python3.11", "-m", "venv", ".venv"], cwd=reference)
    env = dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="true")
    run([poetry, "sync", "--no-interaction", "--with", "docs", "-E", "serve"], cwd=reference, env=env)
    add(parity_project, DEFAULTS + 'python = "3.11"\n')

    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    assert "synced .venv: dev, docs, main (extras: serve)" in result.stderr
    assert names(parity_project, uv) == names(reference, uv) - {"pip", "setuptools", "wheel"}
    assert {"eta", "iota", "kappa"} <= names(parity_project, uv)


@pytest.mark.parametrize(
    ("options", "present", "absent"),
    [
        (("--without", "docs"), {"iota", "kappa", "epsilon"}, {"eta"}),
        (("-E", "fast"), {"eta", "iota", "kappa"}, set()),
        (("--only", "main"), {"iota", "kappa"}, {"eta", "epsilon"}),
    ],
)
def test_options_add_to_the_defaults_without_removes_and_only_names_the_groups(
    parity_project: Path, uv: Path, options: tuple[str, ...], present: set[str], absent: set[str]
) -> None:
    add(parity_project, DEFAULTS)

    assert devkit(parity_project, "sync", *options).returncode == 0

    installed = names(parity_project, uv)
    assert present <= installed
    assert not absent & installed


def test_naming_the_defaults_again_is_the_same_selection_for_check_hooks_and_make(parity_project: Path) -> None:
    add(parity_project, DEFAULTS)
    assert devkit(parity_project, "sync", "--with", "docs", "-E", "serve").returncode == 0
    (parity_project / ".venv/bin/devkit").symlink_to(Path(sys.executable).parent / "devkit")
    (parity_project / "Makefile").write_text(
        f"DEVKIT = {sys.executable} -m devkit\ninclude {SOURCE / 'make/devkit.mk'}\n"
    )

    check = devkit(parity_project, "sync", "--check")
    hook = run([SOURCE / "hooks/devkit-hook", "check"], cwd=parity_project, check=False)
    make = run(["make", "sync"], cwd=parity_project, check=False)

    assert check.returncode == 0, check.stderr
    assert hook.returncode == 0, hook.stderr
    assert make.returncode == 0, make.stderr
    assert "devkit: .venv is in sync with poetry.lock" in make.stderr
    assert devkit(parity_project, "sync", "--check", "--without", "docs").returncode == 1


def test_without_defaults_an_optional_group_synced_once_is_stale_for_the_hook(parity_project: Path) -> None:
    assert devkit(parity_project, "sync", "--with", "docs").returncode == 0
    (parity_project / ".venv/bin/devkit").symlink_to(Path(sys.executable).parent / "devkit")

    hook = run([SOURCE / "hooks/devkit-hook", "check"], cwd=parity_project, check=False)

    assert hook.returncode == 1
    assert "the last sync installed other groups, extras or options" in hook.stderr


def test_all_extras_by_default(parity_project: Path, uv: Path) -> None:
    add(parity_project, '\n[tool.devkit]\nall-extras = true\npython = "3.12"\n')

    assert devkit(parity_project, "sync").returncode == 0

    assert {"iota", "kappa", "lam"} <= names(parity_project, uv)


def test_the_rerun_of_devkit_run_keeps_the_defaults(
    parity_project: Path, uv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(parity_project, DEFAULTS)
    assert devkit(parity_project, "sync", "--with", "docs").returncode == 0
    add(parity_project, "\n[tool.ruff]\nline-length = 100\n")
    monkeypatch.chdir(parity_project)

    sync.keep_current(find_project(parity_project))

    assert {"eta", "iota", "kappa"} <= names(parity_project, uv)
    assert devkit(parity_project, "sync", "--check").returncode == 0


@pytest.mark.parametrize(
    ("setting", "message", "code"),
    [
        ('with = "docs"', "[tool.devkit] with in pyproject.toml must be a list of strings", 1),
        ("extras = [1]", "[tool.devkit] extras in pyproject.toml must be a list of strings", 1),
        ('all-extras = "yes"', "[tool.devkit] all-extras = 'yes' in pyproject.toml must be true or false", 1),
        ('with = ["nosuch"]', "no dependency group 'nosuch' in pyproject.toml", 2),
        ('extras = ["nosuch"]', "no extra 'nosuch' in pyproject.toml; the extras are: fast, serve", 2),
    ],
)
def test_a_wrong_default_is_one_line_and_venv_is_untouched(
    parity_project: Path, setting: str, message: str, code: int
) -> None:
    assert devkit(parity_project, "sync").returncode == 0
    stamp = (parity_project / ".venv/devkit-stamp.json").read_bytes()
    add(parity_project, f"\n[tool.devkit]\n{setting}\n")

    result = devkit(parity_project, "sync")

    assert result.returncode == code
    assert len(result.stderr.splitlines()) == 1
    assert message in result.stderr
    assert (parity_project / ".venv/devkit-stamp.json").read_bytes() == stamp


def test_the_ci_dev_cache_holds_the_default_selection_the_check_jobs_use(parity_project: Path, uv: Path) -> None:
    from devkit.render import gitlab_ci

    add(parity_project, DEFAULTS)
    command = gitlab_ci.sync_script(gitlab_ci.SYNC).splitlines()[-1].split()  # build:deps:dev's, and .devkit's

    built = devkit(parity_project, *command[1:])
    reused = devkit(parity_project, *command[1:])

    assert command[:2] == [f"{gitlab_ci.BOOTSTRAP}/bin/devkit", "sync"]
    assert built.returncode == 0, built.stderr
    assert {"eta", "iota", "kappa"} <= names(parity_project, uv)
    assert reused.stderr == "devkit: .venv is in sync with poetry.lock\n"
