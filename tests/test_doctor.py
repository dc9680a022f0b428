"""`devkit doctor` on the example service: every check, its fix, and a tree left as it was.

A synced example in a git repository with its hooks installed (real `make sync`-equivalent
sync, `make hooks`, `make doctor`) passes every check; a stale lock, a missing `.venv` and
tool settings outside lint.toml are each named with their fix.
"""

from __future__ import annotations

import sys
from pathlib import Path

from tests.support.proc import run
from tests.support.service import write

DEVKIT = [sys.executable, "-m", "devkit"]
CHECKS = (
    "interpreter",
    "lock fresh",
    ".venv in sync",
    "hooks installed",
    "managed files",
    "devkit version",
    "uv/Poetry",
    "tool config",
)


def git_repository(project: Path) -> None:
    write(project, ".gitignore", ".venv/\n.devkit/\n")
    run(["git", "init", "-q"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-qm", "start", "--no-verify"], cwd=project)


def tree(project: Path, skip: str = "") -> dict[str, bytes]:
    """Every file under `project` with its bytes, but those under the folder `skip`."""
    files = {}
    for path in sorted(project.rglob("*")):
        name = path.relative_to(project).as_posix()
        if path.is_file() and not (skip and name.startswith(f"{skip}/")):
            files[name] = path.read_bytes()
    return files


def checked(output: str) -> dict[str, list[tuple[str, str]]]:
    """Each check's lines: (status, message)."""
    found: dict[str, list[tuple[str, str]]] = {}
    for line in output.splitlines():
        status, rest = line.split(" ", 1)
        name, message = rest.strip().split(": ", 1)
        found.setdefault(name, []).append((status, message))
    return found


def test_doctor_finds_a_synced_example_with_hooks_all_ok(example_project: Path) -> None:
    git_repository(example_project)
    run([*DEVKIT, "sync"], cwd=example_project)
    run(["make", "hooks"], cwd=example_project)
    before = tree(example_project, skip=".venv/lib")

    result = run(["make", "--no-print-directory", "doctor"], cwd=example_project, check=False)
    make_check = run(["make", "--no-print-directory", "check"], cwd=example_project, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()[1:]  # after make's echo of the command
    assert [line.split(":")[0].split(None, 1) for line in lines] == [["ok", name] for name in CHECKS]
    assert "poetry.lock takes devkit-toolchain from a folder (../..)" in result.stdout
    assert "Python 3.11." in result.stdout
    assert make_check.returncode == 0, make_check.stdout + make_check.stderr
    assert tree(example_project, skip=".venv/lib") == before


def test_doctor_names_each_problem_with_its_fix_and_changes_nothing(example_project: Path) -> None:
    pyproject = example_project / "pyproject.toml"
    text = pyproject.read_text().replace('    "numpy>=2.0",\n', '    "numpy>=2.0",\n    "requests>=2",\n')
    pyproject.write_text(text + "\n[tool.ruff]\nline-length = 100\n\n[tool.pytest]\nstrict = true\n")
    write(example_project, "mypy.ini", "[mypy]\nstrict = True\n")
    git_repository(example_project)
    before = tree(example_project)

    result = run([*DEVKIT, "doctor"], cwd=example_project, check=False)

    found = checked(result.stdout)
    assert result.returncode == 1
    assert list(found) == list(CHECKS)
    assert found["lock fresh"] == [
        (
            "fix",
            "poetry.lock is stale: pyproject.toml changed since it was locked; run `poetry lock`, "
            "commit poetry.lock, then `devkit sync` (.venv was not touched)",
        )
    ]
    assert found[".venv in sync"] == [("fix", ".venv is missing: run `make sync` (or `devkit sync`)")]
    assert found["hooks installed"][0][0] == "fix"
    assert found["hooks installed"][0][1].endswith(": run `make hooks`")
    assert found["tool config"] == [
        ("fix", "pyproject.toml [tool.ruff] is not read by devkit: move its settings into lint.toml"),
        ("fix", "pyproject.toml [tool.pytest] is not read by devkit: move its settings into lint.toml"),
        ("fix", "mypy.ini is not read by devkit: move its settings into lint.toml"),
    ]
    assert found["interpreter"][0][0] == "ok"
    assert result.stderr.splitlines() == ["devkit: error: 6 of 10 checks need a fix: each says how above"]
    assert tree(example_project) == before
    assert not (example_project / ".venv").exists()
