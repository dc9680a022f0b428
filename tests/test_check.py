"""`devkit check` and `devkit upgrade` on the example service: every file devkit renders, at once.

The example's committed `.gitlab-ci.yml`, `Dockerfile` and `.dockerignore` are what this
devkit renders; the tests edit them by hand, as a team would, or as a devkit bump leaves them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import HookRunner
from tests.support.proc import run
from tests.support.service import write
from tests.test_hooks import fresh_clone, hook_run, snapshot

DEVKIT = [sys.executable, "-m", "devkit"]
HAND_WRITTEN = "stages: [test]\n\nunit:\n  stage: test\n  script:\n    - make tests\n"
STALE = (
    "devkit: error: .gitlab-ci.yml, Dockerfile differ from what this devkit renders: run `devkit upgrade` and commit"
)


def edit(project: Path, name: str, old: str, new: str) -> None:
    path = project / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def drift(project: Path) -> None:
    """Hand edits of the pipeline and the Dockerfile."""
    edit(project, ".gitlab-ci.yml", ".venv/bin/devkit run lint", ".venv/bin/ruff check .")
    edit(project, "Dockerfile", "USER 10001:10001\nENTRYPOINT", "ENTRYPOINT")


def devkit(project: Path, *arguments: str) -> tuple[int, str, str]:
    result = run([*DEVKIT, *arguments], cwd=project, check=False)
    return result.returncode, result.stdout, result.stderr


def test_check_of_the_committed_example_is_silent(example_project: Path) -> None:
    assert devkit(example_project, "check") == (0, "", "")


def test_check_shows_every_stale_file_in_one_run(example_project: Path) -> None:
    drift(example_project)

    code, stdout, stderr = devkit(example_project, "check")

    assert code == 1
    assert "--- .gitlab-ci.yml (committed)\n" in stdout
    assert "-    - .venv/bin/ruff check .\n+    - .venv/bin/devkit run lint\n" in stdout
    assert "--- Dockerfile (committed)\n" in stdout
    assert "+USER 10001:10001\n" in stdout
    assert ".dockerignore" not in stdout
    assert stderr.splitlines() == [STALE]


def test_upgrade_rewrites_the_stale_files_and_then_finds_nothing(example_project: Path) -> None:
    committed = {name: (example_project / name).read_bytes() for name in (".gitlab-ci.yml", "Dockerfile")}
    drift(example_project)

    first = devkit(example_project, "upgrade")
    second = devkit(example_project, "upgrade")

    assert first == (
        0,
        "updated .gitlab-ci.yml (+1 -1 lines)\nupdated Dockerfile (+1 -0 lines)\n.dockerignore is current\n"
        "Makefile is current\n"
        "commit .gitlab-ci.yml, Dockerfile: what this devkit renders (with the lock that pins it)\n",
        "",
    )
    assert {name: (example_project / name).read_bytes() for name in committed} == committed
    assert second[0] == 0
    assert "updated" not in second[1]
    assert second[1].splitlines()[-1] == "nothing to commit: every file devkit renders is current"
    assert devkit(example_project, "check") == (0, "", "")


def test_upgrade_never_writes_over_a_hand_written_pipeline_but_updates_the_rest(example_project: Path) -> None:
    write(example_project, ".gitlab-ci.yml", HAND_WRITTEN)
    edit(example_project, "Dockerfile", "USER 10001:10001\nENTRYPOINT", "ENTRYPOINT")

    code, stdout, stderr = devkit(example_project, "upgrade")

    assert code == 1
    assert (example_project / ".gitlab-ci.yml").read_text() == HAND_WRITTEN
    assert "updated Dockerfile (+1 -0 lines)\n" in stdout
    assert stderr.splitlines() == [
        f"devkit: error: {example_project / '.gitlab-ci.yml'} was not written by devkit: move its jobs into "
        ".gitlab-ci.local.yml, which the rendered file includes (`git mv .gitlab-ci.yml .gitlab-ci.local.yml`), "
        "then run `devkit ci render` again; or run `devkit ci render --force` to replace it"
    ]
    assert devkit(example_project, "image", "check") == (0, "", "")


def test_check_and_upgrade_see_dockerfile_local(example_project: Path) -> None:
    write(example_project, "Dockerfile.local", "RUN echo local step\n")

    checked = devkit(example_project, "check")
    upgraded = devkit(example_project, "upgrade")

    assert checked[0] == 1
    assert "+RUN echo local step\n" in checked[1]
    assert upgraded[0] == 0
    assert "updated Dockerfile (+2 -1 lines)\n" in upgraded[1]


def test_check_and_upgrade_keep_devkits_block_of_the_makefile_current(example_project: Path) -> None:
    makefile = example_project / "Makefile"
    committed = makefile.read_text()
    lint = next(line for line in committed.splitlines() if line.startswith("#> lint:"))
    own = "\nserve: ## run the service\n\t$(VENV)/bin/ml-service serve\n"
    makefile.write_text(committed.replace(f"{lint}\n", "", 1) + own)  # an older devkit's block, the team's target

    checked = devkit(example_project, "check")
    upgraded = devkit(example_project, "upgrade")

    assert checked[0] == 1
    assert "--- Makefile (committed)\n" in checked[1]
    assert f"+{lint}\n" in checked[1]
    assert checked[2].splitlines() == [
        "devkit: error: Makefile differs from what this devkit renders: run `devkit upgrade` and commit"
    ]
    assert upgraded[0] == 0, upgraded
    assert "updated Makefile (+1 -0 lines)\n" in upgraded[1]
    assert makefile.read_text() == committed + own
    assert devkit(example_project, "check") == (0, "", "")


def test_check_of_a_makefile_that_is_not_utf8_is_one_line_and_changes_nothing(example_project: Path) -> None:
    makefile = example_project / "Makefile"
    latin1 = makefile.read_bytes() + b"# caf\xe9\n"
    makefile.write_bytes(latin1)

    code, stdout, stderr = devkit(example_project, "check")

    assert (code, stdout) == (1, "")
    assert stderr == f"devkit: error: {makefile} is not UTF-8: save it as UTF-8, then run `devkit check` again\n"
    assert makefile.read_bytes() == latin1


@pytest.fixture
def hook_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "devkit-hooks"
    repo.mkdir()
    return repo, snapshot(repo)


def test_the_devkit_check_hook_fails_on_a_stale_dockerfile_until_upgrade(
    example_project: Path, hook_repo: tuple[Path, str], hook_runner: HookRunner
) -> None:
    edit(example_project, "Dockerfile", "USER 10001:10001\nENTRYPOINT", "ENTRYPOINT")
    fresh_clone(example_project, hook_repo)

    failed = hook_run(hook_runner, example_project, "devkit-check")
    run([example_project / ".venv/bin/devkit", "upgrade"], cwd=example_project)
    passed = hook_run(hook_runner, example_project, "devkit-check")

    assert failed[0] == 1
    assert "+USER 10001:10001" in failed[1]
    assert "Dockerfile differs from what this devkit renders: run `devkit upgrade` and commit" in failed[1]
    assert passed[0] == 0, passed[1]
