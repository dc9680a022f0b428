"""The release flow: a merge request's bump label to the release commit, its tag and the upload.

Real git repositories with a bare origin, real `devkit release`, `devkit publish`, uv and a
pypiserver index on 127.0.0.1; only GitLab's API is a double (tests/support/gitlab_api.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from devkit.release import publish, remote, settings
from tests.support import gitlab_api
from tests.support.proc import run
from tests.support.projects import commit_all, write_inhouse_package
from tests.support.upload_index import serve_uploads

DEVKIT = [sys.executable, "-m", "devkit"]
NAME = "relapp"


@pytest.fixture
def gitlab() -> Iterator[gitlab_api.GitLab]:
    with gitlab_api.serve() as double:
        yield double


class Project:
    """A project on 1.4.2 in a bare origin, and a developer's clone that merges requests into main."""

    def __init__(self, root: Path, settings: str = "") -> None:
        self.root = root
        self.origin = root / "origin.git"
        self.dev = root / "dev"
        self.merges = 0
        write_inhouse_package(self.dev, NAME, "1.4.2", more_toml=settings)
        (self.dev / ".gitignore").write_text("dist/\n.devkit/\n")
        commit_all(self.dev, "Start")
        run(["git", "init", "--quiet", "--bare", "--initial-branch=main", self.origin], cwd=root)
        # GitLab takes push options (`-o ci.skip`); a bare repository does once it says so.
        run(["git", "config", "receive.advertisePushOptions", "true"], cwd=self.origin)
        run(["git", "remote", "add", "origin", self.origin], cwd=self.dev)
        run(["git", "push", "--quiet", "origin", "main"], cwd=self.dev)

    def merge(self, *, squash: bool = False) -> str:
        """Merge a new request into main on the origin; the commit it leaves on main."""
        self.merges += 1
        branch = f"feature-{self.merges}"
        run(["git", "checkout", "--quiet", "-b", branch], cwd=self.dev)
        (self.dev / f"{branch}.txt").write_text(f"{branch}\n")
        commit_all(self.dev, f"Add {branch}")
        run(["git", "checkout", "--quiet", "main"], cwd=self.dev)
        if squash:
            run(["git", "merge", "--quiet", "--squash", branch], cwd=self.dev)
            run(["git", "commit", "--quiet", "-m", f"Add {branch}"], cwd=self.dev)
        else:
            message = f"Merge branch '{branch}' into 'main'\n\nSee merge request group/{NAME}!{self.merges}"
            run(["git", "merge", "--quiet", "--no-ff", "-m", message, branch], cwd=self.dev)
        run(["git", "push", "--quiet", "origin", "main"], cwd=self.dev)
        return head(self.dev)

    def checkout(self, ref: str, name: str) -> Path:
        """A CI job's checkout: a fresh clone of the origin at `ref`, detached."""
        path = self.root / name
        run(["git", "clone", "--quiet", self.origin, path], cwd=self.root)
        run(["git", "checkout", "--quiet", "--detach", ref], cwd=path)
        return path

    def show(self, ref: str, path: str = "pyproject.toml") -> str:
        return run(["git", "show", f"{ref}:{path}"], cwd=self.origin).stdout

    def refs(self) -> str:
        return run(["git", "show-ref"], cwd=self.origin).stdout

    def tags(self) -> list[str]:
        return run(["git", "tag", "--list"], cwd=self.origin).stdout.split()

    def version_at(self, ref: str) -> str:
        return next(line for line in self.show(ref).splitlines() if line.startswith("version = ")).split('"')[1]


def head(repo: Path, ref: str = "HEAD") -> str:
    return run(["git", "rev-parse", ref], cwd=repo).stdout.strip()


def ci_env(gitlab: gitlab_api.GitLab, sha: str, **more: str) -> dict[str, str]:
    """The variables GitLab gives a job on the default branch (the token set as the README says)."""
    variables = {
        "CI_API_V4_URL": gitlab.url,
        "CI_PROJECT_ID": gitlab_api.PROJECT_ID,
        "CI_COMMIT_SHA": sha,
        "CI_DEFAULT_BRANCH": "main",
        "DEVKIT_RELEASE_TOKEN": gitlab_api.TOKEN,
    }
    return {**os.environ, **variables, **more}


