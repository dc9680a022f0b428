"""`devkit run`: read-only commands side by side, `{files}` in project stages, the quick path.

Real devkit, ruff, python and pre-commit in a synced service; the quick path's reading of
the command line is compared with the parser's own.
"""

from __future__ import annotations

import argparse
import os
import pty
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devkit import main as devkit_main
from devkit.commands import run as run_command
from devkit.errors import DevkitError
from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write

# The first command waits (up to 20 s) for the file the second one writes: it sees it
# only when both run at once. The second ends first; its output still comes second.
WAITER = (
    "import pathlib, sys, time; marker = pathlib.Path('marker'); "
    "[time.sleep(0.05) for _ in range(int(sys.argv[1])) if not marker.exists()]; "
    "print('first saw the marker:', marker.exists()); print('first on stderr', file=sys.stderr)"
)
WRITER = "import pathlib; pathlib.Path('marker').write_text('x'); print('second done')"


@pytest.fixture
def service(locked_service: Path, tmp_path: Path) -> Path:
    return make_service(locked_service, tmp_path / "service")


def add_stages(root: Path, text: str) -> None:
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.devkit.stages]\n{text}\n")


def devkit(root: Path, *args: str) -> tuple[int, str, str]:
    result = run([*DEVKIT, *args], cwd=root, check=False)
    return result.returncode, result.stdout, result.stderr


def python_command(code: str, *args: str) -> str:
    """A TOML string holding the stage command `python -c CODE ARGS`."""
    return '"' + shlex.join(["python", "-c", code, *args]).replace("\\", "\\\\").replace('"', '\\"') + '"'


def test_read_only_commands_run_side_by_side_and_print_in_the_stages_order(service: Path) -> None:
    add_stages(
        service,
        f"pair = {{ commands = [{python_command(WAITER, '400')}, {python_command(WRITER)}], read-only = true }}",
    )

    code, stdout, stderr = devkit(service, "run", "pair")

    assert code == 0, stdout + stderr
    lines = stdout.splitlines()
    assert [line.startswith("$ ") for line in lines] == [True, False, True, False]
    assert [lines[1], lines[3]] == ["first saw the marker: True", "second done"]
    assert "first on stderr" in stderr


def test_commands_of_a_stage_not_declared_read_only_run_one_after_the_other(service: Path) -> None:
    add_stages(service, f"pair = [{python_command(WAITER, '10')}, {python_command(WRITER)}]")

    code, stdout, stderr = devkit(service, "run", "pair")

    assert code == 0, stdout + stderr
    assert [line for line in stdout.splitlines() if not line.startswith("$ ")] == [
        "first saw the marker: False",
        "second done",
    ]


def test_failures_side_by_side_keep_the_order_and_the_summary(service: Path) -> None:
    failing = python_command("import sys; print('one failed'); sys.exit(3)")
    passing = python_command("print('two passed')")
    add_stages(service, f'trio = {{ commands = [{failing}, "nosuchtool --check", {passing}], read-only = true }}')

    code, stdout, stderr = devkit(service, "run", "trio")

    assert code == 1
    assert [line for line in stdout.splitlines() if not line.startswith("$ ")] == ["one failed", "two passed"]
    assert [shlex.split(line[2:])[0] for line in stdout.splitlines() if line.startswith("$ ")] == [
        str(service / ".venv/bin/python"),
        str(service / ".venv/bin/nosuchtool"),
        str(service / ".venv/bin/python"),
    ]
    assert "devkit: error: nosuchtool is not installed in .venv: add it to the dev group" in stderr
    assert stderr.rstrip().endswith("devkit: error: stage trio failed: python, nosuchtool")


def test_lint_reports_every_tool_in_order(service: Path) -> None:
    write(service, "app/messy.py", "import os\n\n\ndef Compute(x):\n    return x+1\n")

    code, stdout, stderr = devkit(service, "run", "lint")

    assert code == 1
    sections = stdout.split("$ ")[1:]
    assert [shlex.split(section.splitlines()[0])[1] for section in sections] == ["check", "format", "--config-file"]
    assert "F401" in sections[0]
    assert "app/messy.py" in sections[1]
    assert "no-untyped-def" in sections[2]
    assert stderr.rstrip().endswith("stage lint failed: ruff check, ruff format, mypy")


