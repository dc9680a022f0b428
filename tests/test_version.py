"""`devkit version` and `devkit bump` on real git repositories, and the make targets that run them.

Each test writes a pyproject.toml ([project] or [tool.poetry] style) into a fresh git
repository in tmp_path, runs devkit's `main([...])` there, and checks what a user sees:
the exit code, stdout and stderr, pyproject.toml's bytes, the commits and the tags.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from devkit.main import main
from devkit.release.version import PARTS, next_version, parse
from tests.support.proc import run
from tests.support.wheels import build_wheel

SOURCE = Path(__file__).resolve().parent.parent
DEVKIT_MK = SOURCE / "make/devkit.mk"
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES", "MAKEOVERRIDES", "GNUMAKEFLAGS", "BUMP_ARGS")

PROJECT_STYLE = """\
# The service's metadata; the version is bumped by `devkit bump`.
[project]
name = "service"
version = '1.4.2'  # the released version
requires-python = ">=3.11"

# Keep this table as it is.
[tool.ruff]
line-length = 100
"""
POETRY_STYLE = """\
[tool.poetry]
name = "service"
version = "1.4.2"  # the released version
description = "A service."
authors = []

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
"""
POETRY_DYNAMIC = """\
[project]
name = "service"
dynamic = ["version"]

[tool.poetry]
version = "1.4.2"
"""
STYLES = {"project": PROJECT_STYLE, "poetry": POETRY_STYLE}
KEYS = {"project": "[project].version", "poetry": "[tool.poetry].version"}


class Result(NamedTuple):
    code: int
    out: str
    err: str


@pytest.fixture
def devkit(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Devkit:
    return Devkit(monkeypatch, capsys)


class Devkit:
    """Runs `devkit ARGS` in a folder, in this process, and returns what it printed."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch = monkeypatch
        self.capsys = capsys

    def __call__(self, root: Path, *args: str) -> Result:
        self.monkeypatch.chdir(root)
        self.capsys.readouterr()
        code = main(list(args))
        captured = self.capsys.readouterr()
        return Result(code, captured.out, captured.err)


def git(root: Path, *args: str) -> str:
    return run(["git", *args], cwd=root).stdout.rstrip("\n")


def repository(root: Path, pyproject: str) -> Path:
    """A git repository at `root` whose first commit holds `pyproject` and a README."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject)
    (root / "README.md").write_text("# service\n")
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "Start the service")
    return root


@pytest.fixture(params=sorted(STYLES))
def style(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def repo(tmp_path: Path, style: str) -> Path:
    return repository(tmp_path / "service", STYLES[style])


@pytest.fixture
def project_repo(tmp_path: Path) -> Path:
    return repository(tmp_path / "service", PROJECT_STYLE)


class Snapshot(NamedTuple):
    """What a command must leave alone: pyproject.toml's bytes, HEAD, the tags, the status."""

    pyproject: bytes
    head: str
    tags: str
    status: str


def snapshot(root: Path) -> Snapshot:
    return Snapshot(
        (root / "pyproject.toml").read_bytes(),
        git(root, "rev-parse", "HEAD"),
        git(root, "tag", "--list"),
        git(root, "status", "--porcelain"),
    )


# --- devkit version -------------------------------------------------------------------


def test_version_prints_the_version_of_either_style(repo: Path, devkit: Devkit) -> None:
    assert devkit(repo, "version") == Result(0, "1.4.2\n", "")


def test_version_reads_tool_poetry_when_project_declares_it_dynamic(tmp_path: Path, devkit: Devkit) -> None:
    root = repository(tmp_path / "service", POETRY_DYNAMIC)

    assert devkit(root, "version") == Result(0, "1.4.2\n", "")


def test_version_runs_from_a_subfolder_of_the_project(project_repo: Path, devkit: Devkit) -> None:
    (project_repo / "service").mkdir()

    assert devkit(project_repo / "service", "version").out == "1.4.2\n"


