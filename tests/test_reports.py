"""The reports of `devkit run --reports DIR` and of CI, from real ruff, mypy, pytest and pytest-cov."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from devkit.checks import stages
from devkit.render import gitlab_ci
from tests.support.proc import run
from tests.support.reports import FAILING, MESSY, cobertura, codequality, junit_cases, places, seed
from tests.support.service import DEVKIT, make_service, write


@pytest.fixture
def service(locked_service: Path, tmp_path: Path) -> Path:
    return make_service(locked_service, tmp_path / "service")


def devkit(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run([*DEVKIT, *args], cwd=root, check=False, env=env)
    return result.returncode, result.stdout, result.stderr


def test_lint_reports_hold_every_seeded_finding_at_its_path_and_line(service: Path, tmp_path: Path) -> None:
    seed(service, "app")

    code, _, stderr = devkit(service, "run", "lint", "--reports", str(tmp_path / "reports"))

    assert code == 1
    check = codequality(tmp_path / "reports/lint.ruff-check.codequality.json")
    layout = codequality(tmp_path / "reports/lint.ruff-format.codequality.json")
    typing = codequality(tmp_path / "reports/lint.mypy.codequality.json")
    assert ("ruff-check/F401", "app/messy.py", 3) in places(check)
    assert places(layout) == {("ruff-format/unformatted", "app/layout.py", 3)}
    assert places(typing) == {("mypy/return-value", "app/messy.py", 8)}
    assert typing[0]["severity"] == "major"
    assert typing[0]["description"] == 'mypy: Incompatible return value type (got "int", expected "str") [return-value]'
    fingerprints = [issue["fingerprint"] for issue in [*check, *layout, *typing]]
    assert len(set(fingerprints)) == len(fingerprints)
    assert f"devkit: wrote {tmp_path / 'reports/lint.mypy.codequality.json'} (1 finding)" in stderr.splitlines()


def test_tests_reports_hold_the_failing_test_and_the_coverage(service: Path, tmp_path: Path) -> None:
    seed(service, "app")

    code, _, _ = devkit(service, "run", "tests", "--reports", str(tmp_path / "reports"))

    assert code == 1
    cases = junit_cases(tmp_path / "reports/tests.pytest.junit.xml")
    assert set(cases) == {"test_double", FAILING}
    failing = cases[FAILING]
    assert failing.get("file") == "tests/test_failing.py"
    failure = failing.find("failure")
    assert failure is not None
    assert "tests/test_failing.py:5: AssertionError" in (failure.text or "")
    assert cases["test_double"].find("failure") is None
    coverage = cobertura(tmp_path / "reports/tests.coverage.cobertura.xml")
    assert "scoring.py" in {Path(item.get("filename", "")).name for item in coverage.iter("class")}
    assert not (tmp_path / "reports/.writing").exists()


def test_the_output_of_each_tool_stays_as_it_is(service: Path, tmp_path: Path) -> None:
    seed(service, "app")
    devkit(service, "run", "lint")  # the tools' caches warm, as on the second run

    _, plain, _ = devkit(service, "run", "lint")
    _, reported, _ = devkit(service, "run", "lint", "--reports", str(tmp_path / "reports"))
    _, plain_tests, _ = devkit(service, "run", "tests")
    _, reported_tests, _ = devkit(service, "run", "tests", "--reports", str(tmp_path / "reports"))

    json_runs = [line for line in reported.splitlines() if line.startswith("$ ") and " json" in line]
    assert len(json_runs) == 3  # ruff check, ruff format and mypy ran again for their findings
    assert [line for line in reported.splitlines() if line not in json_runs] == plain.splitlines()
    assert sections(reported_tests) == sections(plain_tests)
    assert re.search(r"^TOTAL +\d", reported_tests, re.MULTILINE)


def sections(output: str) -> list[str]:
    """pytest's output without its timings and the commands devkit printed."""
    lines = [re.sub(r" in [0-9.]+s", "", line) for line in output.splitlines() if not line.startswith("$ ")]
    return [line for line in lines if "generated xml file" not in line and "Coverage XML written" not in line]


def test_a_passing_check_gets_an_empty_report_without_a_second_run(service: Path, tmp_path: Path) -> None:
    code, stdout, _ = devkit(service, "run", "lint", "--reports", str(tmp_path / "reports"))

    assert code == 0, stdout
    assert len([line for line in stdout.splitlines() if line.startswith("$ ")]) == 3
    for tool in ("ruff-check", "ruff-format", "mypy"):
        assert codequality(tmp_path / f"reports/lint.{tool}.codequality.json") == []


def test_fingerprints_stay_when_the_code_above_moves(service: Path, tmp_path: Path) -> None:
    write(service, "app/messy.py", MESSY)
    devkit(service, "run", "typecheck", "--reports", str(tmp_path / "reports"))
    before = codequality(tmp_path / "reports/typecheck.mypy.codequality.json")

    write(service, "app/messy.py", MESSY.replace("import os\n", "import os\nimport sys\n"))
    devkit(service, "run", "typecheck", "--reports", str(tmp_path / "reports"))
    after = codequality(tmp_path / "reports/typecheck.mypy.codequality.json")

    assert [issue["fingerprint"] for issue in after] == [issue["fingerprint"] for issue in before]
    assert places(after) == {("mypy/return-value", "app/messy.py", 9)}