def test_captured_tools_keep_their_colours_on_a_terminal(service: Path) -> None:
    write(service, "app/messy.py", "import os\n")
    env = {key: value for key, value in os.environ.items() if key not in ("NO_COLOR", "FORCE_COLOR")}

    on_terminal = output_on_a_terminal(service, env)
    with_no_color = output_on_a_terminal(service, {**env, "NO_COLOR": "1"})
    piped = subprocess.run([*DEVKIT, "run", "lint"], cwd=service, env=env, capture_output=True, check=False)

    assert "\x1b[" in on_terminal.split("$ ")[1]  # ruff check's findings, captured, coloured
    assert "F401" in with_no_color
    assert "\x1b[" not in with_no_color.split("$ ")[1]
    assert b"F401" in piped.stdout
    assert b"\x1b[" not in piped.stdout


def output_on_a_terminal(root: Path, env: dict[str, str]) -> str:
    """What `devkit run lint` writes to stdout when stdout is a terminal."""
    leader, follower = pty.openpty()
    process = subprocess.Popen([*DEVKIT, "run", "lint"], cwd=root, env=env, stdout=follower, stderr=subprocess.DEVNULL)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed: every process writing to it ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode(errors="replace")


RUFF_STAGE = 'ruff = { commands = ["ruff check --config .devkit/ruff.toml --force-exclude {files}"], read-only = true }'


def test_files_reach_a_project_stage_after_a_double_dash(service: Path) -> None:
    add_stages(service, RUFF_STAGE)
    write(service, "--fix.py", "import os\n")
    write(service, "$(touch pwned).py", "import sys\n")
    write(service, "app/messy.py", "import os\n")
    write(service, "README.md", "# Service\n")

    code, stdout, _ = devkit(service, "run", "ruff", "--", "--fix.py", "$(touch pwned).py", "README.md")

    assert code == 1
    ruff = str(service / ".venv/bin/ruff")
    command = [ruff, "check", "--config", ".devkit/ruff.toml", "--force-exclude", "--", "--fix.py", "$(touch pwned).py"]
    assert [shlex.split(line[2:]) for line in stdout.splitlines() if line.startswith("$ ")] == [command]
    assert "--fix.py:1:8" in stdout
    assert "$(touch pwned).py:1:8" in stdout
    assert "app/messy.py" not in stdout
    assert (service / "--fix.py").read_text() == "import os\n"  # a file name, not ruff's --fix
    assert not (service / "pwned").exists()


def test_without_files_a_project_stage_runs_without_the_placeholder(service: Path) -> None:
    add_stages(service, RUFF_STAGE)
    write(service, "app/messy.py", "import os\n")

    code, stdout, _ = devkit(service, "run", "ruff")
    listed = run([*DEVKIT, "stages", "--json"], cwd=service).stdout

    assert code == 1
    assert "app/messy.py:1:8" in stdout
    command = [str(service / ".venv/bin/ruff"), "check", "--config", ".devkit/ruff.toml", "--force-exclude"]
    assert [shlex.split(line[2:]) for line in stdout.splitlines() if line.startswith("$ ")] == [command]
    assert '"{files}"' not in listed


def test_files_that_hold_no_python_file_skip_a_stage_command_that_takes_files(service: Path) -> None:
    add_stages(service, RUFF_STAGE)
    write(service, "README.md", "# Service\n")

    code, stdout, stderr = devkit(service, "run", "ruff", "README.md")

    assert code == 0, stdout + stderr
    assert "$ " not in stdout