def test_a_dynamic_version_is_an_error_that_says_what_to_do(tmp_path: Path, devkit: Devkit) -> None:
    root = repository(tmp_path / "service", '[project]\nname = "service"\ndynamic = ["version"]\n')
    before = snapshot(root)

    shown = devkit(root, "version")
    bumped = devkit(root, "bump", "patch")

    for result in (shown, bumped):
        assert result.code == 1
        assert result.out == ""
        assert 'pyproject.toml: [project] has dynamic = ["version"]' in result.err
        assert 'set version = "X.Y.Z" in [project]' in result.err
    assert snapshot(root) == before


def test_a_missing_version_is_an_error_that_says_what_to_do(tmp_path: Path, devkit: Devkit) -> None:
    root = repository(tmp_path / "service", '[project]\nname = "service"\n')

    result = devkit(root, "version")

    assert result.code == 1
    assert f"{root / 'pyproject.toml'} has no version: set version = " in result.err


def test_a_version_that_is_not_a_string_is_an_error_naming_the_key(tmp_path: Path, devkit: Devkit) -> None:
    root = repository(tmp_path / "service", '[project]\nname = "service"\nversion = 2\n')

    result = devkit(root, "version")

    assert result.code == 1
    assert "pyproject.toml: [project]: version must be a string on one line, got 2" in result.err


@pytest.mark.parametrize("command", [["version"], ["bump", "patch"]])
def test_a_pyproject_that_is_not_utf8_is_named_and_kept(tmp_path: Path, devkit: Devkit, command: list[str]) -> None:
    root = repository(tmp_path / "service", PROJECT_STYLE)
    pyproject = root / "pyproject.toml"
    pyproject.write_bytes(pyproject.read_bytes().replace(b"[project]", b"# caf\xe9\n[project]", 1))
    before = snapshot(root)

    result = devkit(root, *command)

    assert result.code == 1
    assert result.err == f"devkit: error: {pyproject}:2:6: not UTF-8 (byte 0xe9): save it as UTF-8 and run again\n"
    assert snapshot(root) == before


# --- devkit version --check -------------------------------------------------------------


@pytest.mark.parametrize("tag", ["v1.4.2", "1.4.2"])
def test_check_passes_when_pyproject_tag_and_wheels_agree(repo: Path, devkit: Devkit, tag: str) -> None:
    build_wheel(repo / "dist", "service", "1.4.2")

    result = devkit(repo, "version", "--check", tag)

    assert result == Result(0, "1.4.2\n", f"devkit: pyproject.toml, tag {tag} and the wheels in dist/ agree\n")


def test_check_passes_without_dist(project_repo: Path, devkit: Devkit) -> None:
    assert devkit(project_repo, "version", "--check", "v1.4.2").code == 0


def test_check_names_pyproject_when_it_disagrees(repo: Path, style: str, devkit: Devkit) -> None:
    build_wheel(repo / "dist", "service", "1.5.0")

    result = devkit(repo, "version", "--check", "v1.5.0")

    assert result.code == 1
    assert result.out == ""
    assert (
        f"versions disagree: tag v1.5.0 is 1.5.0, pyproject.toml {KEYS[style]} is 1.4.2, "
        "dist/service-1.5.0-py3-none-any.whl is 1.5.0: "
    ) in result.err


def test_check_names_the_tag_when_it_disagrees(project_repo: Path, devkit: Devkit) -> None:
    build_wheel(project_repo / "dist", "service", "1.4.2")

    result = devkit(project_repo, "version", "--check", "v1.4.3")

    assert result.code == 1
    assert "tag v1.4.3 is 1.4.3, pyproject.toml [project].version is 1.4.2" in result.err


def test_check_names_each_wheel_that_disagrees(project_repo: Path, devkit: Devkit) -> None:
    build_wheel(project_repo / "dist", "service", "1.4.2")
    build_wheel(project_repo / "dist", "service", "1.4.1")

    result = devkit(project_repo, "version", "--check", "v1.4.2")

    assert result.code == 1
    assert "dist/service-1.4.1-py3-none-any.whl is 1.4.1" in result.err
    assert "dist/service-1.4.2-py3-none-any.whl is 1.4.2" in result.err


