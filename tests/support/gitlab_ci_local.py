"""gitlab-ci-local: a rendered pipeline run on this machine, with the shell or the docker executor."""

from __future__ import annotations

from pathlib import Path

from tests.support.proc import run
from tests.support.service import write

# The docker executor copies the project, caches and artifacts with a helper image (bash,
# rsync). Its default, docker.io/firecow/gitlab-ci-local-util, cannot be pulled here:
# `bash .ci/run` makes this one from the base image and Debian's rsync.
HELPER_IMAGE = "gitlab-ci-local-helper:bookworm"


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
    return commit(example)


def commit(project: Path) -> Path:
    """`project` committed in a new git repository: gitlab-ci-local runs the committed files."""
    write(project, ".gitignore", ".venv/\n.cache/\n.devkit/\n.gitlab-ci-local/\ndist/\n")
    run(["git", "init", "-q"], cwd=project)
    run(["git", "add", "-A"], cwd=project)
    run(["git", "commit", "-qm", "start"], cwd=project)
    return project


def gitlab(project: Path, executable: Path, *arguments: str) -> tuple[int, str]:
    """Run the pipeline (or the jobs `arguments` name); the exit code and everything printed."""
    command: list[str | Path] = [executable, "--force-shell-executor", "--shell-isolation", "--no-color", *arguments]
    result = run(command, cwd=project, check=False)
    return result.returncode, result.stdout + result.stderr


def in_containers(
    project: Path, executable: Path, docker: str, variables: dict[str, str], *arguments: str
) -> tuple[int, str]:
    """Run the pipeline (or the jobs `arguments` name) with the docker executor, each job in its image.

    The containers share the host's network, so a package index on 127.0.0.1 answers
    them; `variables` are given to every job, as a runner's CI/CD variables are. Returns
    the exit code and everything printed.
    """
    command: list[str | Path] = [executable, "--no-color", "--container-executable", docker]
    command += ["--helper-image", HELPER_IMAGE, "--network", "host"]
    for name, value in variables.items():
        command += ["--variable", f"{name}={value}"]
    result = run([*command, *arguments], cwd=project, check=False)
    return result.returncode, result.stdout + result.stderr


def job_lines(output: str, job: str) -> list[str]:
    """What `job` printed; gitlab-ci-local's own "still running..." progress lines left out."""
    lines = [line.split(">", 1)[1][1:] for line in output.splitlines() if line.startswith(f"{job} ") and " > " in line]
    return [line for line in lines if line != "still running..."]


def listed(output: str) -> dict[str, list[str]]:
    """The jobs of `gitlab-ci-local --list`: name, then stage, when, allow_failure and needs."""
    rows = [line.split() for line in output.splitlines()]
    start = next(n for n, row in enumerate(rows) if row[:2] == ["name", "description"])
    return {row[0]: row[1:] for row in rows[start + 1 :] if row}
