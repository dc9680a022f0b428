"""devkit's Makefile include with real GNU make: `make help`, the fresh-clone bootstrap, the checks.

The help tests use a small project whose Makefile sets `DEVKIT = true` (so no target
runs anything), includes make/devkit.mk and an `extra.mk`, and adds a target of its own.
They run once per awk: the system's default `awk`, and gawk, mawk and original-awk (the
one-true-awk BSD and macOS ship), chosen with `make help AWK=...`; Debian packages gawk,
mawk and original-awk provide them.

The fresh-clone help tests run `make help` in a project whose Makefile is `devkit init`'s
stub (the bootstrap block, then the project's targets) with no devkit installed: the block
lists devkit's targets from its own copy of make/devkit.mk's help lines.

The other tests run the example service (examples/ml-service, a Makefile with the
fresh-clone bootstrap) with packages from the session's loopback index. The bootstrap
tests run make with a PATH that holds uv or Poetry but not both, plus the system folders
for make, sh and python3.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from devkit.adopt import makefile
from devkit.env.noop import STAMP
from tests.conftest import SessionCaches, isolate
from tests.support.index import serve_index
from tests.support.proc import run
from tests.support.projects import EXAMPLE_WHEELS_MISSING, copy_example, link_checkout, lock_by_poetry
from tests.support.wheels import build_wheel, gather

SOURCE = Path(__file__).resolve().parent.parent
DEVKIT_MK = SOURCE / "make/devkit.mk"
EXAMPLE = SOURCE / "examples/ml-service"
AWKS = ("awk", "gawk", "mawk", "original-awk")
SYSTEM_DIRS = ("/usr/bin", "/bin")
# What a sub-make inherits from a make that runs the test session (`make ci`): without
# removing it, make prints "Entering directory" lines and shares the caller's jobserver.
MAKE_VARIABLES = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES", "MAKEOVERRIDES", "GNUMAKEFLAGS")
FRESH_NOTE = [
    "devkit is not installed yet: `make sync` installs it, with the organisation's tools.",
    "A target marked * needs devkit: `make TARGET` runs `make sync` first, then TARGET.",
]
RUN_BY_THE_BOOTSTRAP = ("help", "sync")
STARTING = "Getting started"
CHECKS_HEADING = "Checks: the commands `devkit stages` lists, the same in the hooks and in CI"  # the targets a fresh clone's Makefile runs without devkit
ANSI = re.compile("\x1b\\[[0-9;]*m")

PROJECT_MAKEFILE = """\
# A project's Makefile: devkit's targets, an extra include and a target of its own.
DEVKIT = true
include {devkit_mk}
include extra.mk

VERSION := 1.0 ## not a target: a variable
RELEASE ::= $(VERSION) ## not a target either
CHANNEL ?= stable ## nor this
URL = https://example.invalid:8080 ## nor this

##@ Service

.PHONY: score
score: data.json ## score the samples in data.json
\t@true

undocumented:
\t@true
"""
EXTRA_MK = """\
##@ Extra

.PHONY: deploy-staging
deploy-staging: lint ## ship the image to staging
\t@true

distclean:: ## remove every generated file
\t@true

helper:
\t@true
"""
FRESH_MAKEFILE_TAIL = """\
include extra.mk

.PHONY: score
score: data.json ## score the samples in data.json
\t@true

undocumented:
\t@true
"""
PROJECT_TARGETS = {
    "Service": [("score", "score the samples in data.json")],
}
EXTRA_TARGETS = {
    "Extra": [("deploy-staging", "ship the image to staging"), ("distclean", "remove every generated file")],
}
DESCRIPTION_COLUMN = 18  # "  " + "deploy-staging" (the longest name, 14) + "  "

POETRY_PYPROJECT = """\
[project]
name = "poetry-service"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[tool.poetry]
packages = [{{ include = "poetry_service" }}]

[tool.poetry.group.dev.dependencies]
devkit-toolchain = {{ path = "../..", develop = true }}

[[tool.poetry.source]]
name = "loopback"
url = "{index_url}"
priority = "primary"

