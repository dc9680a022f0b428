"""The GitLab pipeline `devkit ci render` writes: GitLab's schema, a real run under
gitlab-ci-local, the drift check, and one list of commands behind make, hooks and CI."""

from __future__ import annotations

import json
import re
import shlex
import sys
from pathlib import Path

import pytest
import yaml

from devkit.checks import stages
from tests.conftest import HookRunner
from tests.support.gitlab_ci_local import commit_example, gitlab, job_lines
from tests.support.proc import run
from tests.support.projects import without_images
from tests.support.service import make_service, write

SOURCE = Path(__file__).resolve().parent.parent
DEVKIT = [sys.executable, "-m", "devkit"]
CHECK_JOBS = ("lint", "tests")


@pytest.fixture
def pipeline_project(example_project: Path, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example in a git repository with its rendered pipeline, ready for gitlab-ci-local.

    The pipeline has no image jobs: they build with Docker-in-Docker, which gitlab-ci-local's
    shell executor cannot start (tests/test_image.py runs the commands those jobs run).
    """
    monkeypatch.setenv("PIP_INDEX_URL", index_url)
    without_images(example_project)
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    return commit_example(example_project)


def test_rendered_pipeline_passes_gitlabs_schema(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)

    result = run(
        [Path(sys.executable).parent / "check-jsonschema", "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml"],
        cwd=example_project,
    )

    assert "validation done" in result.stdout


def test_committed_pipeline_of_the_example_is_current() -> None:
    result = run([*DEVKIT, "ci", "check"], cwd=SOURCE / "examples/ml-service", check=False)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_jobs_hand_their_reports_to_gitlab(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)

    rendered = yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())

    assert rendered["lint"]["artifacts"] == {
        "when": "always",
        "paths": [".devkit/reports/"],
        "reports": {
            "codequality": [
                ".devkit/reports/lint.ruff-check.codequality.json",
                ".devkit/reports/lint.ruff-format.codequality.json",
                ".devkit/reports/lint.mypy.codequality.json",
            ]
        },
    }
    assert rendered["tests"]["artifacts"]["when"] == "always"
    assert rendered["tests"]["artifacts"]["reports"] == {
        "junit": [".devkit/reports/tests.pytest.junit.xml"],
        "coverage_report": {"coverage_format": "cobertura", "path": ".devkit/reports/tests.coverage.cobertura.xml"},
    }
    assert re.fullmatch(r"/.+/", rendered["tests"]["coverage"])
    assert "coverage" not in rendered["lint"]
    assert rendered["build:wheel"]["artifacts"] == {"paths": ["dist/"]}


def test_ci_check_shows_a_diff_for_a_hand_edit(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    pipeline = example_project / ".gitlab-ci.yml"
    pipeline.write_text(pipeline.read_text().replace(".venv/bin/devkit run lint", ".venv/bin/ruff check ."))

    result = run([*DEVKIT, "ci", "check"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert "-    - .venv/bin/ruff check ." in result.stdout
    assert "+    - .venv/bin/devkit run lint" in result.stdout
    assert "run `devkit ci render`" in result.stderr


def test_ci_check_of_a_pipeline_that_is_not_utf8_says_it_differs(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    pipeline = example_project / ".gitlab-ci.yml"
    pipeline.write_bytes(pipeline.read_bytes() + b"# caf\xe9\n")

    result = run([*DEVKIT, "ci", "check"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("devkit: error: .gitlab-ci.yml differs from the stage table")


def test_the_projects_own_jobs_are_included_and_kept(example_project: Path) -> None:
    own = "deploy:\n  stage: build\n  script:\n    - echo deploying\n"
    write(example_project, ".gitlab-ci.local.yml", own)

    run([*DEVKIT, "ci", "render"], cwd=example_project)

    rendered = yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())
    assert rendered["include"] == [{"local": ".gitlab-ci.local.yml"}]
    assert (example_project / ".gitlab-ci.local.yml").read_text() == own


def test_pipeline_runs_green_then_its_deps_jobs_are_noops(pipeline_project: Path, gitlab_ci_local: Path) -> None:
    code, first = gitlab(pipeline_project, gitlab_ci_local)

    assert code == 0, first
    for job in ("build:deps:main", "build:deps:dev", *CHECK_JOBS, "build:wheel"):
        assert f"PASS  {job}" in first

    assert re.search(r"PASS .*tests +\d+(\.\d+)?% coverage", first), first  # the figure `coverage:` reads
    code, second = gitlab(pipeline_project, gitlab_ci_local)

    assert code == 0, second
    for job in ("build:deps:main", "build:deps:dev"):
        assert job_lines(second, job) == ["devkit: .venv is in sync with poetry.lock"], second


def test_seeded_violation_fails_the_lint_job_with_makes_finding(pipeline_project: Path, gitlab_ci_local: Path) -> None:
    features = pipeline_project / "ml_service/features.py"
    features.write_text("import os\n" + features.read_text())
    run(["git", "commit", "-qam", "unused import"], cwd=pipeline_project)

    code, output = gitlab(pipeline_project, gitlab_ci_local)
    local = run(["make", "lint"], cwd=pipeline_project, check=False)

    assert code != 0
    assert "FAIL  lint" in output
    finding = next(line for line in local.stdout.splitlines() if line.startswith("F401"))
    assert finding in job_lines(output, "lint")
    report = pipeline_project / ".gitlab-ci-local/artifacts/lint/.devkit/reports/lint.ruff-check.codequality.json"
    issues = json.loads(report.read_text())  # uploaded although the job failed: artifacts when always
    found = [(issue["check_name"], issue["location"]["path"], issue["location"]["lines"]["begin"]) for issue in issues]
    assert ("ruff-check/F401", "ml_service/features.py", 1) in found, found


def test_make_ci_the_hooks_and_the_jobs_run_the_same_commands(pipeline_project: Path, hook_runner: HookRunner) -> None:
    project = pipeline_project
    run(["make", "sync"], cwd=project)
    listing = json.loads(run([project / ".venv/bin/devkit", "stages", "--json"], cwd=project).stdout)
    rendered = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
    jobs = [name for name, job in rendered.items() if isinstance(job, dict) and job.get("stage") == "checks"]
    scripts = [line for name in jobs for line in rendered[name]["script"]]
    from_jobs = [shlex.split(line)[-1] for line in scripts if line != ".venv/bin/devkit check"]

    make_ci = run(["make", "ci"], cwd=project, check=False).stdout
    write(project, ".pre-commit-config.yaml", (SOURCE / "hooks/pre-commit-config.local.yaml").read_text())
    hooks = []
    for stage in ("pre-commit", "pre-push"):
        output = run(hook_runner("run", "--all-files", "--verbose", "--hook-stage", stage), cwd=project, check=False)
        hooks += [line.removeprefix("  ") for line in output.stdout.splitlines()]  # prek indents a hook's output

    expected = [words for stage in from_jobs for words in listing[stage]]
    assert from_jobs == list(CHECK_JOBS)
    assert scripts[0] == ".venv/bin/devkit check"  # the first check job checks the managed files first
    assert printed(make_ci) == [["devkit", "check"], *expected]
    # The hooks name the tracked Python files where the others name the project root.
    tracked = run(["git", "ls-files", "*.py"], cwd=project).stdout.split()
    from_hooks = [in_order(words) for words in printed("\n".join(hooks))]
    assert from_hooks == [in_order([*words[:-1], *tracked]) if words[-1] == "." else words for words in expected]


def in_order(words: list[str]) -> list[str]:
    """`words` with the file arguments after `--` sorted: prek hands a hook the files in its own order."""
    if "--" not in words:
        return words
    split = words.index("--") + 1
    return [*words[:split], *sorted(words[split:])]


def printed(output: str) -> list[list[str]]:
    return [shlex.split(line[2:]) for line in output.splitlines() if line.startswith("$ ")]


HAND_WRITTEN = "stages: [test]\n\nunit:\n  stage: test\n  script:\n    - make tests\n"


def render(project: Path, *arguments: str) -> tuple[int, str]:
    """`devkit ci render` through devkit's entry point, in `project`; the exit code and stderr."""
    result = run([*DEVKIT, "ci", "render", *arguments], cwd=project, check=False)
    return result.returncode, result.stderr


def test_render_refuses_a_hand_written_pipeline_and_leaves_it(example_project: Path) -> None:
    write(example_project, ".gitlab-ci.yml", HAND_WRITTEN)

    code, stderr = render(example_project)

    assert code == 1
    assert stderr.splitlines() == [
        f"devkit: error: {example_project / '.gitlab-ci.yml'} was not written by devkit: move its jobs into "
        ".gitlab-ci.local.yml, which the rendered file includes (`git mv .gitlab-ci.yml .gitlab-ci.local.yml`), "
        "then run `devkit ci render` again; or run `devkit ci render --force` to replace it"
    ]
    assert (example_project / ".gitlab-ci.yml").read_bytes() == HAND_WRITTEN.encode()
    assert not (example_project / ".gitlab-ci.local.yml").exists()


def test_render_force_replaces_a_hand_written_pipeline(example_project: Path) -> None:
    write(example_project, ".gitlab-ci.yml", HAND_WRITTEN)

    code, stderr = render(example_project, "--force")

    assert code == 0, stderr
    assert run([*DEVKIT, "ci", "check"], cwd=example_project, check=False).returncode == 0
    assert "unit" not in yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())


