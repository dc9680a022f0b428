"""devkit's pre-commit hooks with real pre-commit, real prek and real git commits.

Every test that runs the hooks runs once with each program (the `hook_runner` fixture):
pre-commit, the version devkit pins (4.4 or later: `language: unsupported_script`), and
prek, pre-commit's Rust reimplementation. The hook repository is a git repository made
from this checkout's files; the projects are git repositories whose `.venv` holds devkit
and its tools.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import HookRunner
from tests.support.proc import run
from tests.support.service import make_service, write

SOURCE = Path(__file__).resolve().parent.parent
VIOLATION = "import os\n"
MANIFEST_KEYS = ("name", "files", "types_or", "pass_filenames", "always_run", "require_serial", "stages")


def git(root: Path, *args: str) -> str:
    return run(["git", *args], cwd=root).stdout


def snapshot(target: Path) -> str:
    """A git repository of this checkout's files as they are now; returns its commit."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=SOURCE).stdout
    for name in filter(None, listed.split("\0")):
        if (SOURCE / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(SOURCE / name, target / name)
    git(target, "init", "-q")
    git(target, "add", ".")
    git(target, "commit", "-qm", "devkit")
    return git(target, "rev-parse", "HEAD").strip()


@pytest.fixture
def hook_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "devkit-hooks"
    repo.mkdir()
    return repo, snapshot(repo)


def remote_config(repo: Path, rev: str) -> str:
    text = (SOURCE / "hooks/pre-commit-config.yaml").read_text()
    return text.replace("DEVKIT_REPOSITORY", str(repo)).replace("DEVKIT_REV", rev)


def service_config(repo: Path, rev: str) -> str:
    """The shipped config for the test service, which has no GitLab pipeline to check."""
    return remote_config(repo, rev).replace("      - id: devkit-check\n", "")


@pytest.fixture
def project(locked_service: Path, tmp_path: Path, hook_repo: tuple[Path, str], hook_runner: HookRunner) -> Path:
    """A service in a git repository with devkit's hooks installed from the hook repository."""
    root = make_service(locked_service, tmp_path / "service")
    write(root, ".gitignore", ".venv/\n.devkit/\n.mypy_cache/\n.ruff_cache/\n.coverage\n")
    write(root, ".pre-commit-config.yaml", service_config(*hook_repo))
    git(root, "init", "-q")
    run(hook_runner("install"), cwd=root)
    git(root, "add", ".")
    git(root, "commit", "-qm", "start")
    return root


def commit(root: Path, message: str) -> tuple[int, str]:
    git(root, "add", "-A")
    result = run(["git", "commit", "-m", message], cwd=root, check=False)
    return result.returncode, result.stdout + result.stderr


def test_manifest_is_valid(hook_runner: HookRunner) -> None:
    run(hook_runner("validate-manifest", SOURCE / ".pre-commit-hooks.yaml"), cwd=SOURCE)


def test_shipped_configs_are_valid(tmp_path: Path, hook_runner: HookRunner) -> None:
    remote = tmp_path / "remote.yaml"
    remote.write_text(remote_config(tmp_path, "v0.1.0"))
    for config in (remote, SOURCE / "hooks/pre-commit-config.local.yaml", SOURCE / ".pre-commit-config.yaml"):
        run(hook_runner("validate-config", config), cwd=SOURCE)


@pytest.mark.parametrize("config", ["hooks/pre-commit-config.local.yaml", ".pre-commit-config.yaml"])
def test_local_hooks_match_the_manifest(config: str) -> None:
    manifest = {hook["id"]: hook for hook in yaml.safe_load((SOURCE / ".pre-commit-hooks.yaml").read_text())}
    local = yaml.safe_load((SOURCE / config).read_text())["repos"][0]["hooks"]

    for hook in local:
        shipped = manifest[hook["id"]]
        assert {key: hook.get(key) for key in MANIFEST_KEYS} == {key: shipped.get(key) for key in MANIFEST_KEYS}
        if hook["language"] == shipped["language"]:
            assert hook["entry"] == shipped["entry"]
        else:  # run from .venv: what hooks/devkit-hook execs
            words = shipped["entry"].split()[1:]
            translated = {"check": ["sync", "--check", "--quiet"], "managed-check": ["check"]}
            expected = translated.get(" ".join(words), words)
            assert hook["entry"].split() == [".venv/bin/devkit", *expected]


def test_try_repo_passes_a_clean_project_and_fails_a_violation(
    project: Path, hook_repo: tuple[Path, str], hook_runner: HookRunner
) -> None:
    try_repo = hook_runner("try-repo", hook_repo[0], "devkit-lint", "--all-files")
    assert run(try_repo, cwd=project).returncode == 0

    write(project, "app/extra.py", VIOLATION)
    git(project, "add", "app/extra.py")  # pre-commit sees the files git tracks
    result = run(try_repo, cwd=project, check=False)

    assert result.returncode == 1
    assert "F401" in result.stdout


def test_commit_with_a_violation_is_refused_with_the_rule_code(project: Path) -> None:
    write(project, "app/extra.py", VIOLATION)

    code, output = commit(project, "add extra")

    assert code == 1
    assert "F401" in output
    assert "app/extra.py:1:8" in output
    assert git(project, "log", "--format=%s") == "start\n"


def test_clean_commit_passes(project: Path, hook_runner: HookRunner, isolated_env: Path) -> None:
    write(
        project,
        "app/triple.py",
        '"""Tripling."""\n\n\ndef triple(value: int) -> int:\n    """Return 3 x value."""\n    return value * 3\n',
    )

    code, output = commit(project, "add triple")

    assert code == 0, output
    assert "devkit lint" in output
    store = isolated_env / ".cache" / hook_runner.name  # PRE_COMMIT_HOME or PREK_HOME: the test's, never $HOME's
    assert any(store.iterdir()), f"{hook_runner.name} kept its clone of the hook repository elsewhere"


def test_hook_reports_what_make_lint_reports(project: Path) -> None:
    write(project, "app/extra.py", VIOLATION)
    _, hook_output = commit(project, "add extra")
    direct = run([project / ".venv/bin/devkit", "run", "lint", "app/extra.py"], cwd=project, check=False)

    findings = [line for line in direct.stdout.splitlines() if line.startswith(("F401", " -->", "  -->"))]
    assert findings
    for line in findings:
        assert line in hook_output


def test_new_dependency_without_a_new_lock_is_refused(project: Path) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("dependencies = []", 'dependencies = ["requests"]'))

    code, output = commit(project, "add requests")

    assert code == 1
    assert "run `poetry lock`" in output