def devkit(checkout: Path, env: Mapping[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *arguments], cwd=checkout, env=env, check=False)


@pytest.mark.parametrize(("label", "expected"), [("major", "2.0.0"), ("minor", "1.5.0"), ("patch", "1.4.3")])
def test_each_bump_label_makes_one_release_commit_and_its_tag(
    tmp_path: Path, gitlab: gitlab_api.GitLab, label: str, expected: str
) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "backend", label)

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 0, result.stderr
    assert f"merge request !1: a {label} release" in result.stderr
    main = head(project.origin, "main")
    assert head(project.origin, "main^") == merged
    assert run(["git", "log", "-1", "--format=%s", "main"], cwd=project.origin).stdout.strip() == f"Release {expected}"
    assert project.version_at("main") == expected
    assert project.tags() == [f"v{expected}"]
    assert head(project.origin, f"v{expected}^{{commit}}") == main
    assert run(["git", "cat-file", "-t", f"v{expected}"], cwd=project.origin).stdout.strip() == "tag"
    changed = run(["git", "diff", "--name-only", merged, main], cwd=project.origin).stdout.split()
    assert changed == ["pyproject.toml"]
    assert gitlab.requests == [f"/api/v4/projects/42/repository/commits/{merged}/merge_requests"]


def test_a_squash_merge_is_found_through_the_api(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    squashed = project.merge(squash=True)
    gitlab.merged(squashed, 7, "minor")

    result = devkit(project.checkout(squashed, "job"), ci_env(gitlab, squashed), "release")

    assert result.returncode == 0, result.stderr
    assert "!" not in run(["git", "log", "-1", "--format=%B", squashed], cwd=project.origin).stdout
    assert project.version_at("main") == "1.5.0"
    assert project.tags() == ["v1.5.0"]


def test_a_tag_left_in_the_job_checkout_by_an_earlier_run_does_not_count(
    tmp_path: Path, gitlab: gitlab_api.GitLab
) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    checkout = project.checkout(merged, "job")
    run(["git", "tag", "-a", "-m", "Release 1.9.0", "v1.9.0"], cwd=checkout)

    result = devkit(checkout, ci_env(gitlab, merged), "release")

    assert result.returncode == 0, result.stderr
    assert project.tags() == ["v1.5.0"]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (("minor", "patch"), "merge request !1 has the bump labels 'minor', 'patch': keep exactly one of"),
        (("backend",), "merge request !1 has no bump label: set one of 'major' or 'minor' or 'patch', or a default"),
    ],
)
def test_a_release_without_exactly_one_bump_label_fails_and_pushes_nothing(
    tmp_path: Path, gitlab: gitlab_api.GitLab, labels: tuple[str, ...], message: str
) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, *labels)
    before = project.refs()

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert project.refs() == before


def test_an_unlabelled_request_takes_the_default_bump(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path, '[tool.devkit.release]\ndefault = "minor"\n')
    merged = project.merge()
    gitlab.merged(merged, 1)

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 0, result.stderr
    assert project.tags() == ["v1.5.0"]