@pytest.mark.parametrize("force", [[], ["--force"]])
def test_render_never_writes_through_a_link_out_of_the_project(
    example_project: Path, tmp_path: Path, force: list[str]
) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    elsewhere = tmp_path / "elsewhere.yml"
    elsewhere.write_bytes((example_project / ".gitlab-ci.yml").read_bytes() + b"# someone else's\n")
    (example_project / ".gitlab-ci.yml").unlink()
    (example_project / ".gitlab-ci.yml").symlink_to(elsewhere)
    before = elsewhere.read_bytes()

    code, stderr = render(example_project, *force)

    assert code == 1
    assert stderr.splitlines() == [
        f"devkit: error: {example_project / '.gitlab-ci.yml'} is a link to {elsewhere}, outside the project: "
        "devkit writes only the project's files; replace the link with a file (`rm .gitlab-ci.yml`), "
        "then run `devkit ci render` again"
    ]
    assert elsewhere.read_bytes() == before
    assert (example_project / ".gitlab-ci.yml").is_symlink()


def test_jobs_moved_to_the_local_file_are_included_by_the_next_render(example_project: Path) -> None:
    write(example_project, ".gitlab-ci.yml", HAND_WRITTEN)
    (example_project / ".gitlab-ci.yml").rename(example_project / ".gitlab-ci.local.yml")

    code, stderr = render(example_project)

    assert code == 0, stderr
    assert yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())["include"] == [
        {"local": ".gitlab-ci.local.yml"}
    ]
    assert (example_project / ".gitlab-ci.local.yml").read_text() == HAND_WRITTEN