@pytest.mark.parametrize(
    ("stage", "message"),
    [
        (
            'bad = ["ruff check {files} --fix"]',
            "[tool.devkit.stages] bad: 'ruff check {files} --fix' in pyproject.toml: {files} stands alone as the last word",
        ),
        ('bad = ["ruff check --files={files}"]', "{files} stands alone as the last word"),
        ('bad = ["{files}"]', "{files} stands alone as the last word"),
        (
            'bad = { commands = ["ruff check"], read-only = "yes" }',
            "[tool.devkit.stages] bad in pyproject.toml: `read-only` must be true or false, not 'yes'",
        ),
        (
            'bad = { commands = ["ruff check"], parallel = true }',
            "[tool.devkit.stages] bad in pyproject.toml: unknown key 'parallel'",
        ),
        ("bad = { read-only = true }", "[tool.devkit.stages] bad in pyproject.toml: a stage table needs `commands`"),
    ],
)
def test_a_malformed_stage_is_a_one_line_error_naming_file_and_key(service: Path, stage: str, message: str) -> None:
    add_stages(service, stage)
    before = (service / "pyproject.toml").read_bytes()

    for command in (["run", "lint"], ["stages"]):
        code, stdout, stderr = devkit(service, *command)
        assert code == 1, stdout
        assert message in stderr
        assert len(stderr.strip().splitlines()) == 1
    assert (service / "pyproject.toml").read_bytes() == before


def test_a_commit_hook_on_a_stage_with_files_checks_only_the_staged_files(service: Path) -> None:
    add_stages(service, RUFF_STAGE)
    write(service, ".gitignore", ".venv/\n.devkit/\n.mypy_cache/\n.ruff_cache/\n")
    hook = (
        "repos:\n  - repo: local\n    hooks:\n      - id: ruff-stage\n        name: ruff stage\n"
        "        entry: .venv/bin/devkit run ruff --\n        language: unsupported\n        types_or: [python]\n"
    )
    write(service, ".pre-commit-config.yaml", hook)
    run(["git", "init", "-q"], cwd=service)
    run([service / ".venv/bin/pre-commit", "install"], cwd=service)
    run(["git", "add", "."], cwd=service)
    run(["git", "commit", "-qm", "start"], cwd=service)
    write(service, "app/untracked.py", "import os\n")  # not staged: the hook must not look at it
    write(service, "app/staged.py", '"""Staged."""\n')
    run(["git", "add", "app/staged.py"], cwd=service)

    clean = run(["git", "commit", "-m", "staged"], cwd=service, check=False)
    write(service, "app/staged.py", "import sys\n")
    run(["git", "add", "app/staged.py"], cwd=service)
    dirty = run(["git", "commit", "-m", "staged again"], cwd=service, check=False)

    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert dirty.returncode == 1
    assert "app/staged.py:1:8" in dirty.stdout + dirty.stderr
    assert "app/untracked.py" not in clean.stdout + clean.stderr + dirty.stdout + dirty.stderr


def test_the_commit_path_imports_the_standard_library_only(service: Path) -> None:
    probe = (
        "import sys; before = set(sys.modules); from devkit.main import main; "
        "code = main(['run', 'lint', '--', 'app/scoring.py']); "
        "new = {name.split('.')[0] for name in set(sys.modules) - before}; "
        "print(code, sorted(new - set(sys.stdlib_module_names) - {'devkit'}), 'argparse' in sys.modules)"
    )
    devkit(service, "run", "lint")  # the first run writes .devkit's config files (with tomlkit), once

    result = run([sys.executable, "-c", probe], cwd=service)

    assert result.stdout.splitlines()[-1] == "0 [] False"


WORDS = st.lists(st.sampled_from(["lint", "a.py", "--", "-x", "-", "", "--help", "-h", "b c", "--reports"]), max_size=5)


@given(WORDS)
def test_the_quick_path_reads_run_as_the_parser_does(words: list[str]) -> None:
    quick = run_command.quick_words(words)
    if quick is None:
        return
    args = parse(["run", *words])
    assert quick == (args.stage, args.files)


def parse(argv: list[str]) -> argparse.Namespace:
    return devkit_main.build_parser(argv[0]).parse_args(argv)


@pytest.mark.parametrize(
    "words", [["lint"], ["lint", "a.py"], ["lint", "--", "-x.py"], ["--", "lint"], ["lint", "a", "--", "b"]]
)
def test_the_quick_path_takes_the_command_lines_hooks_and_make_use(words: list[str]) -> None:
    assert run_command.quick_words(words) is not None


@pytest.mark.parametrize("words", [[], ["--help"], ["-h"], ["lint", "-x"], ["lint", "--", "a", "--", "b"]])
def test_the_quick_path_leaves_options_to_the_parser(words: list[str]) -> None:
    assert run_command.quick_words(words) is None