def test_a_commit_without_a_merge_request_needs_a_default(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    merged = project.merge()

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 1
    assert f"commit {merged[:12]}, which no merge request brought in, has no bump label" in result.stderr
    assert project.tags() == []


def test_a_release_commit_does_not_start_another_release(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    devkit(project.checkout(merged, "first"), ci_env(gitlab, merged), "release")
    release = head(project.origin, "main")
    gitlab.requests.clear()
    before = project.refs()

    result = devkit(project.checkout(release, "second"), ci_env(gitlab, release), "release")

    assert result.returncode == 0, result.stderr
    assert "HEAD is the release commit 'Release 1.5.0': nothing to release" in result.stderr
    assert gitlab.requests == []
    assert project.refs() == before


def test_a_release_after_the_branch_moved_recomputes_on_the_new_tip(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    first, second = project.merge(), project.merge()
    gitlab.merged(first, 1, "minor")
    gitlab.merged(second, 2, "patch")
    late = project.checkout(first, "late")
    assert devkit(project.checkout(second, "early"), ci_env(gitlab, second), "release").returncode == 0

    result = devkit(late, ci_env(gitlab, first), "release")

    assert result.returncode == 0, result.stderr
    assert "main moved while releasing 1.5.0: fetching its new tip" in result.stderr
    assert sorted(project.tags()) == ["v1.4.3", "v1.5.0"]
    assert project.version_at("main") == "1.5.0"
    assert project.version_at("main^") == "1.4.3"
    assert head(project.origin, "main^^") == second


def test_two_release_jobs_racing_release_one_version_each(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    first, second = project.merge(), project.merge()
    gitlab.merged(first, 1, "minor")
    gitlab.merged(second, 2, "minor")
    jobs = [
        subprocess.Popen(
            [*DEVKIT, "release"],
            cwd=project.checkout(sha, f"job-{n}"),
            env=ci_env(gitlab, sha),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n, sha in enumerate((first, second))
    ]
    outputs = [job.communicate(timeout=120) for job in jobs]

    assert [job.returncode for job in jobs] == [0, 0], outputs
    assert sorted(project.tags()) == ["v1.5.0", "v1.6.0"], outputs
    for tag in ("v1.5.0", "v1.6.0"):
        assert project.version_at(tag) == tag[1:]
    assert project.version_at("main") == "1.6.0"
    assert head(project.origin, "v1.6.0^{commit}") == head(project.origin, "main")
    assert head(project.origin, "v1.5.0^{commit}") == head(project.origin, "main^")


def test_a_tag_on_the_remote_is_never_made_again(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    run(["git", "tag", "-a", "-m", "made by hand", "v1.5.0"], cwd=project.dev)
    run(["git", "push", "--quiet", "origin", "v1.5.0"], cwd=project.dev)
    by_hand = head(project.origin, "v1.5.0")
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 0, result.stderr
    assert sorted(project.tags()) == ["v1.5.0", "v1.6.0"]
    assert head(project.origin, "v1.5.0") == by_hand
    assert project.version_at("main") == "1.6.0"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"DEVKIT_RELEASE_TOKEN": ""}, "$DEVKIT_RELEASE_TOKEN is not set: add a project access token"),
        ({"DEVKIT_RELEASE_TOKEN": "wrong"}, "GitLab answered HTTP 401 Unauthorized for "),
        ({"CI_API_V4_URL": ""}, "$CI_API_V4_URL is not set: run `devkit release` in a GitLab CI job"),
    ],
)
def test_a_release_that_cannot_ask_gitlab_says_which_variable_to_fix(
    tmp_path: Path, gitlab: gitlab_api.GitLab, change: dict[str, str], message: str
) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    before = project.refs()

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged, **change), "release")

    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert project.refs() == before


def test_a_push_the_remote_refuses_names_the_protected_branch_setting(
    tmp_path: Path, gitlab: gitlab_api.GitLab
) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    hook = project.origin / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'GitLab: You are not allowed to push code to protected branches.' >&2\nexit 1\n")
    hook.chmod(0o755)
    before = project.refs()

    result = devkit(project.checkout(merged, "job"), ci_env(gitlab, merged), "release")

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "devkit: error: pushing the release commit to main failed: [remote rejected] (pre-receive hook declined); "
        "the token's role must be allowed to push to the protected branch main (see the README)"
    )
    assert project.refs() == before


def test_the_release_token_never_shows_in_a_message(tmp_path: Path, gitlab: gitlab_api.GitLab) -> None:
    project = Project(tmp_path)
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    checkout = project.checkout(merged, "job")
    run(["git", "remote", "set-url", "origin", "http://gitlab-ci-token:job@127.0.0.1:9/group/relapp.git"], cwd=checkout)

    result = devkit(checkout, ci_env(gitlab, merged), "release")

    assert result.returncode == 1
    assert "devkit: error: fetching tags failed: " in result.stderr
    assert gitlab_api.TOKEN not in result.stderr


def test_the_push_url_carries_the_release_token_instead_of_the_job_token() -> None:
    origin = "https://gitlab-ci-token:job-secret@gitlab.example.com:8443/group/relapp.git"

    assert (
        remote.push_url(origin, "glpat-x/y")
        == "https://devkit-release:glpat-x%2Fy@gitlab.example.com:8443/group/relapp.git"
    )
    assert remote.push_url("/srv/git/relapp.git", "glpat-x") == "/srv/git/relapp.git"


