"""gitlab-ci-local: a rendered pipeline run on this machine, with the shell executor."""

from __future__ import annotations

from pathlib import Path

from tests.support.proc import run
from tests.support.service import write


def commit_example(example: Path) -> Path:
    """The copied example, with its rendered pipeline, committed in a new git repository.

    gitlab-ci-local runs each job in `.gitlab-ci-local/builds/JOB`, so the example's
    `../..` dependency on devkit resolves to `.gitlab-ci-local`: devkit's sources are
    linked there as they are next to the example.
    """
    state = example / ".gitlab-ci-local"
    state.mkdir()
    for entry in example.parent.parent.iterdir():
        if entry.is_symlink():
            (state / entry.name).symlink_to(entry.resolve())
    write(example, ".gitignore", ".venv/\n.cache/\n.devkit/\n.gitlab-ci-local/\ndist/\n")
    run(["git", "init", "-q"], cwd=example)
    run(["git", "add", "-A"], cwd=example)
    run(["git", "commit", "-qm", "start"], cwd=example)
    return example


def gitlab(project: Path, executable: Path, *arguments: str) -> tuple[int, str]:
    """Run the pipeline (or the jobs `arguments` name); the exit code and everything printed."""
    command: list[str | Path] = [executable, "--force-shell-executor", "--shell-isolation", "--no-color", *arguments]
    result = run(command, cwd=project, check=False)
    return result.returncode, result.stdout + result.stderr


def job_lines(output: str, job: str) -> list[str]:
    """What `job` printed; gitlab-ci-local's own "still running..." progress lines left out."""
    lines = [line.split(">", 1)[1][1:] for line in output.splitlines() if line.startswith(f"{job} ") and " > " in line]
    return [line for line in lines if line != "still running..."]