def test_help_and_bad_usage_of_run_come_from_the_parser(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as help_exit:
        devkit_main.main(["run", "--help"])
    help_text = capsys.readouterr().out
    with pytest.raises(SystemExit) as usage_exit:
        devkit_main.main(["run"])

    assert help_exit.value.code == 0
    assert help_text.startswith("usage: devkit run [-h]")
    assert "STAGE [FILES ...]" in help_text.splitlines()[0]
    assert usage_exit.value.code == 2
    assert "the following arguments are required: STAGE" in capsys.readouterr().err


def test_an_unknown_stage_is_the_same_error_on_both_paths(
    service: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(service)
    code = devkit_main.main(["run", "deploy"])
    quick = capsys.readouterr().err
    args = parse(["run", "deploy"])
    with pytest.raises(DevkitError) as parsed:
        args.run(args)

    assert code == 1
    assert quick == f"devkit: error: {parsed.value}\n"
    assert "no stage 'deploy'; the stages are: lint, format, typecheck, tests, build" in quick
    assert devkit(service, "run", "--", "deploy")[2] == quick


@pytest.mark.parametrize("read_only", ["true", "false"], ids=["side by side", "alone"])
def test_a_command_starts_with_sigpipe_at_its_default_as_subprocess_starts_it(service: Path, read_only: str) -> None:
    shows = service / ".venv/bin/ignored-signals"  # the signals its process ignores, as the kernel lists them
    shows.write_text("#!/bin/sh\nexec grep SigIgn /proc/self/status\n")
    shows.chmod(0o755)
    add_stages(service, f'pipe = {{ commands = ["ignored-signals", "python -c pass"], read-only = {read_only} }}')

    code, stdout, stderr = devkit(service, "run", "pipe")

    assert code == 0, stdout + stderr
    mask = int(stdout.splitlines()[1].split()[1], 16)
    assert mask & (1 << (signal.SIGPIPE - 1)) == 0  # Python ignores SIGPIPE; a tool it starts must not


@pytest.mark.parametrize("read_only", ["true", "false"], ids=["side by side", "alone"])
def test_a_tool_that_cannot_start_is_a_one_line_error_and_fails_the_stage(service: Path, read_only: str) -> None:
    broken = service / ".venv/bin/broken"
    broken.write_text("#!/nonexistent/python\n")
    broken.chmod(0o755)
    add_stages(
        service, f'trio = {{ commands = ["broken --check", "python -c \\"print(1)\\""], read-only = {read_only} }}'
    )

    code, stdout, stderr = devkit(service, "run", "trio")

    assert code == 1
    assert stdout.splitlines()[1:] == [f"$ {service / '.venv/bin/python'} -c 'print(1)'", "1"]
    assert [line for line in stderr.splitlines() if line.startswith("devkit: error")] == [
        f"devkit: error: {broken}: No such file or directory: run `devkit sync` to repair .venv, or check the "
        "stage's command",
        "devkit: error: stage trio failed: broken",
    ]


ENDS_ITSELF = (
    "import atexit, sys; from devkit.main import main; "
    "atexit.register(lambda: print('atexit handler ran')); sys.argv = ['devkit', *sys.argv[1:]]; "
    "print('buffered before the stage'); code = main(); print('main returned', code)"
)


@pytest.mark.parametrize(("words", "code"), [(["run", "lint"], 0), (["run", "deploy"], 1), (["sync"], 0)])
def test_run_and_sync_on_the_process_command_line_end_the_process_as_an_exit_would(
    service: Path, words: list[str], code: int
) -> None:
    buffered = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}

    result = run([sys.executable, "-c", ENDS_ITSELF, *words], cwd=service, check=False, env=buffered)

    assert result.returncode == code, result.stdout + result.stderr
    assert result.stdout.startswith("buffered before the stage\n")
    assert result.stdout.endswith("atexit handler ran\n")
    assert "main returned" not in result.stdout


def test_main_called_with_arguments_returns(service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(service)

    assert devkit_main.main(["run", "deploy"]) == 1
    assert devkit_main.main(["sync"]) == 0