@pytest.mark.parametrize(
    ("labels", "code", "message"),
    [
        ("backend, feature", 0, "devkit: the bump labels are in order: a minor release"),
        ("major", 0, "devkit: the bump labels are in order: a major release"),
        ("feature,patch", 1, "devkit: error: merge request !3 has the bump labels 'feature', 'patch'"),
        ("minor", 1, "devkit: error: merge request !3 has no bump label: set one of 'major' or 'feature' or 'patch'"),
    ],
)
def test_the_merge_request_job_wants_exactly_one_bump_label(
    tmp_path: Path, labels: str, code: int, message: str
) -> None:
    write_inhouse_package(tmp_path, NAME, "1.4.2", more_toml='[tool.devkit.release]\nlabels = {minor = "feature"}\n')
    env = {**os.environ, "CI_MERGE_REQUEST_LABELS": labels, "CI_MERGE_REQUEST_IID": "3"}

    result = devkit(tmp_path, env, "release", "labels")

    assert result.returncode == code
    assert result.stderr.splitlines()[0].startswith(message), result.stderr


def test_an_unlabelled_merge_request_passes_with_a_default(tmp_path: Path) -> None:
    write_inhouse_package(tmp_path, NAME, "1.4.2", more_toml='[tool.devkit.release]\ndefault = "patch"\n')

    result = devkit(tmp_path, {**os.environ, "CI_MERGE_REQUEST_LABELS": ""}, "release", "labels")

    assert result.returncode == 0, result.stderr
    assert "the bump labels are in order: a patch release" in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('default = "huge"', 'pyproject.toml: [tool.devkit.release]: default must be one of "major", "minor", "patch"'),
        ('labels = "minor"', "pyproject.toml: [tool.devkit.release]: labels must be a table, got 'minor'"),
        ("labels = {minor = 1}", "[tool.devkit.release]: labels.minor must be a string on one line, got 1"),
        ('labels = {tiny = "x"}', "[tool.devkit.release]: labels.tiny is not a bump"),
        ('labels = {minor = "patch"}', "[tool.devkit.release]: labels name one label for two bumps"),
        ("publish-url = 3", "[tool.devkit.release]: publish-url must be a string on one line, got 3"),
    ],
)
def test_a_bad_release_setting_is_one_line_naming_the_key(tmp_path: Path, setting: str, message: str) -> None:
    write_inhouse_package(tmp_path, NAME, "1.4.2", more_toml=f"[tool.devkit.release]\n{setting}\n")

    result = devkit(tmp_path, {**os.environ, "CI_MERGE_REQUEST_LABELS": "minor"}, "release", "labels")

    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_the_default_upload_target_is_gitlabs_package_registry() -> None:
    env = {"CI_API_V4_URL": "https://gitlab.example.com/api/v4", "CI_PROJECT_ID": "42"}

    assert publish.expand(settings.GITLAB_REGISTRY, env) == (
        "https://gitlab.example.com/api/v4/projects/42/packages/pypi"
    )
    assert publish.credentials({"CI_JOB_TOKEN": "job"}) == ("gitlab-ci-token", "job")
    both = {"CI_JOB_TOKEN": "job", "DEVKIT_PUBLISH_USERNAME": "ci", "DEVKIT_PUBLISH_PASSWORD": "secret"}
    assert publish.credentials(both) == ("ci", "secret")


@pytest.fixture
def upload_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """pypiserver on 127.0.0.1 and the folder it stores uploads in."""
    folder = tmp_path_factory.mktemp("uploads")
    with serve_uploads(folder) as url:
        yield url, folder


def tag_pipeline(project: Project, tag: str, uv: Path) -> Path:
    """A tag pipeline's checkout with the wheel built into dist/, as build:wheel leaves it."""
    checkout = project.checkout(tag, f"tag-{tag}")
    run([uv, "build", "--wheel", "--out-dir", "dist", "--no-index"], cwd=checkout)
    return checkout