def test_check_with_an_empty_tag_is_a_usage_error(project_repo: Path, devkit: Devkit) -> None:
    result = devkit(project_repo, "version", "--check", "")

    assert result == Result(
        2, "", "devkit: error: --check needs a tag such as v1.5.0 (CI_COMMIT_TAG is set in tag pipelines only)\n"
    )


@pytest.mark.parametrize("tag", ["v1.4.2\n", " v1.4.2", "v1.4.2\ndevkit: all agree"])
def test_check_with_a_tag_no_git_tag_can_be_is_a_usage_error(project_repo: Path, devkit: Devkit, tag: str) -> None:
    result = devkit(project_repo, "version", "--check", tag)

    assert result == Result(
        2,
        "",
        f"devkit: error: --check {tag!r}: a git tag has no spaces or control characters; give it as git names it\n",
    )


def test_check_refuses_a_file_in_dist_that_is_not_named_like_a_wheel(project_repo: Path, devkit: Devkit) -> None:
    (project_repo / "dist").mkdir()
    (project_repo / "dist/service-1.4.2.whl").write_bytes(b"")

    result = devkit(project_repo, "version", "--check", "v1.4.2")

    assert result.code == 1
    assert "dist/service-1.4.2.whl: not a wheel file name (name-version-python-abi-platform.whl)" in result.err


def test_check_compares_normalised_versions(tmp_path: Path, devkit: Devkit) -> None:
    root = repository(tmp_path / "service", '[project]\nname = "service"\nversion = "2.0.0-RC1"\n')
    build_wheel(root / "dist", "service", "2.0.0rc1")

    assert devkit(root, "version", "--check", "v2.0.0.rc1").code == 0


# --- devkit bump ------------------------------------------------------------------------


@pytest.mark.parametrize(("part", "expected"), [("patch", "1.4.3"), ("minor", "1.5.0"), ("major", "2.0.0")])
def test_bump_writes_the_next_version_into_pyproject(
    repo: Path, style: str, devkit: Devkit, part: str, expected: str
) -> None:
    result = devkit(repo, "bump", part)

    assert result == Result(0, f"{expected}\n", f"devkit: pyproject.toml: {KEYS[style]} 1.4.2 -> {expected}\n")
    assert devkit(repo, "version").out == f"{expected}\n"
    assert git(repo, "status", "--porcelain") == " M pyproject.toml"
    assert git(repo, "log", "--format=%s") == "Start the service"


def test_bump_keeps_comments_quotes_and_layout(repo: Path, style: str, devkit: Devkit) -> None:
    devkit(repo, "bump", "minor")

    expected = STYLES[style].replace("1.4.2", "1.5.0")
    assert (repo / "pyproject.toml").read_text() == expected


def test_bump_starts_from_a_higher_tag(project_repo: Path, devkit: Devkit) -> None:
    git(project_repo, "tag", "-a", "v1.9.4", "-m", "Release 1.9.4")
    git(project_repo, "tag", "v1.7.0")

    result = devkit(project_repo, "bump", "patch")

    assert result.out == "1.9.5\n"
    assert "version = '1.9.5'  # the released version" in (project_repo / "pyproject.toml").read_text()


def test_bump_ignores_tags_that_are_not_plain_versions(project_repo: Path, devkit: Devkit) -> None:
    for tag in ("v2.0.0rc1", "v3.0", "v04.0.0", "version-9", "9.0.0", "v1.4.2+build.7"):
        git(project_repo, "tag", tag)

    assert devkit(project_repo, "bump", "minor").out == "1.5.0\n"


def test_bump_keeps_a_version_higher_than_every_tag(project_repo: Path, devkit: Devkit) -> None:
    git(project_repo, "tag", "v1.3.9")

    assert devkit(project_repo, "bump", "patch").out == "1.4.3\n"