[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
"""


@pytest.fixture(autouse=True)
def plain_make(monkeypatch: pytest.MonkeyPatch) -> None:
    """No make, awk or colour settings inherited from the caller."""
    for name in (*MAKE_VARIABLES, "AWK", "NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


# --- helpers -------------------------------------------------------------------------


def make(project: Path, *args: str, path: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run GNU make in `project`, with `path` as PATH when given."""
    env = None if path is None else dict(os.environ, PATH=path)
    return run(["make", *args], cwd=project, check=check, env=env)


def awk_args(awk: str) -> list[str]:
    """The make arguments that select `awk` (none for the default); a clear failure when it is missing."""
    if shutil.which(awk) is None:
        pytest.fail(f"{awk} is not installed: `apt-get install -y gawk mawk original-awk` (bash .ci/run does)")
    return [] if awk == "awk" else [f"AWK={awk}"]


def on_terminal(args: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> str:
    """Run `args` with stdout and stderr on a new pseudo-terminal; return what it printed."""
    primary, secondary = os.openpty()
    try:
        with subprocess.Popen(
            args, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=secondary, stderr=secondary
        ) as process:
            os.close(secondary)
            secondary = -1
            output = read_until_closed(primary)
            code = process.wait(timeout=60)
    finally:
        os.close(primary)
        if secondary != -1:
            os.close(secondary)
    text = output.decode().replace("\r\n", "\n")  # the terminal turns "\n" into "\r\n"
    assert code == 0, text
    return text


def read_until_closed(fd: int) -> bytes:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # EIO: every process holding the terminal's other side exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def sections(output: str) -> dict[str, list[tuple[str, str]]]:
    """`make help` output as {heading: [(target, description), ...]}, in printed order."""
    lines = output.splitlines()
    assert lines[0] == "Usage: make TARGET", output
    listed: dict[str, list[tuple[str, str]]] = {}
    heading = None
    for line in lines[1:]:
        if line.startswith("  "):
            assert heading is not None, output
            name, text = line.split(maxsplit=1)
            listed[heading].append((name, text))
        elif line:
            assert line not in listed, f"heading {line!r} printed twice:\n{output}"
            heading = line
            listed[heading] = []
    return listed


def documented(makefile: Path) -> dict[str, list[tuple[str, str]]]:
    """The `target: ## text` lines of `makefile` under their `##@` headings, read here (not by awk)."""
    listed: dict[str, list[tuple[str, str]]] = {}
    heading = "Project"
    for line in makefile.read_text().splitlines():
        if line.startswith("##@"):
            heading = line.removeprefix("##@").strip()
        elif match := re.fullmatch(r"([\w.-]+):(?!=)[^#]*## (.+)", line):
            listed.setdefault(heading, []).append((match[1], match[2]))
    return listed


Marked = dict[str, list[tuple[str, bool, str]]]


def fresh_sections(output: str) -> Marked:
    """`make help` output of a fresh clone as {heading: [(target, marked *, description), ...]}."""
    lines = output.splitlines()
    assert lines[:4] == ["Usage: make TARGET", *FRESH_NOTE, ""], output
    listed: Marked = {}
    heading = None
    for line in lines[4:]:
        if match := re.fullmatch(r"  (\S+) +(\* )?(\S.*)", line):
            assert heading is not None, output
            listed[heading].append((match[1], match[2] is not None, match[3]))
        elif line:
            assert line not in listed, f"heading {line!r} printed twice:\n{output}"
            heading = line
            listed[heading] = []
    return listed


def devkits_before_sync() -> Marked:
    """devkit's documented targets, each marked unless the bootstrap runs it without devkit."""
    return {
        heading: [(name, name not in RUN_BY_THE_BOOTSTRAP, text) for name, text in targets]
        for heading, targets in documented(DEVKIT_MK).items()
    }


def unmarked(listed: dict[str, list[tuple[str, str]]]) -> Marked:
    return {heading: [(name, False, text) for name, text in targets] for heading, targets in listed.items()}


def printed_commands(output: str) -> list[list[str]]:
    """The commands `devkit run` printed, as argument lists."""
    return [shlex.split(line[2:]) for line in output.splitlines() if line.startswith("$ ")]


def findings(output: str) -> list[str]:
    """Every finding in lint output as "file:line[:col]: CODE" (ruff's rule codes, mypy's error codes)."""
    lines = output.splitlines()
    found = []
    for header, arrow in itertools.pairwise(lines):
        code = re.match(r"([A-Z]+[0-9]+) ", header)
        place = re.fullmatch(r" *--> (\S+:\d+:\d+)", arrow)
        if code and place:
            found.append(f"{place[1]}: {code[1]}")
    # mypy's pretty output may wrap a message: the code ends the message's last line.
    mypy = re.finditer(r"^(\S+\.py:\d+(?::\d+)?): error: .*?  \[([a-z-]+)\]$", output, re.MULTILINE | re.DOTALL)
    return found + [f"{match[1]}: {match[2]}" for match in mypy]


def restricted_path(bin_dir: Path, absent: tuple[str, ...]) -> str:
    """PATH of `bin_dir` and the system folders (make, sh, python3); none of `absent` is on it."""
    path = os.pathsep.join([str(bin_dir), *SYSTEM_DIRS])
    for tool in ("make", "sh"):
        if shutil.which(tool, path=path) is None:
            pytest.fail(f"{tool} is not in {', '.join(SYSTEM_DIRS)}: the bootstrap tests need it there")
    system_python = shutil.which("python3", path=os.pathsep.join(SYSTEM_DIRS))
    check = "import sys; sys.exit(sys.version_info < (3, 11))"
    if system_python is None or subprocess.run([system_python, "-c", check], check=False).returncode != 0:
        (bin_dir / "python3").symlink_to(Path(sys.executable).resolve())  # the test's own Python, 3.11+
    for tool in absent:
        if (found := shutil.which(tool, path=path)) is not None:
            pytest.fail(f"{found} is on the system PATH: this test needs a PATH without {tool}")
    return path


def tools_only(bin_dir: Path, tools: Mapping[str, Path], absent: tuple[str, ...]) -> str:
    """A PATH with `tools` (name: executable) linked into `bin_dir`, and the system folders."""
    bin_dir.mkdir()
    for name, executable in tools.items():
        if not executable.is_file():
            pytest.fail(f"{name} not found at {executable}")
        (bin_dir / name).symlink_to(executable)
    return restricted_path(bin_dir, absent)


# --- make help -----------------------------------------------------------------------


@pytest.fixture
def help_project(tmp_path: Path) -> Path:
    """A project that includes devkit.mk and extra.mk and adds a target; nothing runs devkit."""
    project = tmp_path / "service"
    project.mkdir()
    (project / "Makefile").write_text(PROJECT_MAKEFILE.format(devkit_mk=DEVKIT_MK))
    (project / "extra.mk").write_text(EXTRA_MK)
    return project


@pytest.mark.parametrize("awk", AWKS)
def test_help_lists_every_documented_target_once_under_its_heading(help_project: Path, awk: str) -> None:
    devkit_targets = documented(DEVKIT_MK)
    assert {"help", "sync", "lint", "tests", "build"} <= {
        name for group in devkit_targets.values() for name, _ in group
    }

    output = make(help_project, "help", *awk_args(awk)).stdout

    assert sections(output) == {**PROJECT_TARGETS, **devkit_targets, **EXTRA_TARGETS}
    for hidden in ("undocumented", "helper", "not a target", "VERSION", "RELEASE", "CHANNEL", "URL"):
        assert hidden not in output


@pytest.mark.parametrize("awk", AWKS)
def test_help_aligns_every_description_in_one_column(help_project: Path, awk: str) -> None:
    output = make(help_project, "help", *awk_args(awk)).stdout

    target_lines = [line for line in output.splitlines() if line.startswith("  ")]
    assert len(target_lines) > 3, output
    columns = {len(line) - len(line.split(maxsplit=1)[1]) for line in target_lines}
    assert columns == {DESCRIPTION_COLUMN}, output
    assert "  deploy-staging  ship the image to staging" in target_lines
    assert "  score           score the samples in data.json" in target_lines


def test_help_output_is_byte_identical_with_every_awk(help_project: Path) -> None:
    plain = {awk: make(help_project, "help", *awk_args(awk)).stdout for awk in AWKS}
    coloured = {awk: on_terminal(["make", "help", *awk_args(awk)], help_project) for awk in AWKS}

    assert len(set(plain.values())) == 1, plain
    assert len(set(coloured.values())) == 1, coloured


def test_help_is_plain_when_stdout_is_not_a_terminal(help_project: Path) -> None:
    output = make(help_project, "help").stdout

    assert "\x1b" not in output
    assert "\nExtra\n" in output


@pytest.mark.parametrize("awk", AWKS)
def test_help_is_coloured_on_a_terminal(help_project: Path, awk: str) -> None:
    plain = make(help_project, "help", *awk_args(awk)).stdout

    output = on_terminal(["make", "help", *awk_args(awk)], help_project)

    lines = output.splitlines()
    assert lines[0] == "Usage: make \x1b[36mTARGET\x1b[0m"
    assert "\x1b[1mExtra\x1b[0m" in lines
    assert "  \x1b[36mdeploy-staging\x1b[0m  ship the image to staging" in lines
    assert ANSI.sub("", output) == plain


def test_no_color_keeps_help_plain_on_a_terminal(help_project: Path) -> None:
    plain = make(help_project, "help").stdout

    output = on_terminal(["make", "help"], help_project, env=dict(os.environ, NO_COLOR="1"))

    assert output == plain


# --- make help on a fresh clone: devkit's bootstrap block, no .venv ------------------------


@pytest.fixture
def fresh_project(tmp_path: Path) -> Path:
    """A project whose Makefile is `devkit init`'s stub with targets of its own; no devkit anywhere."""
    project = tmp_path / "service"
    project.mkdir()
    (project / "Makefile").write_text(makefile.stub("service") + FRESH_MAKEFILE_TAIL)
    (project / "extra.mk").write_text(EXTRA_MK)
    return project


@pytest.mark.parametrize("awk", AWKS)
def test_fresh_clone_help_lists_the_projects_targets_and_devkits_marked_as_needing_sync(
    fresh_project: Path, awk: str
) -> None:
    output = make(fresh_project, "help", *awk_args(awk)).stdout

    listed = fresh_sections(output)
    assert listed == {
        **devkits_before_sync(),
        **unmarked({"service": PROJECT_TARGETS["Service"]}),
        **unmarked(EXTRA_TARGETS),
    }
    assert ("lint", True, "every linter: ruff check, ruff format --check, mypy") in listed[CHECKS_HEADING]
    assert ("sync", False, "build .venv from the lock, exactly (a no-op when nothing changed)") in listed[STARTING]
    assert not (fresh_project / ".venv").exists()


def test_fresh_clone_help_is_byte_identical_with_every_awk_and_coloured_on_a_terminal(fresh_project: Path) -> None:
    plain = {awk: make(fresh_project, "help", *awk_args(awk)).stdout for awk in AWKS}
    coloured = {awk: on_terminal(["make", "help", *awk_args(awk)], fresh_project) for awk in AWKS}

    assert len(set(plain.values())) == 1, plain
    assert len(set(coloured.values())) == 1, coloured
    (terminal,) = set(coloured.values())
    assert (
        "  \x1b[36mlint          \x1b[0m  * every linter: ruff check, ruff format --check, mypy"
        in terminal.splitlines()
    )
    assert ANSI.sub("", terminal) == plain["awk"]


def test_fresh_clone_help_keeps_a_makefiles_own_targets_out_of_devkits_headings(tmp_path: Path) -> None:
    # What `devkit init` makes of an existing Makefile: its targets, with no heading, after the block.
    (tmp_path / "Makefile").write_text(makefile.bootstrap() + "\nserve: ## run the server\n\tpython -m http.server\n")

    listed = fresh_sections(make(tmp_path, "help").stdout)

    assert listed == {**devkits_before_sync(), "Project": [("serve", False, "run the server")]}


# --- the example service, synced -------------------------------------------------------


@pytest.fixture(scope="module")
def synced_once(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, index_url: str, session_caches: SessionCaches
) -> Path:
    """The example service, synced once for the tests below that leave its sources as they found them."""
    if not any(wheelhouse.glob("numpy-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    project = copy_example(link_checkout(tmp_path_factory.mktemp("synced-example") / "devkit-checkout"))
    with pytest.MonkeyPatch.context() as monkeypatch:  # module fixtures run before the per-test isolation
        isolate(monkeypatch, tmp_path_factory.mktemp("sync-home"), session_caches)
        monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
        run([sys.executable, "-m", "devkit", "sync"], cwd=project)
    return project


@pytest.fixture
def synced_example(synced_once: Path, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("UV_DEFAULT_INDEX", index_url)
    return synced_once


def test_make_help_lists_the_examples_staging_targets_under_its_heading(synced_example: Path) -> None:
    output = make(synced_example, "help").stdout.splitlines()

    start = output.index("ml-service") + 1
    own = output[start : output.index("", start)]
    assert [line.split()[0] for line in own] == ["score", "staging-up", "staging-down"]


def test_make_n_lint_shows_the_devkit_command(synced_example: Path) -> None:
    result = make(synced_example, "-n", "lint")

    assert result.stdout == ".venv/bin/devkit run lint\n"


def test_make_lint_runs_the_commands_devkit_stages_lists(synced_example: Path) -> None:
    listing = json.loads(run([synced_example / ".venv/bin/devkit", "stages", "--json"], cwd=synced_example).stdout)

    result = make(synced_example, "lint")

    assert listing["lint"], listing
    assert printed_commands(result.stdout) == listing["lint"]


def test_make_lint_fails_with_the_findings_of_devkit_run_lint(synced_example: Path) -> None:
    features = synced_example / "ml_service/features.py"
    clean = features.read_text()
    seeded = clean.replace("from collections.abc", "import os\nfrom collections.abc", 1) + '\n\nLIMIT: int = "ten"\n'
    features.write_text(seeded)
    try:
        by_make = make(synced_example, "lint", check=False)
        by_devkit = run([synced_example / ".venv/bin/devkit", "run", "lint"], cwd=synced_example, check=False)
    finally:
        features.write_text(clean)

    assert by_make.returncode != 0, by_make.stdout
    assert by_devkit.returncode == 1, by_devkit.stdout
    found = findings(by_make.stdout)
    assert found == findings(by_devkit.stdout)
    lines = seeded.splitlines()
    assert f"ml_service/features.py:{lines.index('import os') + 1}:8: F401" in found, by_make.stdout
    assert f"ml_service/features.py:{len(lines)}: assignment" in found, by_make.stdout


def test_show_version_prints_the_version(synced_example: Path) -> None:
    assert make(synced_example, "show-version").stdout == "0.1.0\n"


def test_build_leaves_one_wheel_and_clean_removes_it_but_keeps_venv(synced_example: Path) -> None:
    make(synced_example, "build")
    wheels = sorted(path.name for path in (synced_example / "dist").glob("*.whl"))
    assert wheels == ["ml_service-0.1.0-py3-none-any.whl"]
    (synced_example / ".mypy_cache").mkdir(exist_ok=True)

    make(synced_example, "clean")

    assert not (synced_example / "dist").exists()
    assert not (synced_example / ".mypy_cache").exists()
    assert (synced_example / ".devkit/sync.lock").is_file()
    assert (synced_example / ".venv/bin/devkit").is_file()
    assert (synced_example / ".venv" / STAMP).is_file()


def test_a_sync_started_after_clean_waits_for_the_running_one(synced_example: Path) -> None:
    with (synced_example / ".devkit/sync.lock").open("a") as running:
        fcntl.flock(running, fcntl.LOCK_EX)  # what a sync in progress holds
        make(synced_example, "clean")
        (synced_example / ".venv" / STAMP).unlink()  # stale: the next sync must take the lock
        with subprocess.Popen(
            [synced_example / ".venv/bin/devkit", "sync"],
            cwd=synced_example,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        ) as second:
            assert second.stderr is not None
            first_line = second.stderr.readline()
            still_waiting = second.poll() is None
            fcntl.flock(running, fcntl.LOCK_UN)
            rest = second.stderr.read()
            code = second.wait(timeout=300)

    assert first_line == "devkit: another devkit sync is running in this project; waiting for it to finish\n"
    assert still_waiting
    assert code == 0, rest
    assert "synced .venv" in rest


# --- fresh clones ----------------------------------------------------------------------


@pytest.fixture
def uv_only(tmp_path: Path, uv: Path) -> str:
    """A PATH with uv and uvx, the system's make and python3, and no Poetry."""
    return tools_only(tmp_path / "uv-only", {"uv": uv, "uvx": uv.parent / "uvx"}, absent=("poetry",))


@pytest.fixture
def poetry_only(tmp_path: Path, poetry: Path) -> str:
    """A PATH with Poetry, the system's make and python3, and no uv."""
    return tools_only(tmp_path / "poetry-only", {"poetry": poetry}, absent=("uv", "uvx"))


EXAMPLE_TARGETS = [
    ("score", "score the sample customers in data/sample.json"),
    ("staging-up", "deploy the review environment (here: write the marker file STAGING_MARKER)"),
    ("staging-down", "stop the review environment (here: remove the marker file)"),
]


def assert_bootstrapped(project: Path, path: str) -> None:
    """`make help` now lists devkit's targets and the project's `score`."""
    assert (project / ".venv/bin/devkit").is_file()
    assert (project / ".venv" / STAMP).is_file()
    listed = sections(make(project, "help", path=path).stdout)
    assert listed == {"ml-service": EXAMPLE_TARGETS, **documented(DEVKIT_MK)}


def assert_lists_devkits_targets_before_sync(output: str) -> None:
    """The fresh clone's `make help`: devkit.mk's targets as they are now, and the project's own."""
    assert fresh_sections(output) == {
        **devkits_before_sync(),
        "ml-service": [(name, False, text) for name, text in EXAMPLE_TARGETS],
    }


def test_fresh_clone_with_only_uv_bootstraps_with_make_sync(example_project: Path, uv_only: str) -> None:
    before = make(example_project, "help", path=uv_only)
    assert_lists_devkits_targets_before_sync(before.stdout)
    assert not (example_project / ".venv").exists()

    make(example_project, "sync", path=uv_only)

    assert_bootstrapped(example_project, uv_only)


# `tests` is also the name of a folder: a target like it must sync and run too, not be "up to date"
@pytest.mark.parametrize(("target", "commands"), [("lint", 3), ("tests", 1)])
def test_any_target_on_a_fresh_clone_syncs_first_then_runs(
    example_project: Path, uv_only: str, target: str, commands: int
) -> None:
    result = subprocess.run(
        ["make", target],
        cwd=example_project,
        env=dict(os.environ, PATH=uv_only),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout
    assert (example_project / ".venv" / STAMP).is_file()
    synced = result.stdout.index("devkit: synced .venv")
    assert synced < result.stdout.index("\n$ "), result.stdout
    assert len(printed_commands(result.stdout)) == commands, result.stdout


@pytest.fixture
def poetry_service(tmp_path: Path, wheelhouse: Path, poetry: Path) -> Path:
    """Stand-in for the example when only Poetry is there (see the test below)."""
    if not any(wheelhouse.glob("ruff-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    project = link_checkout(tmp_path / "devkit-checkout") / "examples/poetry-service"
    (project / "poetry_service").mkdir(parents=True)
    (project / "poetry_service/__init__.py").write_text('"""A service."""\n')
    shutil.copy(EXAMPLE / "Makefile", project / "Makefile")
    return project


def test_fresh_clone_with_only_poetry_bootstraps_with_make_sync(
    poetry_service: Path, tmp_path: Path, wheelhouse: Path, poetry: Path, poetry_only: str
) -> None:
    # Poetry 2.5.1 always reads its implicit PyPI source from the public index (no setting
    # moves it), so this project names the loopback index as its primary source and is
    # locked here, with the example's Makefile. Poetry locks for every platform: pytest's
    # Windows-only colorama must be in the index, as an empty stand-in.
    wheels = gather(tmp_path / "wheels", wheelhouse.glob("*.whl"))
    build_wheel(wheels, "colorama", "0.4.6")
    with serve_index(wheels) as index:
        (poetry_service / "pyproject.toml").write_text(POETRY_PYPROJECT.format(index_url=index.url))
        lock_by_poetry(poetry_service, poetry)

        before = make(poetry_service, "help", path=poetry_only)
        assert_lists_devkits_targets_before_sync(before.stdout)
        assert not (poetry_service / ".venv").exists()

        make(poetry_service, "sync", path=poetry_only)

        assert_bootstrapped(poetry_service, poetry_only)
        stamp = json.loads((poetry_service / ".venv" / STAMP).read_text())
        assert stamp["installer"] == "uv"  # devkit sync ran with the uv that came with devkit


# --- a project whose path has spaces, with devkit from its wheel ----------------------------

SPACED_PYPROJECT = """\
[project]
name = "score-service"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[dependency-groups]
dev = ["devkit-toolchain"]
"""
SPACED_TARGETS = """
##@ score-service

.PHONY: score
score: ## score the sample customers
\t@echo scored
"""


@pytest.fixture
def spaced_project(tmp_path: Path, devkit_wheel: Path, wheelhouse: Path, uv: Path) -> Iterator[Path]:
    """A uv project in "my services/score service" whose dev group takes devkit from its wheel.

    Its Makefile is the example's, with the fresh-clone bootstrap; its index serves the
    session's wheels, devkit's wheel and a stand-in for pytest's Windows-only colorama
    (uv locks for every platform).
    """
    if not any(wheelhouse.glob("ruff-*.whl")):
        pytest.fail(EXAMPLE_WHEELS_MISSING)
    wheels = gather(tmp_path / "wheels", [*wheelhouse.glob("*.whl"), devkit_wheel])
    build_wheel(wheels, "colorama", "0.4.6")
    project = tmp_path / "my services" / "score service"
    (project / "score_service").mkdir(parents=True)
    (project / "score_service/__init__.py").write_text('"""Scores customers."""\n')
    (project / "pyproject.toml").write_text(SPACED_PYPROJECT)
    bootstrap = EXAMPLE.joinpath("Makefile").read_text().split("\n##@ ml-service\n")[0]
    (project / "Makefile").write_text(bootstrap + SPACED_TARGETS)
    with serve_index(wheels) as index:
        run([uv, "lock", "--quiet", "--default-index", index.url], cwd=project)
        yield project


def test_make_works_in_a_path_with_spaces_with_devkit_from_its_wheel(spaced_project: Path, uv_only: str) -> None:
    make(spaced_project, "sync", path=uv_only)

    site_packages = next((spaced_project / ".venv/lib").glob("python3.*/site-packages"))
    assert (site_packages / "devkit/_shipped/make/devkit.mk").is_file()  # from the wheel, not this checkout
    listed = sections(make(spaced_project, "help", path=uv_only).stdout)
    assert listed["score-service"] == [("score", "score the sample customers")]
    for heading, targets in documented(DEVKIT_MK).items():
        assert listed[heading] == targets
    lint = make(spaced_project, "lint", path=uv_only, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert len(printed_commands(lint.stdout)) == 3, lint.stdout
    assert make(spaced_project, "sync", path=uv_only).stderr == "devkit: .venv is in sync with uv.lock\n"


def test_makefile_path_is_relative_when_the_absolute_one_has_a_space(
    devkit_wheel: Path, tmp_path: Path, uv: Path
) -> None:
    project = tmp_path / "a project"
    venv = project / ".venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, venv], cwd=tmp_path)
    run([uv, "pip", "install", "--quiet", "--python", venv / "bin/python", "--no-deps", devkit_wheel], cwd=tmp_path)
    elsewhere = tmp_path / "another folder"
    elsewhere.mkdir()

    printed = run([venv / "bin/devkit", "makefile"], cwd=project).stdout.strip()
    refused = run([venv / "bin/devkit", "makefile"], cwd=elsewhere, check=False)

    assert printed.startswith(".venv/lib/python3.")
    assert printed.endswith("/devkit/_shipped/make/devkit.mk")
    assert (project / printed).is_file()
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert "make cannot include" in refused.stderr
    assert "its path has a space" in refused.stderr