def test_a_minor_label_on_1_4_2_ends_as_wheel_1_5_0_on_the_index(
    tmp_path: Path, gitlab: gitlab_api.GitLab, upload_index: tuple[str, Path], uv: Path
) -> None:
    url, stored = upload_index
    project = Project(tmp_path, f'[tool.devkit.release]\npublish-url = "{url}"\n')
    merged = project.merge()
    gitlab.merged(merged, 1, "minor")
    released = devkit(project.checkout(merged, "release-job"), ci_env(gitlab, merged), "release")
    assert released.returncode == 0, released.stderr
    checkout = tag_pipeline(project, "v1.5.0", uv)
    env = {**os.environ, "CI_COMMIT_TAG": "v1.5.0", "CI_JOB_TOKEN": "job-token"}

    result = devkit(checkout, env, "publish")

    assert result.returncode == 0, result.stderr
    assert run(["git", "rev-list", "--count", f"{merged}..main"], cwd=project.origin).stdout.strip() == "1"
    assert project.version_at("main") == "1.5.0"
    assert head(project.origin, "v1.5.0^{commit}") == head(project.origin, "main")
    assert [path.name for path in stored.iterdir()] == [f"{NAME}-1.5.0-py3-none-any.whl"]
    venv = tmp_path / "installed"
    run([uv, "venv", "--quiet", venv], cwd=tmp_path)
    run(
        [uv, "pip", "install", "--python", venv / "bin/python", "--index-url", url + "simple/", f"{NAME}==1.5.0"],
        cwd=tmp_path,
    )
    shown = run(
        [venv / "bin/python", "-c", f"import importlib.metadata as m; print(m.version('{NAME}'))"], cwd=tmp_path
    )
    assert shown.stdout.strip() == "1.5.0"


def test_publish_refuses_a_tag_whose_version_was_edited_by_hand(
    tmp_path: Path, upload_index: tuple[str, Path], uv: Path
) -> None:
    url, stored = upload_index
    project = Project(tmp_path, f'[tool.devkit.release]\npublish-url = "{url}"\n')
    pyproject = project.dev / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('version = "1.4.2"', 'version = "1.5.1"'))
    commit_all(project.dev, "Set the version by hand")
    run(["git", "tag", "-a", "-m", "Release 1.5.0", "v1.5.0"], cwd=project.dev)
    run(["git", "push", "--quiet", "origin", "main", "v1.5.0"], cwd=project.dev)
    checkout = tag_pipeline(project, "v1.5.0", uv)
    env = {**os.environ, "CI_COMMIT_TAG": "v1.5.0", "CI_JOB_TOKEN": "job-token"}

    checked = devkit(checkout, env, "version", "--check", "v1.5.0")
    result = devkit(checkout, env, "publish")

    assert checked.returncode == 1
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == checked.stderr.splitlines()[-1]
    assert "1.5.1" in result.stderr
    assert list(stored.iterdir()) == []


def test_the_rendered_pipeline_runs_each_release_step_as_one_devkit_command(example_project: Path) -> None:
    import re

    import yaml

    run([*DEVKIT, "ci", "render"], cwd=example_project)

    jobs = yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())
    release = jobs["release"]
    never, default_branch = release["rules"]
    assert never["when"] == "never"
    pattern = never["if"].split("=~ /", 1)[1].rstrip("/")
    assert re.search(pattern, "Release 1.5.0")
    assert not re.search(pattern, "Merge branch 'x' into 'main'")
    assert default_branch == {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"}
    assert release["resource_group"] == "release"
    assert {"lint", "tests", "build:wheel"} <= set(release["needs"])
    assert jobs["release:labels"]["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    for name in ("release:check", "publish"):
        assert jobs[name]["rules"] == [{"if": "$CI_COMMIT_TAG"}]
        assert "build:wheel" in jobs[name]["needs"]
    assert "release:check" in jobs["publish"]["needs"]
    scripts = {name: jobs[name]["script"] for name in ("release:labels", "release", "release:check", "publish")}
    assert scripts == {
        "release:labels": [".venv/bin/devkit release labels"],
        "release": [".venv/bin/devkit release"],
        "release:check": ['.venv/bin/devkit version --check "$CI_COMMIT_TAG"'],
        "publish": [".venv/bin/devkit publish"],
    }