def test_under_ci_every_stage_writes_the_files_its_job_declares(service: Path) -> None:
    seed(service, "app")
    env = {**os.environ, "CI": "true"}

    for stage in ("lint", "typecheck", "tests"):
        devkit(service, "run", stage, env=env)

    declared = []
    for stage in ("lint", "typecheck", "tests"):
        reports = gitlab_ci.report_keys(stage, stages.BUILTIN[stage])["artifacts"]["reports"]
        declared += [*reports.get("junit", []), *reports.get("codequality", [])]
        declared += [reports["coverage_report"]["path"]] if "coverage_report" in reports else []
    written = sorted(path.relative_to(service).as_posix() for path in (service / ".devkit/reports").iterdir())
    assert written == sorted(declared)
    assert len(declared) == 6  # lint: three code-quality reports; typecheck: one; tests: JUnit and Cobertura


def test_the_coverage_pattern_reads_the_total_pytest_cov_prints(service: Path) -> None:
    write(service, "app/unused.py", '"""Half covered."""\n\n\ndef never() -> int:\n    return 1\n')

    _, stdout, _ = devkit(service, "run", "tests", env={**os.environ, "CI": "true"})

    pattern = gitlab_ci.report_keys("tests", stages.BUILTIN["tests"])["coverage"]
    matches = re.findall(pattern.strip("/"), stdout)
    total = re.search(r"Total coverage: ([0-9.]+)%", stdout)
    assert total is not None
    assert len(matches) == 1
    assert float(matches[0]) == round(float(total.group(1)))
    assert float(matches[0]) < 100


def test_a_reports_path_that_is_a_file_is_bad_usage(service: Path) -> None:
    write(service, "notes.txt", "mine\n")

    code, stdout, stderr = devkit(service, "run", "lint", "--reports", "notes.txt")

    assert code == 2
    assert stderr.splitlines()[-1].endswith(
        "argument --reports: notes.txt is not a folder: give a folder (it is created if needed)"
    )
    assert (service / "notes.txt").read_text() == "mine\n"
    assert stdout == ""


def test_an_old_report_goes_when_its_check_cannot_run(service: Path, tmp_path: Path) -> None:
    write(service, "app/messy.py", MESSY)
    devkit(service, "run", "typecheck", "--reports", str(tmp_path / "reports"))
    report = tmp_path / "reports/typecheck.mypy.codequality.json"
    assert report.is_file()
    (service / ".venv/bin/mypy").unlink()

    code, _, _ = devkit(service, "run", "typecheck", "--reports", str(tmp_path / "reports"))

    assert code == 1
    assert not report.exists()


def test_a_run_without_reports_does_not_import_the_report_modules(service: Path) -> None:
    probe = (
        "import sys; from devkit.main import main; code = main(['run', 'typecheck']); "
        "print(sorted(name for name in sys.modules if name.startswith('devkit.checks')))"
    )

    result = run([sys.executable, "-c", probe], cwd=service)

    loaded = result.stdout.splitlines()[-1]
    assert "devkit.checks.runner" in loaded
    assert "devkit.checks.reports" not in loaded
    assert "devkit.checks.codequality" not in loaded


def test_a_check_that_cannot_run_leaves_no_report_and_says_why(service: Path, tmp_path: Path) -> None:
    write(service, "lint.toml", '[tool.ruff.lint]\nextend-select = ["NOPE"]\n')
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports/lint.ruff-check.codequality.json").write_text("[]\n")  # from an earlier run

    code, _, stderr = devkit(service, "run", "lint", "--reports", str(tmp_path / "reports"))

    assert code == 1
    assert not (tmp_path / "reports/lint.ruff-check.codequality.json").exists()
    notes = [line for line in stderr.splitlines() if "no code-quality report" in line]
    assert len(notes) == 2  # ruff check and ruff format read the same config
    assert notes[0].startswith("devkit: note: no code-quality report from ruff check: it failed with exit code 2")
    assert "NOPE" in notes[0]
    assert codequality(tmp_path / "reports/lint.mypy.codequality.json") == []


def test_a_project_that_chose_its_coverage_reports_gets_no_terminal_report_added(service: Path, tmp_path: Path) -> None:
    write(service, "lint.toml", '[tool.pytest.ini_options]\naddopts = ["-ra", "--cov-report=html:htmlcov"]\n')

    _, plain, _ = devkit(service, "run", "tests")
    code, reported, _ = devkit(service, "run", "tests", "--reports", str(tmp_path / "reports"))

    assert code == 0, reported
    assert "TOTAL" not in plain
    assert sections(reported) == sections(plain)
    assert (tmp_path / "reports/tests.coverage.cobertura.xml").is_file()