def test_bump_outside_git_starts_from_pyproject(tmp_path: Path, devkit: Devkit) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT_STYLE)

    assert devkit(tmp_path, "bump", "major").out == "2.0.0\n"


@pytest.mark.parametrize(
    ("version", "kind"),
    [
        ("1.5.0rc1", "is a pre-release"),
        ("1.5.0a2", "is a pre-release"),
        ("1.5.0.dev3", "is a development release"),
        ("1.5.0.post1", "is a post-release"),
        ("1.5.0+local.7", "is a local version"),
        ("1!1.5.0", "has an epoch"),
        ("1.5", "is not of the form X.Y.Z"),
        ("1.05.0", "is not of the form X.Y.Z"),
        ("banana", "is not a version"),
    ],
)
def test_bump_refuses_versions_that_are_not_plain_and_changes_nothing(
    tmp_path: Path, devkit: Devkit, version: str, kind: str
) -> None:
    root = repository(tmp_path / "service", f'[project]\nname = "service"\nversion = "{version}"\n')
    before = snapshot(root)

    result = devkit(root, "bump", "patch", "--commit", "--tag")

    assert result.code == 1
    assert result.out == ""
    advice = "devkit handles plain X.Y.Z versions only: set one such as 1.4.2 and run again"
    assert f"pyproject.toml: [project].version {version} {kind}: {advice}" in result.err
    assert snapshot(root) == before


def test_commit_makes_one_commit_holding_only_pyproject(project_repo: Path, devkit: Devkit) -> None:
    (project_repo / "notes.txt").write_text("staged, not released\n")
    git(project_repo, "add", "notes.txt")
    (project_repo / "README.md").write_text("# service\n\nEdited, not staged.\n")
    start = git(project_repo, "rev-parse", "HEAD")

    result = devkit(project_repo, "bump", "minor", "--commit")

    assert result.code == 0, result.err
    assert result.out == "1.5.0\n"
    assert git(project_repo, "rev-list", f"{start}..HEAD") == git(project_repo, "rev-parse", "HEAD")
    assert git(project_repo, "show", "--format=%B", "--name-only", "HEAD") == "Release 1.5.0\n\n\npyproject.toml"
    assert git(project_repo, "show", "HEAD:pyproject.toml") == PROJECT_STYLE.replace("1.4.2", "1.5.0").strip()
    assert git(project_repo, "status", "--porcelain").splitlines() == [" M README.md", "A  notes.txt"]
    assert git(project_repo, "tag", "--list") == ""


def test_commit_is_refused_while_pyproject_has_changes_of_its_own(project_repo: Path, devkit: Devkit) -> None:
    edited = PROJECT_STYLE + "\n[tool.mypy]\nstrict = true\n"
    (project_repo / "pyproject.toml").write_text(edited)
    before = snapshot(project_repo)

    result = devkit(project_repo, "bump", "patch", "--commit")

    assert result.code == 1
    assert "pyproject.toml has uncommitted changes: commit or revert them first" in result.err
    assert snapshot(project_repo) == before


def test_commit_outside_git_is_refused(tmp_path: Path, devkit: Devkit) -> None:
    (tmp_path / "pyproject.toml").write_text(PROJECT_STYLE)

    result = devkit(tmp_path, "bump", "patch", "--commit")

    assert result.code == 1
    assert "is not in a git repository: --commit makes a git commit" in result.err
    assert (tmp_path / "pyproject.toml").read_text() == PROJECT_STYLE


