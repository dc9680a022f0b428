"""The run plan: `devkit run STAGE` replays a stage's resolved commands while nothing they came from changed.

Real devkit, ruff and mypy in a synced service. A plan is stored only once its inputs
are older than the settle time, so these tests wait that long after their last change.
The plan's reader is checked against any bytes (hypothesis).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devkit.checks import plan
from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, site_packages, write

MESSY = "import os\n\n\ndef Compute(x):\n    return x+1\n"
SETTLE = plan.SETTLE_NS / 1e9 + 0.2
# Runs `devkit ARGS` in this process, then says which path it took (the full path imports
# the runner) and whether `main` imported tomllib, which a replay never does. Only what
# `main` imported counts: coverage, when the tests measure it, may import tomllib first.
PROBE = (
    "import sys; before = set(sys.modules); from devkit.main import main; code = main(sys.argv[1:]); "
    "new = set(sys.modules) - before; "
    "print('exit', code, 'full path' if 'devkit.checks.runner' in new else 'replayed', 'tomllib' in new)"
)


@pytest.fixture
def service(locked_service: Path, tmp_path: Path) -> Path:
    root = make_service(locked_service, tmp_path / "service")
    write(root, "app/messy.py", MESSY)
    return root


def devkit(root: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run([*DEVKIT, *args], cwd=root, check=False, env=env)
    return result.returncode, result.stdout, result.stderr


def path_taken(root: Path, *args: str) -> str:
    """How `devkit ARGS` ran: `exit CODE replayed False`, or `exit CODE full path ...`."""
    result = run([sys.executable, "-c", PROBE, *args], cwd=root, check=False)
    return result.stdout.splitlines()[-1]


def settle_and_store(root: Path, stage: str = "lint") -> tuple[int, str, str]:
    """Wait until every input has settled, then run `stage` once: the full path, which stores its plan."""
    time.sleep(SETTLE)
    outcome = devkit(root, "run", stage)
    assert (root / plan.FOLDER / stage).is_file(), outcome
    return outcome


def test_a_settled_stage_is_replayed_with_the_output_of_the_full_path(service: Path) -> None:
    full = settle_and_store(service)

    replayed = devkit(service, "run", "lint")

    assert full[0] == 1
    assert "F401" in full[1]
    assert "no-untyped-def" in full[1]
    assert full[2].rstrip().endswith("stage lint failed: ruff check, ruff format, mypy")
    assert replayed == full
    assert path_taken(service, "run", "lint") == "exit 1 replayed False"


def test_files_narrow_a_replayed_stage_as_they_narrow_the_full_path(service: Path) -> None:
    write(service, "README.md", "# Service\n")
    settle_and_store(service)
    write(service, "app/other.py", "import sys\n")

    replayed = devkit(service, "run", "lint", "--", "app/other.py", "README.md")
    (service / plan.FOLDER / "lint").unlink()
    full = devkit(service, "run", "lint", "--", "app/other.py", "README.md")

    assert replayed == full
    assert "app/other.py" in full[1]
    assert "app/messy.py:1:8: F401" not in full[1]  # ruff checked the one file given
    assert "no-untyped-def" in full[1]  # mypy still checks the whole project
    assert devkit(service, "run", "lint", "--", "missing.py")[2] == "devkit: error: missing.py does not exist " + (
        f"(in {service}): check the path\n"
    )


def test_a_plan_is_not_stored_while_an_input_is_fresh(service: Path) -> None:
    settle_and_store(service)
    pyproject = service / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n")

    devkit(service, "run", "lint")

    assert plan.load(str(service), "lint") is None  # the one stored before the change is stale
    assert path_taken(service, "run", "lint").startswith("exit 1 full path")


def add_lint_override(root: Path) -> None:
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.devkit.stages]\nlint = ["python -c \\"print(42)\\""]\n')


def ignore_f401(root: Path) -> None:
    write(root, "lint.toml", '[tool.ruff.lint]\nextend-ignore = ["F401"]\n')


def remove_mypy(root: Path) -> None:
    (root / ".venv/bin/mypy").unlink()


def add_stray_settings(root: Path) -> None:
    write(root, "setup.cfg", "[mypy]\nstrict = true\n")


@pytest.mark.parametrize(
    ("change", "shows", "hides"),
    [
        (add_lint_override, "\n42\n", "F401"),
        (ignore_f401, "no-untyped-def", "F401"),
        (remove_mypy, "mypy is not installed in .venv", "no-untyped-def"),
        (add_stray_settings, "devkit does not read the tool settings in setup.cfg [mypy]", None),
    ],
    ids=["pyproject.toml", "lint.toml", "a tool", "stray settings"],
)
def test_a_changed_input_takes_the_full_path(
    service: Path, change: Callable[[Path], None], shows: str, hides: str | None
) -> None:
    settle_and_store(service)

    change(service)
    _, stdout, stderr = devkit(service, "run", "lint")

    assert shows in stdout + stderr
    assert hides is None or hides not in stdout + stderr


def test_the_tests_stage_is_replayed_until_a_module_it_needs_leaves_venv(service: Path) -> None:
    code, _, _ = settle_and_store(service, "tests")
    replayed = path_taken(service, "run", "tests")
    (site_packages(service) / "devkit-tools.pth").unlink()  # pytest and pytest-cov are gone from .venv

    after = devkit(service, "run", "tests")

    assert replayed == f"exit {code} replayed False"
    assert after[0] == 1
    assert after[2].startswith("devkit: error: pytest is not installed in .venv"), after


def test_under_ci_a_stage_writes_its_reports_despite_its_plan(service: Path) -> None:
    settle_and_store(service)

    code, _, _ = devkit(service, "run", "lint", env={**os.environ, "CI": "true"})

    assert code == 1
    assert sorted(path.name for path in (service / ".devkit/reports").iterdir()) == [
        f"lint.{tool}.codequality.json" for tool in ("mypy", "ruff-check", "ruff-format")
    ]


def test_a_garbled_plan_takes_the_full_path_and_is_replaced(service: Path) -> None:
    full = settle_and_store(service)
    stored = service / plan.FOLDER / "lint"
    stored.write_bytes(stored.read_bytes()[:-7])

    assert devkit(service, "run", "lint") == full
    assert plan.decode(stored.read_bytes()) is not None


def test_a_plan_that_cannot_be_stored_leaves_the_stage_as_it_runs(service: Path) -> None:
    time.sleep(SETTLE)
    (service / ".devkit").mkdir(exist_ok=True)
    (service / plan.FOLDER).write_text("a file where the plans folder goes\n")

    code, stdout, stderr = devkit(service, "run", "lint")

    assert code == 1
    assert "F401" in stdout
    assert stderr.rstrip().endswith("stage lint failed: ruff check, ruff format, mypy")
    assert "error: cannot create" not in stderr
    assert (service / plan.FOLDER).read_text() == "a file where the plans folder goes\n"


WORD = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\0"), max_size=12)
WORDS = st.lists(WORD, max_size=4)
PLANNED = st.builds(plan.Planned, st.lists(WORD, min_size=1, max_size=4), WORDS, st.booleans(), st.booleans(), WORD)
PLANS = st.builds(
    plan.Plan, WORD, WORD, WORD, st.lists(st.tuples(WORD, WORD), max_size=4), st.lists(PLANNED, max_size=4)
)


@given(PLANS)
def test_a_plan_reads_back_as_it_was_written(written: plan.Plan) -> None:
    assert plan.decode(written.encode()) == written


@given(st.binary(max_size=200) | PLANS.map(plan.Plan.encode).map(lambda data: data[: len(data) // 2]))
def test_any_bytes_read_as_a_plan_or_as_none(data: bytes) -> None:
    found = plan.decode(data)

    assert found is None or plan.decode(found.encode()) == found