def test_older_hook_revision_runs_the_projects_devkit(project: Path, hook_repo: tuple[Path, str]) -> None:
    repo, _ = hook_repo
    stages = repo / "devkit/checks/stages.py"
    stages.write_text(stages.read_text().replace('        _MYPY,\n    ),\n    "format"', '    ),\n    "format"'))
    git(repo, "commit", "-qam", "an older devkit whose lint stage had no mypy")
    older = git(repo, "rev-parse", "HEAD").strip()
    write(project, ".pre-commit-config.yaml", service_config(repo, older))
    write(project, "app/untyped.py", '"""Untyped."""\n\n\ndef untyped(value):  # noqa: D103\n    return value\n')

    code, output = commit(project, "untyped")

    assert code == 1
    assert "no-untyped-def" in output  # the project's devkit runs mypy in lint


def test_pre_push_runs_the_tests(project: Path, tmp_path: Path, hook_runner: HookRunner) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(project, "remote", "add", "origin", str(remote))
    run(hook_runner("install", "--hook-type", "pre-push"), cwd=project)
    write(project, "tests/test_broken.py", "def test_broken() -> None:\n    assert 1 == 2\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "broken test", "--no-verify")

    result = run(["git", "push", "origin", "HEAD:main"], cwd=project, check=False)

    assert result.returncode != 0
    assert "test_broken" in result.stdout + result.stderr


def test_hook_bootstraps_a_fresh_clone(
    example_project: Path, hook_repo: tuple[Path, str], hook_runner: HookRunner
) -> None:
    fresh_clone(example_project, hook_repo)

    code, output = hook_run(hook_runner, example_project, "devkit-lint")

    assert code == 0, output
    assert os.access(example_project / ".venv/bin/devkit", os.X_OK)
    assert "synced .venv" in output


def break_python(project: Path, tmp_path: Path) -> None:
    """What removing the Python `.venv` was made with does: `.venv/bin/python` dangles."""
    python = project / ".venv/bin/python"
    python.unlink()
    python.symlink_to(tmp_path / "removed-python/bin/python3.11")


def fresh_clone(project: Path, hook_repo: tuple[Path, str]) -> None:
    """Commit the project with devkit's hooks configured and no `.venv`: a fresh clone."""
    write(project, ".pre-commit-config.yaml", remote_config(*hook_repo))
    write(project, ".gitignore", ".venv/\n.devkit/\n")
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "start", "--no-verify")