def test_a_refused_commit_leaves_pyproject_unchanged(project_repo: Path, devkit: Devkit) -> None:
    hook = project_repo / ".git/hooks/pre-commit"
    hook.write_text("#!/bin/sh\necho 'lint failed: fix it' >&2\nexit 1\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    before = snapshot(project_repo)

    result = devkit(project_repo, "bump", "patch", "--commit", "--tag")

    assert result.code == 1
    assert "`git commit --quiet --message Release 1.4.3 -- pyproject.toml` failed" in result.err
    assert "lint failed: fix it; pyproject.toml is unchanged" in result.err
    assert snapshot(project_repo) == before


def test_tag_is_an_annotated_tag_on_the_release_commit(repo: Path, devkit: Devkit) -> None:
    result = devkit(repo, "bump", "patch", "--commit", "--tag")

    assert result.code == 0, result.err
    assert result.err.splitlines()[-1] == "devkit: tagged v1.4.3"
    assert git(repo, "cat-file", "-t", "v1.4.3") == "tag"
    assert git(repo, "rev-parse", "v1.4.3^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "tag", "--list", "--format=%(contents:subject)", "v1.4.3") == "Release 1.4.3"
    assert git(repo, "log", "--format=%s") == "Release 1.4.3\nStart the service"
    assert devkit(repo, "version", "--check", "v1.4.3").code == 0


def test_a_project_in_a_subfolder_commits_and_tags_in_the_enclosing_repository(tmp_path: Path, devkit: Devkit) -> None:
    top = repository(tmp_path / "monorepo", PROJECT_STYLE.replace("service", "tools"))
    service = top / "services/service"
    service.mkdir(parents=True)
    (service / "pyproject.toml").write_text(PROJECT_STYLE)
    git(top, "add", ".")
    git(top, "commit", "-qm", "Add the service")
    git(top, "tag", "v3.0.0")

    result = devkit(service, "bump", "patch", "--commit", "--tag")

    assert result.out == "3.0.1\n", result.err
    assert git(top, "show", "--format=%s", "--name-only", "HEAD") == "Release 3.0.1\n\nservices/service/pyproject.toml"
    assert git(top, "rev-parse", "v3.0.1^{commit}") == git(top, "rev-parse", "HEAD")
    assert (top / "pyproject.toml").read_text() == PROJECT_STYLE.replace("service", "tools")


def test_tag_without_commit_is_a_usage_error(project_repo: Path, devkit: Devkit) -> None:
    before = snapshot(project_repo)

    result = devkit(project_repo, "bump", "patch", "--tag")

    assert result == Result(2, "", "devkit: error: --tag needs --commit: the tag goes on the release commit\n")
    assert snapshot(project_repo) == before


def test_an_existing_tag_is_refused_and_the_release_commit_undone(project_repo: Path, devkit: Devkit) -> None:
    # Another release made v1.4.3 while this one was committing: git's post-commit hook tags it.
    hook = project_repo / ".git/hooks/post-commit"
    hook.write_text("#!/bin/sh\ngit tag v1.4.3\n")
    hook.chmod(hook.stat().st_mode | stat.S_IXUSR)
    (project_repo / "notes.txt").write_text("local work\n")
    before = snapshot(project_repo)

    result = devkit(project_repo, "bump", "patch", "--commit", "--tag")

    assert result.code == 1
    assert "tag 'v1.4.3' already exists" in result.err
    assert "the release commit is undone and pyproject.toml is unchanged" in result.err
    after = snapshot(project_repo)
    assert after._replace(tags=before.tags) == before
    assert after.tags == "v1.4.3"
    assert git(project_repo, "cat-file", "-t", "v1.4.3") == "commit"  # the other release's tag, untouched


def test_dry_run_reports_and_changes_nothing(project_repo: Path, devkit: Devkit) -> None:
    before = snapshot(project_repo)

    result = devkit(project_repo, "bump", "minor", "--commit", "--tag", "--dry-run")

    assert result == Result(
        0,
        "1.5.0\n",
        "devkit: would set [project].version in pyproject.toml: 1.4.2 -> 1.5.0 (dry run, nothing changed)\n"
        "devkit: would commit pyproject.toml alone: Release 1.5.0\n"
        "devkit: would tag that commit v1.5.0\n",
    )
    assert snapshot(project_repo) == before


def test_bump_help_explains_the_options(project_repo: Path, devkit: Devkit) -> None:
    with pytest.raises(SystemExit) as exit_info:
        devkit(project_repo, "bump", "--help")

    assert exit_info.value.code == 0
    text = devkit.capsys.readouterr().out
    for phrase in ("highest vX.Y.Z", "--commit", "Release X.Y.Z", "--tag", "--dry-run", "pre-release"):
        assert phrase in text


def test_devkit_runs_as_a_module(project_repo: Path) -> None:
    shown = run([sys.executable, "-m", "devkit", "version"], cwd=project_repo)
    refused = run([sys.executable, "-m", "devkit", "bump", "patch", "--tag"], cwd=project_repo, check=False)

    assert shown.stdout == "1.4.2\n"
    assert refused.returncode == 2
    assert "Traceback" not in refused.stderr


# --- next_version, property-based ---------------------------------------------------------

numbers = st.tuples(*[st.integers(min_value=0, max_value=10**6)] * 3)


def text(version: tuple[int, int, int]) -> str:
    return ".".join(map(str, version))


@given(
    current=numbers,
    tagged=st.lists(numbers, max_size=6),
    noise=st.lists(st.sampled_from(["v1.0", "v9.9.9rc1", "release", "v01.2.3", "99.0.0"]), max_size=3),
    part=st.sampled_from(PARTS),
)
@example(current=(0, 0, 0), tagged=[], noise=["99.0.0"], part="minor")  # a tag without the v is not a release
def test_next_version_is_above_every_input_with_the_lower_parts_reset(
    current: tuple[int, int, int], tagged: list[tuple[int, int, int]], noise: list[str], part: str
) -> None:
    result = parse(next_version(text(current), [f"v{text(tag)}" for tag in tagged] + noise, part))

    base = max([current, *tagged])
    assert result > current
    assert all(result > tag for tag in tagged)
    index = PARTS.index(part)
    assert result[:index] == base[:index]
    assert result[index] == base[index] + 1
    assert all(number == 0 for number in result[index + 1 :])


# --- make targets --------------------------------------------------------------------------


@pytest.fixture
def make_project(project_repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The project with a Makefile that includes devkit.mk and runs devkit from this checkout."""
    for name in (*MAKE_VARIABLES, "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    (project_repo / "Makefile").write_text(f"DEVKIT = {sys.executable} -m devkit\ninclude {DEVKIT_MK}\n")
    git(project_repo, "add", "Makefile")
    git(project_repo, "commit", "-qm", "Add the Makefile")
    return project_repo


def make(root: Path, *args: str) -> str:
    return run(["make", "--no-print-directory", *args], cwd=root, env=dict(os.environ)).stdout


def test_make_show_version_prints_the_version(make_project: Path) -> None:
    assert make(make_project, "show-version") == "1.4.2\n"


@pytest.mark.parametrize(("target", "expected"), [("bump-patch", "1.4.3"), ("bump-minor", "1.5.0")])
def test_make_bump_is_a_dry_run(make_project: Path, target: str, expected: str) -> None:
    before = snapshot(make_project)

    output = make(make_project, target)

    command, printed = output.splitlines()
    assert command.endswith(f"-m devkit bump {target.removeprefix('bump-')} --dry-run")
    assert printed == expected
    assert snapshot(make_project) == before


def test_make_bump_with_bump_args_commits_and_tags(make_project: Path) -> None:
    output = make(make_project, "bump-major", "BUMP_ARGS=--commit --tag")

    assert output.splitlines()[-1] == "2.0.0"
    assert git(make_project, "log", "-1", "--format=%s") == "Release 2.0.0"
    assert git(make_project, "rev-parse", "v2.0.0^{commit}") == git(make_project, "rev-parse", "HEAD")
    assert git(make_project, "status", "--porcelain") == ""


def test_make_help_lists_the_version_targets_and_no_publish(make_project: Path) -> None:
    output = make(make_project, "help")

    for target in ("show-version", "bump-patch", "bump-minor", "bump-major"):
        assert f"\n  {target} " in output
    assert "publish" not in output
