"""Every file devkit writes is written atomically; faults while writing are one-line errors.

The faults are real: a small tmpfs filled up for "no space left", and devkit run as an
unprivileged user (`setpriv`) on a project it cannot write. Both need root, as the tests
and CI run.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

import devkit
from devkit.env.project import Project
from devkit.errors import DevkitError
from devkit.files import atomic
from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write

SOURCE = Path(__file__).resolve().parent.parent
EXAMPLE = SOURCE / "examples/ml-service"
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def needs_root(what: str) -> None:
    if os.geteuid() != 0:
        pytest.fail(f"{what} needs root (tests and CI run as root): run the tests as root")


def test_a_write_replaces_the_file_and_keeps_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "lint.toml"
    target.write_text("old\n")
    target.chmod(0o640)

    atomic.write_text(target, "new\n")

    assert target.read_text() == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["lint.toml"]


def test_a_new_file_gets_the_mode_the_umask_allows(tmp_path: Path) -> None:
    umask = os.umask(0o027)
    try:
        atomic.write_text(tmp_path / "new.txt", "text\n")
    finally:
        os.umask(umask)

    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o640


def test_a_symbolic_link_stays_and_its_file_is_replaced(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared/pipeline.yml").write_text("old\n")
    (tmp_path / ".gitlab-ci.yml").symlink_to("shared/pipeline.yml")

    atomic.write_text(tmp_path / ".gitlab-ci.yml", "new\n")

    assert (tmp_path / ".gitlab-ci.yml").is_symlink()
    assert (tmp_path / "shared/pipeline.yml").read_text() == "new\n"
    assert sorted(entry.name for entry in (tmp_path / "shared").iterdir()) == ["pipeline.yml"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / ".gitlab-ci.yml"
    target.write_text("old\n")

    def interrupt(handle: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic.write_text(target, "new\n" * 1000)

    assert target.read_text() == "old\n"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == [".gitlab-ci.yml"]


def test_an_io_error_while_writing_is_one_devkit_error_naming_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "config.key"
    target.write_text("old")

    def fail(handle: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", fail)
    with pytest.raises(DevkitError) as raised:
        atomic.write_text(target, "new")

    assert str(raised.value) == f"cannot write {target}: Input/output error: fix that and run again"
    assert target.read_text() == "old"
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["config.key"]


def test_writing_over_a_folder_says_so_and_leaves_it(tmp_path: Path) -> None:
    (tmp_path / "stamp").mkdir()

    with pytest.raises(DevkitError, match=r"stamp: it is a folder: move it away"):
        atomic.write_text(tmp_path / "stamp", "{}")

    assert (tmp_path / "stamp").is_dir()
    assert [entry.name for entry in tmp_path.iterdir()] == ["stamp"]


# A full disk ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 16 MiB tmpfs, unmounted after the test."""
    needs_root("mounting a tmpfs")
    mount = tmp_path / "disk"
    mount.mkdir()
    run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", mount], cwd=tmp_path)
    try:
        yield mount
    finally:
        run(["umount", mount], cwd=tmp_path)


def fill(disk: Path) -> None:
    """Write to `disk` until it is full: the next byte written anywhere on it fails."""
    with (disk / "filler").open("wb", buffering=0) as handle:
        for chunk in (b"\0" * 65536, b"\0"):
            assert write_until_an_error(handle, chunk) == errno.ENOSPC


def write_until_an_error(handle: BinaryIO, chunk: bytes) -> int | None:
    """Write `chunk` again and again; the errno that stopped it."""
    try:
        while True:
            handle.write(chunk)
    except OSError as exc:
        return exc.errno


def pipeline_project(root: Path) -> Path:
    """A project `devkit ci render` works on: the example's pyproject.toml and poetry.lock."""
    root.mkdir()
    for name in ("pyproject.toml", "poetry.lock"):
        shutil.copy(EXAMPLE / name, root / name)
    return root


