"""`devkit cache-key` computes the key GitLab computes for `cache: key: files:`."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from tests.support.proc import run

DEVKIT = [sys.executable, "-m", "devkit"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "service"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "service"\nversion = "1.0"\n')
    (root / "poetry.lock").write_text('# lock\n[metadata]\nlock-version = "2.1"\n')
    run(["git", "init", "-q"], cwd=root)
    run(["git", "add", "."], cwd=root)
    run(["git", "commit", "-qm", "init"], cwd=root)
    return root


def gitlab_key(root: Path, prefix: str, files: list[str]) -> str:
    """GitLab's algorithm, from git itself: SHA-1 of the sorted blob ids joined with '-'."""
    ids = sorted({run(["git", "hash-object", name], cwd=root).stdout.strip() for name in files})
    digest = hashlib.sha1("-".join(ids).encode()).hexdigest()
    return f"{prefix}-{digest}" if prefix else digest


@pytest.mark.parametrize("prefix", ["dev", "main", ""])
def test_cache_key_equals_gitlab_computation(repo: Path, prefix: str) -> None:
    arguments = ["--prefix", prefix] if prefix else []

    result = run([*DEVKIT, "cache-key", *arguments], cwd=repo)

    assert result.stdout.splitlines()[-1] == gitlab_key(repo, prefix, ["poetry.lock", "pyproject.toml"])
    assert result.stderr == ""


def test_cache_key_warns_when_the_tree_differs_from_head(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "service"\nversion = "2.0"\n')

    result = run([*DEVKIT, "cache-key", "--prefix", "dev"], cwd=repo)

    assert "pyproject.toml differs from HEAD" in result.stderr
    assert result.stdout.splitlines()[-1] == gitlab_key(repo, "dev", ["poetry.lock", "pyproject.toml"])


@pytest.mark.parametrize("prefix", ["dev/main", "../dev", "dev%2Fmain", "dev\nmain-0123", "dev\tx"])
def test_a_prefix_gitlab_refuses_or_that_breaks_the_line_is_a_usage_error(repo: Path, prefix: str) -> None:
    result = run([*DEVKIT, "cache-key", "--prefix", prefix], cwd=repo, check=False)

    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == (
        f"devkit: error: --prefix {prefix!r}: GitLab refuses a cache key with / or %2F, and a key is one line; "
        "rename it\n"
    )


def test_identical_files_count_once(repo: Path) -> None:
    (repo / "poetry.lock").write_bytes((repo / "pyproject.toml").read_bytes())

    result = run([*DEVKIT, "cache-key"], cwd=repo)

    blob = run(["git", "hash-object", "pyproject.toml"], cwd=repo).stdout.strip()
    assert result.stdout.strip() == hashlib.sha1(blob.encode()).hexdigest()


def test_cache_key_outside_a_project_is_a_clear_error(tmp_path: Path) -> None:
    result = run([*DEVKIT, "cache-key"], cwd=tmp_path, check=False)

    assert result.returncode == 1
    assert "no pyproject.toml" in result.stderr


def test_cache_key_outside_git_prints_the_key_without_a_note(tmp_path: Path) -> None:
    root = tmp_path / "service"
    root.mkdir()
    (root / "pyproject.toml").write_text('[project]\nname = "service"\nversion = "1.0"\n')
    (root / "poetry.lock").write_text('# lock\n[metadata]\nlock-version = "2.1"\n')

    result = run([*DEVKIT, "cache-key"], cwd=root)

    assert result.stderr == ""
    assert len(result.stdout.splitlines()[-1]) == 40


def test_git_error_is_reported_and_the_key_still_printed(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "service"\nversion = "2.0"\n')
    (repo / ".git/index").write_bytes(b"not an index")

    result = run([*DEVKIT, "cache-key", "--prefix", "dev"], cwd=repo)

    assert "cannot tell whether poetry.lock and pyproject.toml differ from HEAD" in result.stderr
    assert "`git status` failed" in result.stderr
    assert "index" in result.stderr  # git's own reason
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert result.stdout.splitlines()[-1] == gitlab_key(repo, "dev", ["poetry.lock", "pyproject.toml"])