def hook_run(runner: HookRunner, project: Path, hook: str) -> tuple[int, str]:
    """`RUNNER run HOOK --all-files --verbose` in `project`: its exit code and output."""
    result = run(runner("run", hook, "--all-files", "--verbose"), cwd=project, check=False)
    return result.returncode, result.stdout + result.stderr


def test_hook_rebuilds_a_venv_whose_python_is_gone(
    example_project: Path, hook_repo: tuple[Path, str], tmp_path: Path, hook_runner: HookRunner
) -> None:
    fresh_clone(example_project, hook_repo)
    run([sys.executable, "-m", "devkit", "sync"], cwd=example_project)
    break_python(example_project, tmp_path)

    code, output = hook_run(hook_runner, example_project, "devkit-lint")

    assert code == 0, output
    assert "synced .venv" in output
    assert (example_project / ".venv/bin/python").resolve().is_file()
    assert "not found" not in output


@pytest.mark.parametrize("name", ["devkit/__init__.py", "devkit.py"])
def test_fresh_clone_bootstrap_never_imports_the_projects_own_devkit(
    example_project: Path, hook_repo: tuple[Path, str], name: str, hook_runner: HookRunner
) -> None:
    trap = '"""The project\'s own module named devkit."""\n\nraise SystemExit("the project\'s devkit was imported")\n'
    write(example_project, name, trap)
    fresh_clone(example_project, hook_repo)

    code, output = hook_run(hook_runner, example_project, "devkit-lint")

    assert code == 0, output
    assert "synced .venv" in output
    assert "the project's devkit was imported" not in output


def test_sync_check_without_a_venv_installs_nothing(
    locked_service: Path, tmp_path: Path, hook_repo: tuple[Path, str], hook_runner: HookRunner
) -> None:
    project = tmp_path / "service"
    shutil.copytree(locked_service, project)
    fresh_clone(project, hook_repo)

    code, output = hook_run(hook_runner, project, "devkit-sync-check")

    assert code == 1
    assert "devkit: error: .venv is missing or its Python is gone: run `make sync` (or `devkit sync`)" in output
    assert not (project / ".venv").exists()


def test_sync_check_with_a_broken_venv_installs_nothing(project: Path, tmp_path: Path, hook_runner: HookRunner) -> None:
    break_python(project, tmp_path)
    before = sorted(path.name for path in (project / ".venv/bin").iterdir())

    code, output = hook_run(hook_runner, project, "devkit-sync-check")

    assert code == 1
    assert "run `make sync` (or `devkit sync`)" in output
    assert not (project / ".venv/bin/python").exists()  # still the dangling link
    assert sorted(path.name for path in (project / ".venv/bin").iterdir()) == before


def test_sync_check_of_a_venv_without_devkit_says_so_and_installs_nothing(
    project: Path, hook_runner: HookRunner
) -> None:
    (project / ".venv/bin/devkit").unlink()  # as a sync without the dev group leaves it
    before = sorted(path.name for path in (project / ".venv/bin").iterdir())

    code, output = hook_run(hook_runner, project, "devkit-sync-check")

    assert code == 1
    assert "devkit: error: .venv has no devkit (synced without the dev group?): run `make sync`" in output
    assert "Python is gone" not in output
    assert sorted(path.name for path in (project / ".venv/bin").iterdir()) == before