def test_render_rewrites_its_own_pipeline(example_project: Path) -> None:
    render(example_project)
    pipeline = example_project / ".gitlab-ci.yml"
    wanted = pipeline.read_text()
    pipeline.write_text(wanted.replace(".venv/bin/devkit run lint", ".venv/bin/ruff check ."))

    code, stderr = render(example_project)

    assert code == 0, stderr
    assert pipeline.read_text() == wanted


def test_render_help_explains_force() -> None:
    result = run([*DEVKIT, "ci", "--help"], cwd=SOURCE)

    assert "--force" in result.stdout
    assert "did not render" in " ".join(result.stdout.split())


def add(project: Path, text: str) -> None:
    """Append `text` to pyproject.toml; keys under [tool.devkit] join the example's own table, its last."""
    pyproject = project / "pyproject.toml"
    current = pyproject.read_text()
    if "\n[tool.devkit]\n" in current:
        text = text.removeprefix("[tool.devkit]\n")
    pyproject.write_text(current + text)


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('[tool.devkit.stages]\n"x; touch pwned" = ["python -c pass"]\n', "[tool.devkit.stages] 'x; touch pwned'"),
        ('[tool.devkit.stages]\nvariables = ["python -c pass"]\n', "variables is a GitLab CI keyword"),
        ('[tool.devkit]\nci = "lint"\n', "[tool.devkit] ci in pyproject.toml must be a list of strings"),
        (
            '[tool.devkit]\nci = ["lint", "docs"]\n',
            "[tool.devkit] ci in pyproject.toml names 'docs', which is not a stage",
        ),
        ("[tool.devkit]\nci = []\n", "[tool.devkit] ci in pyproject.toml is empty: a pipeline must check something"),
        ('[tool.devkit]\nci = ["format"]\n', "names 'format', which rewrites files and always passes"),
    ],
)
def test_ci_render_refuses_a_bad_stage_setting_and_keeps_the_file(
    example_project: Path, setting: str, message: str
) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)
    before = (example_project / ".gitlab-ci.yml").read_text()
    add(example_project, setting)

    result = run([*DEVKIT, "ci", "render"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert message in result.stderr
    assert result.stderr.count("\n") == 1
    assert (example_project / ".gitlab-ci.yml").read_text() == before
    assert not (example_project / "pwned").exists()


def test_a_project_format_stage_that_only_checks_may_run_in_ci(example_project: Path) -> None:
    add(example_project, '[tool.devkit]\nci = ["format"]\n[tool.devkit.stages]\nformat = ["ruff format --check"]\n')

    code, stderr = render(example_project, "--force")

    assert code == 0, stderr
    assert "format" in yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())


def test_ci_run_refuses_an_unknown_check_before_syncing(example_project: Path) -> None:
    add(example_project, '[tool.devkit]\nci = ["lint", "docs"]\n')

    result = run([*DEVKIT, "ci", "run"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "devkit: error: [tool.devkit] ci in pyproject.toml names 'docs', which is not a stage; "
        "the stages are: lint, format, typecheck, tests, build (see `devkit stages`)"
    ]
    assert not (example_project / ".venv").exists()


def test_ci_run_fails_on_a_stale_pipeline_and_still_runs_the_stages(example_project: Path) -> None:
    pipeline = example_project / ".gitlab-ci.yml"
    pipeline.write_text(pipeline.read_text() + "# edited by hand\n")

    result = run([*DEVKIT, "ci", "run"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert "-# edited by hand\n" in result.stdout
    assert result.stderr.splitlines()[-1] == "devkit: error: CI checks failed: devkit check"
    ran = printed(result.stdout)
    assert ran[0] == ["devkit", "check"]
    assert any(words[-1] == "--cov-config=.devkit/lint.toml" for words in ran)  # the tests stage ran


def test_ci_run_without_a_rendered_pipeline_runs_the_stages_only(locked_service: Path, tmp_path: Path) -> None:
    # devkit's own repository: no .gitlab-ci.yml, and no devkit in its own lock to render one with
    service = make_service(locked_service, tmp_path / "service")

    result = run([*DEVKIT, "ci", "run"], cwd=service, check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    ran = printed(result.stdout)
    assert ["devkit", "check"] not in ran
    assert ran[0][1:3] == ["check", "--config"]  # lint's ruff check comes first


def test_a_project_stage_in_ci_becomes_a_job_running_it(example_project: Path) -> None:
    add(
        example_project,
        '[tool.devkit]\nci = ["lint", "smoke-test"]\n\n[tool.devkit.stages]\nsmoke-test = ["python -c pass"]\n',
    )

    run([*DEVKIT, "ci", "render"], cwd=example_project)

    rendered = yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())
    assert rendered["smoke-test"]["script"] == [".venv/bin/devkit run smoke-test"]


def test_every_rendered_job_is_a_check_stage_or_one_devkit_reserves(example_project: Path) -> None:
    run([*DEVKIT, "ci", "render"], cwd=example_project)

    rendered = yaml.safe_load((example_project / ".gitlab-ci.yml").read_text())
    jobs = {name for name in rendered if name not in stages.GITLAB_KEYWORDS}
    assert jobs == {*CHECK_JOBS, *stages.DEVKIT_JOBS}


@pytest.mark.parametrize("action", ["check", "run"])
def test_force_with_another_action_is_a_usage_error(example_project: Path, action: str) -> None:
    result = run([*DEVKIT, "ci", action, "--force"], cwd=example_project, check=False)

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"devkit: error: --force goes with `devkit ci render` only, not with `devkit ci {action}`"
    ]
    assert not (example_project / ".venv").exists()


def test_check_on_a_pipeline_that_is_a_folder_says_so(example_project: Path) -> None:
    (example_project / ".gitlab-ci.yml").unlink()
    (example_project / ".gitlab-ci.yml").mkdir()

    result = run([*DEVKIT, "ci", "check"], cwd=example_project, check=False)

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"devkit: error: {example_project / '.gitlab-ci.yml'} is a folder, not a file devkit renders: "
        "move it away, then run `devkit ci render`"
    ]
    assert result.stdout == ""