def test_ci_render_on_a_full_disk_keeps_the_old_file(small_disk: Path) -> None:
    project = pipeline_project(small_disk / "project")
    run([*DEVKIT, "ci", "render"], cwd=project)
    before = (project / ".gitlab-ci.yml").read_bytes()
    write(project, ".gitlab-ci.local.yml", "deploy:\n  script:\n    - echo deploying\n")
    fill(small_disk)

    result = run([*DEVKIT, "ci", "render"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot write {project / '.gitlab-ci.yml'}: no space left on the device: "
        "free some space and run again"
    ]
    assert (project / ".gitlab-ci.yml").read_bytes() == before
    assert sorted(path.name for path in project.iterdir()) == [
        ".gitlab-ci.local.yml",
        ".gitlab-ci.yml",
        "poetry.lock",
        "pyproject.toml",
    ]


def test_lint_on_a_full_disk_keeps_the_old_config(small_disk: Path, locked_service: Path) -> None:
    service = make_service(locked_service, small_disk / "service")
    run([*DEVKIT, "run", "format"], cwd=service)
    state = service / ".devkit"
    before = {path.name: path.read_bytes() for path in state.iterdir()}
    write(service, "lint.toml", "[tool.ruff]\nline-length = 100\n")
    fill(small_disk)

    result = run([*DEVKIT, "run", "lint"], cwd=service, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot write {state / 'lint.toml'}: no space left on the device: free some space and run again"
    ]
    assert {path.name: path.read_bytes() for path in state.iterdir()} == before


def test_ci_render_on_a_read_only_file_system_says_so_and_keeps_the_file(small_disk: Path) -> None:
    project = pipeline_project(small_disk / "project")
    run([*DEVKIT, "ci", "render"], cwd=project)
    before = snapshot(project)
    run(["mount", "-o", "remount,ro", small_disk], cwd=project)

    result = run([*DEVKIT, "ci", "render", "--force"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot write {project / '.gitlab-ci.yml'}: {project} is on a read-only file system: "
        "run devkit on a writable copy"
    ]
    assert snapshot(project) == before


# Permission denied ---------------------------------------------------------


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder every user can reach (tmp_path's parents are the owner's only)."""
    folder = Path(tempfile.mkdtemp(prefix="devkit-open-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


@pytest.fixture
def as_nobody(open_folder: Path) -> Iterator[list[str]]:
    """The command that runs devkit as user 65534 with this Python and this devkit.

    The interpreter, devkit's sources and the test environment's packages are bind-mounted
    (read-only) into a folder that user can reach, whatever the modes of their own parents.
    """
    needs_root("running devkit as another user")
    mounts = {"python": Path(sys.base_prefix), "src": Path(devkit.__file__).parent.parent}
    mounts["site"] = Path(sysconfig.get_path("purelib"))
    done: list[Path] = []
    try:
        for name, source in mounts.items():
            (open_folder / name).mkdir()
            run(["mount", "--bind", "-o", "ro", source, open_folder / name], cwd=open_folder)
            done.append(open_folder / name)
        python = open_folder / "python/bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
        yield [
            *NOBODY,
            "env",
            "PYTHONDONTWRITEBYTECODE=1",
            f"LD_LIBRARY_PATH={open_folder / 'python/lib'}",
            f"PYTHONPATH={open_folder / 'src'}{os.pathsep}{open_folder / 'site'}",
            str(python),
            "-m",
            "devkit",
        ]
    finally:
        for mount in done:
            run(["umount", mount], cwd=open_folder)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def test_ci_render_in_a_folder_the_user_cannot_write_changes_nothing(open_folder: Path, as_nobody: list[str]) -> None:
    project = pipeline_project(open_folder / "project")
    run([*DEVKIT, "ci", "render"], cwd=project)
    before = snapshot(project)

    result = run([*as_nobody, "ci", "render"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot write {project / '.gitlab-ci.yml'}: permission denied: the folder {project} "
        "is not writable for this user; run devkit as its owner or fix its permissions"
    ]
    assert snapshot(project) == before


def test_lint_in_a_project_the_user_cannot_write_names_the_folder(open_folder: Path, as_nobody: list[str]) -> None:
    project = pipeline_project(open_folder / "project")
    before = snapshot(project)

    result = run([*as_nobody, "run", "lint"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot create the folder {project / '.devkit'}: permission denied: the folder {project} "
        "is not writable for this user; run devkit as its owner or fix its permissions"
    ]
    assert snapshot(project) == before
    assert sorted(path.name for path in project.iterdir()) == ["poetry.lock", "pyproject.toml"]


def test_sync_in_a_project_whose_state_folder_the_user_cannot_write_names_the_lock(
    open_folder: Path, as_nobody: list[str]
) -> None:
    project = pipeline_project(open_folder / "project")
    Project(project, "poetry.lock").state_dir()  # .devkit/ made by an earlier run as root
    before = snapshot(project)

    result = run([*as_nobody, "sync"], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: cannot open the sync lock {project / '.devkit/sync.lock'}: permission denied: the folder "
        f"{project / '.devkit'} is not writable for this user; run devkit as its owner or fix its permissions"
    ]
    assert snapshot(project) == before
    assert not (project / ".venv").exists()
