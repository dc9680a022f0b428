"""mypy run in a fork of devkit's interpreter sees what a spawned mypy sees, and says the same.

A mypy plugin in the project records, when mypy loads it, what its process looks like:
arguments, sys.path, working folder, environment, open descriptors, flags. devkit started
from its console script forks (the record's `orig_argv` is devkit's); started as
`python -m devkit` it spawns mypy (the record's `orig_argv` is mypy's own). Everything
else must match. Ctrl-C ends such a stage with every tool it started, even one that
ignores the interrupt.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.proc import run
from tests.support.service import DEVKIT, make_service, write
from tests.test_run_stages import add_stages, python_command

PLUGIN = '''\
"""Records what mypy's process looks like when mypy loads its plugins."""

import gc
import json
import os
import stat
import sys

from mypy.plugin import Plugin


def plugin(version):
    descriptors = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
    record = {
        "orig_argv": sys.orig_argv,
        "argv": sys.argv,
        "path": sys.path,
        "cwd": os.getcwd(),
        "environ": dict(os.environ),
        "descriptors": descriptors[:-1],  # the last is the listing's own
        "stdin": os.readlink("/proc/self/fd/0"),
        "pipes": [stat.S_ISFIFO(os.fstat(fd).st_mode) for fd in (1, 2)],
        "flags": list(sys.flags),
        "main": sys.modules["__main__"].__file__,
        "executable": sys.executable,
        "gc": list(gc.get_threshold()),
    }
    with open(os.environ["PROBE_RECORD"], "a") as file:
        file.write(json.dumps(record) + "\\n")
    return Plugin
'''
TYPE_ERROR = 'def half(value: int) -> int:\n    """Half of `value`."""\n    return value / 2\n'


@pytest.fixture
def service(locked_service: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROBE_RECORD", str(tmp_path / "record.jsonl"))
    root = make_service(locked_service, tmp_path / "service")
    write(tmp_path, "probe/probe_plugin.py", PLUGIN)
    write(root, "lint.toml", f'[tool.mypy]\nplugins = ["{tmp_path / "probe/probe_plugin.py"}"]\n')
    return root


def records(root: Path, command: list[str], *args: str) -> tuple[list[dict[str, Any]], str, str, int]:
    """What the plugin recorded while `command run ARGS` ran, its output and exit code."""
    record = root.parent / "record.jsonl"
    record.unlink(missing_ok=True)
    result = run([*command, "run", *args], cwd=root, check=False)
    lines = record.read_text().splitlines() if record.exists() else []
    return [json.loads(line) for line in lines], result.stdout, result.stderr, result.returncode


def copy(script: Path, edit: Callable[[str], str] = str) -> None:
    """Put a copy of the script `script` links to in its place, edited by `edit`."""
    text = script.resolve().read_text()
    script.unlink()
    script.write_text(edit(text))
    script.chmod(0o755)


def script(root: Path) -> list[str]:
    return [str(root / ".venv/bin/devkit")]


@pytest.mark.parametrize("linked", [True, False], ids=["mypy linked", "mypy copied"])
@pytest.mark.parametrize("stage", ["typecheck", "lint"], ids=["alone", "side by side"])
def test_a_forked_mypy_sees_what_a_spawned_mypy_sees(service: Path, stage: str, linked: bool) -> None:
    if not linked:  # its folder, first on sys.path, is then not devkit's
        copy(service / ".venv/bin/mypy")
    run([*DEVKIT, "run", "typecheck"], cwd=service)  # the merged config, and mypy's cache, in place

    (forked,), *_ = records(service, script(service), stage)
    (spawned,), *_ = records(service, DEVKIT, stage)

    assert forked.pop("orig_argv")[1:3] == [str(service / ".venv/bin/devkit"), "run"]
    assert spawned.pop("orig_argv")[1] == str(service / ".venv/bin/mypy")
    assert forked == spawned
    assert forked["argv"] == [str(service / ".venv/bin/mypy"), "--config-file", ".devkit/lint.toml"]
    assert forked["cwd"] == str(service)
    assert forked["environ"]["VIRTUAL_ENV"] == str(service / ".venv")
    assert forked["stdin"] == "/dev/null"  # side by side devkit's gives none; alone, devkit's own is the test's


def test_a_forked_mypy_reports_and_fails_as_a_spawned_one_does(service: Path) -> None:
    write(service, "app/halves.py", TYPE_ERROR)

    (forked,), forked_out, forked_err, forked_code = records(service, script(service), "lint")
    (spawned,), spawned_out, spawned_err, spawned_code = records(service, DEVKIT, "lint")

    assert forked["orig_argv"] != spawned["orig_argv"]
    assert (forked_code, forked_out, forked_err) == (spawned_code, spawned_out, spawned_err)
    assert forked_code == 1
    assert "app/halves.py:3: error: Incompatible return value type" in forked_out
    assert forked_err.rstrip().endswith("devkit: error: stage lint failed: mypy")


def test_mypy_is_spawned_when_its_script_names_another_interpreter(service: Path) -> None:
    mypy = service / ".venv/bin/mypy"
    copy(mypy, lambda text: text.replace(f"#!{sys.executable}\n", f"#!{sys.executable} -E\n", 1))

    (record,), stdout, stderr, code = records(service, script(service), "typecheck")

    assert code == 0, stdout + stderr
    assert record["orig_argv"][1:3] == ["-E", str(mypy)]


# Ignores Ctrl-C, says it started, then would run for a minute.
STUBBORN = (
    "import pathlib, signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "pathlib.Path('started').write_text('x'); time.sleep(60)"
)


def test_ctrl_c_ends_the_stage_and_every_tool_it_started(service: Path) -> None:
    mypy = '"mypy --config-file .devkit/lint.toml"'
    add_stages(service, f"slow = {{ commands = [{mypy}, {python_command(STUBBORN)}], read-only = true }}")
    process = subprocess.Popen(
        [*script(service), "run", "slow"],
        cwd=service,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not (service / "started").exists() and time.monotonic() < deadline:
        time.sleep(0.05)

    os.killpg(process.pid, signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 130, stdout + stderr
    assert stderr.endswith(
        "devkit: error: interrupted: no file is left half-written (a sync leaves .venv marked stale): run the command again\n"
    )
    assert not alive(process.pid)  # nothing of the stage's is left running: the stubborn one was killed


def alive(group: int) -> bool:
    """Whether any process of process group `group` is still running (a moment given to end)."""
    for _ in range(50):
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        time.sleep(0.1)
    return True


def test_a_mypy_script_the_system_would_not_run_fails_as_a_spawned_one_does(service: Path) -> None:
    mypy = service / ".venv/bin/mypy"
    copy(mypy)
    mypy.chmod(0o644)

    forked = run([*script(service), "run", "typecheck"], cwd=service, check=False)
    spawned = run([*DEVKIT, "run", "typecheck"], cwd=service, check=False)

    assert (forked.returncode, forked.stdout, forked.stderr) == (spawned.returncode, spawned.stdout, spawned.stderr)
    assert forked.returncode == 1
    assert f"devkit: error: {mypy}: Permission denied: run `devkit sync`" in forked.stderr
