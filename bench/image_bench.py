"""Benchmark the production image's rebuild: after a code change against after a lock change.

The dependency layer of the rendered Dockerfile depends on the lock's export only, so a
change to the code should rebuild the wheel's layer alone, while a change to the lock
reinstalls the dependencies. On a copy of examples/ml-service (its devkit linked from
this checkout, as the tests do), in one run, interleaved, after one untimed build:

- `code change`: a string in `ml_service/cli.py` edited, the wheel rebuilt with uv
  (untimed), then `devkit image build production` timed;
- `lock change`: one more (never matching) file hash recorded for click in poetry.lock,
  new in each round (the same packages, another export, never built before), then
  `devkit image build production` timed;
- `no change`: `devkit image build production` again.

The images install from a PEP 503 index on 127.0.0.1 serving `$DEVKIT_TEST_WHEELS` (the
wheels `bash .ci/run` downloads), with BuildKit's pip cache warm after the first build:
the lock-change time is pip installing the main group, not downloading it.

    DEVKIT_DOCKER=/usr/bin/docker DEVKIT_TEST_WHEELS=.ci/cache/wheels .venv/bin/python bench/image_bench.py

Options: `--repeat N` (default 5), `--write-readme README.md`.
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on sys.path, the checkout is not
    sys.path.insert(0, str(ROOT))

from tests.support.index import serve_index  # noqa: E402
from tests.support.projects import copy_example, link_checkout  # noqa: E402

START_MARKER = "<!-- bench:image:start -->"
END_MARKER = "<!-- bench:image:end -->"
WORK = Path(__file__).resolve().parent / ".work" / "image"
NAME = "devkit-bench-image"
DEVKIT = [sys.executable, "-m", "devkit"]
CLICK_WHEEL = re.compile(r'\{file = "click-[0-9.]+-py3-none-any\.whl", hash = "sha256:[0-9a-f]+"\}')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="timed builds per scenario (default 5)")
    parser.add_argument("--write-readme", type=Path, help="replace the bench:image block of this file")
    args = parser.parse_args()
    wheels = os.environ.get("DEVKIT_TEST_WHEELS")
    if not wheels or not any(Path(wheels).glob("numpy-*.whl")):
        parser.error("set DEVKIT_TEST_WHEELS to the folder of the example's locked wheels (bash .ci/run fills one)")
    started = time.perf_counter()
    with serve_index(Path(wheels)) as index:
        os.environ["PIP_INDEX_URL"] = os.environ["UV_DEFAULT_INDEX"] = index.url
        project = _project()
        times = _measure(project, args.repeat)
    report = _report(times, args.repeat, time.perf_counter() - started)
    print(report)
    if args.write_readme:
        _write(args.write_readme, report)
    return 0


def _project() -> Path:
    shutil.rmtree(WORK, ignore_errors=True)
    project = copy_example(link_checkout(WORK / "devkit-checkout"))
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("[tool.devkit.image]", f'[tool.devkit.image]\nname = "{NAME}"'))
    _run([*DEVKIT, "image", "render"], project)
    _run(["uv", "build", "--wheel", "--quiet", "--out-dir", "dist", "."], project)
    _run([*DEVKIT, "image", "build", "production"], project)  # untimed: fills the layer and pip caches
    return project


def _measure(project: Path, repeat: int) -> dict[str, list[float]]:
    cli = project / "ml_service/cli.py"
    lock = project / "poetry.lock"
    original_lock = lock.read_text()
    wheel = CLICK_WHEEL.search(original_lock)
    if wheel is None:
        raise SystemExit("the example's lock records no click wheel: update the bench")

    def code_change(round_: int) -> None:
        text = re.sub(r"Churn scoring[^\"]*\.", f"Churn scoring, revision {round_}.", cli.read_text())
        cli.write_text(text)
        _run(["uv", "build", "--wheel", "--quiet", "--out-dir", "dist", "."], project)

    def lock_change(round_: int) -> None:
        extra = f'{{file = "click-0-py3-none-any.whl", hash = "sha256:{round_ + 1:064x}"}}'
        lock.write_text(original_lock.replace(wheel[0], f"{wheel[0]},\n    {extra}"))

    scenarios: dict[str, Callable[[int], None]] = {
        "code change": code_change,
        "lock change": lock_change,
        "no change": lambda round_: None,
    }
    times: dict[str, list[float]] = {name: [] for name in scenarios}
    for round_ in range(repeat):
        for name, prepare in scenarios.items():
            prepare(round_)
            began = time.perf_counter()
            _run([*DEVKIT, "image", "build", "production"], project)
            times[name].append(time.perf_counter() - began)
    return times


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}")


def _report(times: dict[str, list[float]], repeat: int, total: float) -> str:
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = [
        f"| {name} | {medians[name]:.2f} | {medians[name] / medians['lock change']:.2f} |"
        for name in ("code change", "lock change", "no change")
    ]
    docker = subprocess.run(
        [os.environ.get("DEVKIT_DOCKER", "docker"), "version", "--format", "{{.Server.Version}}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join(
        [
            START_MARKER,
            "| rebuild of the production image after | median s | ratio to a lock change |",
            "| --- | ---: | ---: |",
            *rows,
            "",
            f"- Command: `python bench/image_bench.py --repeat {repeat} --write-readme README.md`",
            f"- Machine: {os.cpu_count()} cores, Docker engine {docker}, base image from Debian's packages",
            f"- Runs: x{repeat} per scenario after one untimed build, interleaved, medians; "
            f"total bench time {total:.0f} s; {now}",
            END_MARKER,
        ]
    )


def _write(readme: Path, report: str) -> None:
    text = readme.read_text()
    start, end = text.index(START_MARKER), text.index(END_MARKER) + len(END_MARKER)
    readme.write_text(text[:start] + report + text[end:])


if __name__ == "__main__":
    raise SystemExit(main())
