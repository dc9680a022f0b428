"""Benchmark `devkit run lint` against the same three tool commands run directly.

On a generated service of about 200 modules (bench/project.py), one run times:

- `.venv/bin/devkit run lint` in the project, and
- the exact commands `devkit stages --json` lists for `lint` (ruff check, ruff format
  --check, mypy), run one after the other from the project root, with the same config
  files and `.venv` activated as devkit activates it,

interleaved, several times each after one untimed warm-up run, and reports devkit's median
as a ratio to the direct commands' median (goal: under 1.10). Both run warm (ruff's and
mypy's caches present) and, unless `--cold-repeat 0`, cold (both caches removed before
each run). It then takes devkit's own work apart: the interpreter start-up, each step of
`devkit run` timed inside a fresh process, the no-op `devkit sync` and `devkit stages
--json` on their own, and the heaviest imports (`-X importtime`).

    BENCH_POETRY=/path/to/poetry .venv/bin/python bench/lint_bench.py [--write-readme PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on sys.path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench import project  # noqa: E402

START_MARKER = "<!-- bench:lint:start -->"
END_MARKER = "<!-- bench:lint:end -->"
DEFAULT_WORK = project.HERE / ".work" / "lint"
GOAL = 1.00
DEVKIT = "devkit run lint"
FULL = "devkit run lint, full path"
RAW = "direct commands"
PLAN = Path(".devkit", "plans", "lint")  # devkit's stored plan of the stage, in the project

# The steps of `devkit run` before the tools start, each timed in one fresh process; what
# the process does before the first mark is the interpreter start-up. First the path of a
# stored plan (devkit/checks/plan.py: stat its inputs, read the commands), then the full
# path (devkit/commands/run.py's `run_stage`: the project, the stage table, the sync and
# config checks of `runner.prepare`), which runs when an input of the plan changed.
PROBE = """\
import time
_last = time.perf_counter()
_marks = []
def _mark(step):
    global _last
    now = time.perf_counter()
    _marks.append((step, now - _last))
    _last = now
from devkit import main
_mark("import")
from devkit.commands import run
stage, files = run.quick_words(["lint"])
_mark("parse")
from devkit.checks import plan
_mark("plan imports")
import os
assert plan.load(os.getcwd(), stage) is not None, "no current plan"
_mark("plan")
from pathlib import Path
from devkit.checks import config, runner, stages
from devkit.env import sync
from devkit.env import pyproject as pyproject_file
from devkit.env.project import find_project
_mark("imports")
project = find_project(Path.cwd())
stages.lookup(stages.table(pyproject_file.read(project.pyproject)), stage)
_mark("table")
sync.keep_current(project)
_mark("sync")
config.ensure(project)
_mark("config")
import json
print(json.dumps(_marks))
"""
STEPS = {
    "import": "import `devkit.main` (what the no-op `devkit sync` answer needs)",
    "parse": "read `run lint` (`commands.run.quick_words`: no argparse, no other command module)",
    "plan imports": "import `devkit.checks.plan` (and the `parallel` runner it uses)",
    "plan": "check the stored plan (`plan.load`: a stat of each input, read the commands)",
}
FULL_STEPS = {
    "imports": "import the modules the full path uses",
    "table": "find the project, parse pyproject.toml, build the stage table",
    "sync": "no-op sync check (`sync.keep_current`: hash the lock and pyproject.toml, read the stamp)",
    "config": "config check (`config.ensure`: hash the config sources, compare the stored key)",
}


@dataclass(frozen=True)
class Contender:
    label: str
    commands: tuple[tuple[str, ...], ...]
    env: Mapping[str, str]
    before: Callable[[], None] | None = None  # untimed, before each run


@dataclass(frozen=True)
class Setup:
    root: Path
    env: dict[str, str]
    logs: Path
    python: str  # the interpreter devkit's script runs on
    lint: tuple[tuple[str, ...], ...]  # what `devkit stages --json` lists for lint


# --------------------------------------------------------------------------- setup


def prepare(work: Path, modules: int, seed: int) -> tuple[Setup, project.Layout]:
    root, state = work / "project", work / "state"
    project.remove_tree(root)
    project.progress(f"generating, locking and syncing the project in {root}")
    layout = project.prepare(root, state, modules=modules, seed=seed)
    env = project.tool_env(state)
    env.update(RUFF_CACHE_DIR=str(root / ".ruff_cache"), MYPY_CACHE_DIR=str(root / ".mypy_cache"))
    devkit = root / ".venv" / "bin" / "devkit"
    listing = json.loads(project.run([devkit, "stages", "--json"], cwd=root, env=env, what="devkit stages --json"))
    lint = listing.get("lint") if isinstance(listing, dict) else None
    if not isinstance(lint, list) or not all(isinstance(words, list) and words for words in lint):
        raise project.BenchError(f"`devkit stages --json` lists no lint commands: {listing!r}")
    commands = tuple(tuple(str(word) for word in words) for words in lint)
    setup = Setup(root=root, env=env, logs=work / "logs", python=interpreter_of(devkit), lint=commands)
    return setup, layout


def interpreter_of(script: Path) -> str:
    """The interpreter on the `#!` line of `script` (devkit's console script), else this one."""
    with script.resolve().open("rb") as handle:
        first = handle.readline().decode(errors="replace").strip()
    words = first[2:].split() if first.startswith("#!") else []
    return words[0] if words and Path(words[0]).is_file() else sys.executable


def activated(env: Mapping[str, str], root: Path) -> dict[str, str]:
    """`env` with `.venv` activated, as devkit's runner hands it to the tools."""
    venv = root / ".venv"
    return {**env, "VIRTUAL_ENV": str(venv), "PATH": f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"}


def contenders(setup: Setup) -> list[Contender]:
    devkit = (str(setup.root / ".venv" / "bin" / "devkit"), "run", "lint")
    return [
        Contender(DEVKIT, (devkit,), setup.env),
        Contender(FULL, (devkit,), setup.env, lambda: (setup.root / PLAN).unlink(missing_ok=True)),
        Contender(RAW, setup.lint, activated(setup.env, setup.root)),
    ]


def settle_plan(setup: Setup) -> None:
    """Make sure `devkit run lint` finds its plan: devkit stores none while an input is newer than 2 s."""
    devkit = (str(setup.root / ".venv" / "bin" / "devkit"), "run", "lint")
    for _ in range(3):
        if (setup.root / PLAN).is_file():
            return
        time.sleep(2.1)
        project.timed([devkit], cwd=setup.root, env=setup.env, log=setup.logs / "warm-up.log", what="settle")
    raise project.BenchError(f"`devkit run lint` stored no plan in {setup.root / PLAN}")


# --------------------------------------------------------------------------- runs


@dataclass
class Timings:
    """The runs of one scenario: each contender's totals, and each direct command's share."""

    totals: dict[str, list[float]]
    each: dict[str, list[float]]


def measure(
    setup: Setup,
    chosen: Sequence[Contender],
    scenario: str,
    repeat: int,
    before: Callable[[], None] | None = None,
) -> Timings:
    """`repeat` timed runs of each contender, the order alternating every round."""
    timings = Timings({contender.label: [] for contender in chosen}, {})
    for round_ in range(repeat):
        shift = round_ % len(chosen)
        for contender in [*chosen[shift:], *chosen[:shift]]:
            for step in (before, contender.before):
                if step is not None:
                    step()
            log = setup.logs / f"{scenario}-{contender.label.replace(' ', '-')}.log"
            what = f"{contender.label} ({scenario} {round_ + 1})"
            each = project.timed_each(contender.commands, cwd=setup.root, env=contender.env, log=log, what=what)
            timings.totals[contender.label].append(sum(each))
            if contender.label == RAW:
                for words, elapsed in zip(contender.commands, each, strict=True):
                    timings.each.setdefault(command_label(words), []).append(elapsed)
            project.progress(f"  {scenario} {round_ + 1}/{repeat} {contender.label}: {sum(each):.3f} s")
    return timings


def command_label(words: Sequence[str]) -> str:
    """`ruff check`, `ruff format`, `mypy`: the tool and its subcommand, if any."""
    tool = Path(words[0]).name
    return f"{tool} {words[1]}" if len(words) > 1 and not words[1].startswith("-") else tool


def clear_tool_caches(root: Path) -> Callable[[], None]:
    def clear() -> None:
        for name in (".ruff_cache", ".mypy_cache"):
            project.remove_tree(root / name)

    return clear


def overhead_parts(setup: Setup, repeat: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Whole processes that are part of devkit's work, and the in-process steps; interleaved rounds."""
    devkit = str(setup.root / ".venv" / "bin" / "devkit")
    commands = {
        f"interpreter start-up (`{Path(setup.python).name} -c pass`, devkit's interpreter)": (
            setup.python,
            "-c",
            "pass",
        ),
        "`devkit sync`, no-op (answered before argparse)": (devkit, "sync"),
        "`devkit stages --json` (start-up, parser, stage table; no sync or config check)": (devkit, "stages", "--json"),
    }
    external: dict[str, list[float]] = {label: [] for label in commands}
    steps: dict[str, list[float]] = {}
    log = setup.logs / "parts.log"
    for _ in range(repeat):
        for label, command in commands.items():
            external[label].append(project.timed([command], cwd=setup.root, env=setup.env, log=log, what=label))
        output = project.run([setup.python, "-c", PROBE], cwd=setup.root, env=setup.env, what="the step probe")
        for step, elapsed in json.loads(output.strip().splitlines()[-1]):
            steps.setdefault(str(step), []).append(float(elapsed))
    return external, steps


def heaviest_imports(setup: Setup, count: int = 6) -> list[tuple[str, float]]:
    """The top-level imports of the probe with the largest cumulative time (one -X importtime run)."""
    stderr = subprocess.run(
        [setup.python, "-X", "importtime", "-c", PROBE],
        cwd=setup.root,
        env=dict(setup.env),
        capture_output=True,
        text=True,
        check=False,
    ).stderr
    top: list[tuple[str, float]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.removeprefix("import time:").split("|", 2)
        if not name.startswith(" ") or name.startswith("  "):  # one space: a top-level import
            continue
        top.append((name.strip(), int(cumulative) / 1e6))
    return sorted(top, key=lambda item: -item[1])[:count]


def imported_by_run(setup: Setup) -> tuple[int, float, list[str]]:
    """What `devkit run lint` imports beyond the interpreter's start-up (one `-X importtime` run each).

    The module count, the sum of their own import times, and the top-level names outside
    the standard library and devkit.
    """
    devkit = str(setup.root / ".venv" / "bin" / "devkit")
    start_up = _imported([setup.python, "-X", "importtime", "-c", "pass"], setup)
    modules = {
        name: own
        for name, own in _imported([setup.python, "-X", "importtime", devkit, "run", "lint"], setup).items()
        if name not in start_up
    }
    tops = {name.split(".")[0] for name in modules}
    third_party = sorted(tops - set(sys.stdlib_module_names) - {"devkit"})
    return len(modules), sum(modules.values()), third_party


def _imported(command: Sequence[str], setup: Setup) -> dict[str, float]:
    """Each module `command` imports, with its own import time in seconds (`-X importtime`)."""
    stderr = subprocess.run(
        command, cwd=setup.root, env=dict(setup.env), capture_output=True, text=True, check=False
    ).stderr
    modules = {}
    for line in stderr.splitlines():
        if line.startswith("import time:") and "cumulative" not in line:
            own, _, name = line.removeprefix("import time:").split("|", 2)
            modules[name.strip()] = int(own) / 1e6
    return modules


# --------------------------------------------------------------------------- report


def ms(value: float) -> str:
    return f"{value * 1000:.0f}"


def main_table(results: Mapping[str, Mapping[str, list[float]]]) -> list[str]:
    lines = [
        f"| scenario | `{DEVKIT}` (s) | {RAW} (s) | devkit/direct | devkit's overhead (ms) | full path (s) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    names = {
        "warm": "warm (ruff and mypy caches present)",
        "cold": "cold (ruff and mypy caches removed before each run)",
    }
    for scenario, times in results.items():
        devkit, raw = statistics.median(times[DEVKIT]), statistics.median(times[RAW])
        full = statistics.median(times[FULL])
        lines.append(
            f"| {names[scenario]} | {project.seconds(devkit)} | {project.seconds(raw)} | {devkit / raw:.2f} "
            f"| {ms(devkit - raw)} | {project.seconds(full)} ({full / raw:.2f}) |"
        )
    return lines


def parts_table(
    overhead: float,
    each: Mapping[str, list[float]],
    external: Mapping[str, list[float]],
    steps: Mapping[str, list[float]],
) -> list[str]:
    lines = ["| part | median (ms) |", "|---|---:|"]
    lines += [
        f"| direct: `{label}` (its share of the warm direct runs) | {ms(statistics.median(values))} |"
        for label, values in each.items()
    ]
    start_up = next(iter(external.values()))
    lines.append(f"| devkit: {next(iter(external))} | {ms(statistics.median(start_up))} |")
    total = statistics.median(start_up)
    for step, label in STEPS.items():
        median = statistics.median(steps.get(step, [0.0]))
        total += median
        lines.append(f"| devkit: {label} | {ms(median)} |")
    lines.append(f"| **devkit: start-up plus the steps above** | **{ms(total)}** |")
    lines.append(f"| **measured overhead: `{DEVKIT}` minus the {RAW}, warm medians** | **{ms(overhead)}** |")
    lines += [
        f"| full path, instead of the plan: {label} | {ms(statistics.median(steps.get(step, [0.0])))} |"
        for step, label in FULL_STEPS.items()
    ]
    lines += [
        f"| for comparison: {label} | {ms(statistics.median(values))} |" for label, values in list(external.items())[1:]
    ]
    return lines


def report(
    results: Mapping[str, Mapping[str, list[float]]],
    each: Mapping[str, list[float]],
    external: Mapping[str, list[float]],
    steps: Mapping[str, list[float]],
    imports: Sequence[tuple[str, float]],
    setup: Setup,
    facts: Mapping[str, str],
    run_imports: tuple[int, float, list[str]],
) -> str:
    warm = results["warm"]
    ratio = statistics.median(warm[DEVKIT]) / statistics.median(warm[RAW])
    overhead = statistics.median(warm[DEVKIT]) - statistics.median(warm[RAW])
    verdict = "met" if ratio <= GOAL else "not met"
    commands = "\n".join(f"  `{' '.join(_short(setup.root, words))}`" for words in setup.lint)
    lines = [
        *main_table(results),
        "",
        f"Goal: warm ratio at most {GOAL:.2f}: **{verdict}** ({ratio:.2f}).",
        "",
        f"The {RAW} (what `devkit stages --json` lists for lint, run from the project root):",
        "",
        commands,
        "",
        "Where devkit's overhead goes (warm; each step of `devkit run` timed inside a fresh process, "
        "the whole processes timed from outside; medians):",
        "",
        *parts_table(overhead, each, external, steps),
        "",
        "Heaviest top-level imports of those steps (one `-X importtime` run): "
        + ", ".join(f"`{name}` {ms(seconds)} ms" for name, seconds in imports)
        + ".",
        "",
        f"`{DEVKIT}` itself (one `-X importtime` run, beyond what the interpreter imports at start-up): "
        f"{run_imports[0]} modules, {ms(run_imports[1])} ms of their own import time; outside the standard "
        f"library and devkit: {', '.join(run_imports[2]) or 'none'}.",
        "",
        f"- Command: `{facts['command']}`",
        f"- Machine: {project.machine()}",
        f"- Python {sys.version.split()[0]}; devkit {facts['devkit']}, ruff {facts['ruff']}, mypy {facts['mypy']}",
        f"- Project: {facts['project']}",
        f"- Runs: {facts['runs']}; total bench time {facts['elapsed']}; {facts['date']}",
        f"- Load average (1 min) at start and end: {facts['load']} (other work on the machine shows here)",
        "",
        "Spread of the single runs (min-max, s):",
        "",
        f"| scenario | `{DEVKIT}` | {RAW} | full path |",
        "|---|---:|---:|---:|",
        *[
            f"| {scenario} | {project.span(times[DEVKIT])} | {project.span(times[RAW])} | {project.span(times[FULL])} |"
            for scenario, times in results.items()
        ],
    ]
    return "\n".join(lines) + "\n"


def _short(root: Path, words: Sequence[str]) -> list[str]:
    prefix = str(root) + os.sep
    return [word.removeprefix(prefix) for word in words]


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="lint_bench.py",
        description="Time `devkit run lint` against the same tool commands run directly; print a markdown table.",
    )
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="timed warm runs per contender (default 5)")
    parser.add_argument(
        "--cold-repeat", type=int, default=3, metavar="N", help="timed cold runs per contender (default 3; 0: none)"
    )
    parser.add_argument(
        "--parts-repeat", type=int, default=15, metavar="N", help="runs of each overhead part (default 15)"
    )
    parser.add_argument("--modules", type=int, default=project.DEFAULT_MODULES, help="project size in .py files")
    parser.add_argument("--seed", type=int, default=project.DEFAULT_SEED, help="the project generator's seed")
    parser.add_argument("--write-readme", type=Path, metavar="PATH", help="replace the bench:lint block in PATH")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="working folder (default bench/.work/lint)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.cold_repeat < 0 or args.parts_repeat < 1:
        parser.error("--repeat and --parts-repeat must be at least 1, --cold-repeat at least 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, load_before = time.perf_counter(), project.load_average()
    devkit = project.devkit_version()  # at the start: the checkout may change while the bench runs
    work: Path = args.work.resolve()
    try:
        setup, layout = prepare(work, args.modules, args.seed)
        project.remove_tree(setup.logs)
        chosen = contenders(setup)
        project.progress("warm-up run of each contender (not timed)")
        for contender in chosen:
            log = setup.logs / "warm-up.log"
            project.timed(contender.commands, cwd=setup.root, env=contender.env, log=log, what=contender.label)
        settle_plan(setup)
        timings = {"warm": measure(setup, chosen, "warm", args.repeat)}
        if args.cold_repeat:
            timings["cold"] = measure(setup, chosen, "cold", args.cold_repeat, clear_tool_caches(setup.root))
        project.progress("timing the parts of devkit's overhead")
        external, steps = overhead_parts(setup, args.parts_repeat)
        imports = heaviest_imports(setup)
        run_imports = imported_by_run(setup)
    except project.BenchError as exc:
        project.progress(f"bench failed: {exc}")
        return 1
    runs = f"warm x{args.repeat}" + (f", cold x{args.cold_repeat}" if args.cold_repeat else "")
    facts = {
        "command": project.command_line("lint_bench.py", argv),
        "devkit": devkit,
        "ruff": project.version_of([setup.root / ".venv" / "bin" / "ruff", "--version"]),
        "mypy": project.version_of([setup.root / ".venv" / "bin" / "mypy", "--version"]),
        "project": f"{layout.modules} modules ({layout.package_modules} in `billing/` in {len(project.LAYERS)} "
        f"subpackages, {layout.test_modules} test modules), {layout.lines} lines; seed {args.seed}",
        "runs": f"{runs} per contender after one warm-up run each, interleaved, medians; "
        f"overhead parts x{args.parts_repeat}",
        "elapsed": f"{time.perf_counter() - started:.0f} s",
        "load": f"{load_before} / {project.load_average()}",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    results = {scenario: timing.totals for scenario, timing in timings.items()}
    each = timings["warm"].each
    block = report(results, each, external, steps, imports, setup, facts, run_imports)
    print(block)
    print("all timings (s):")
    for scenario, times in results.items():
        for label, values in times.items():
            print(f"  {scenario:5} {label:18} " + " ".join(f"{value:.3f}" for value in values))
    everything = {"results": results, "each": each, "external": external, "steps": steps, "facts": facts}
    (work / "results.json").write_text(json.dumps(everything, indent=1) + "\n")
    if args.write_readme is not None:
        if project.write_readme(args.write_readme, block, START_MARKER, END_MARKER):
            project.progress(f"wrote the results into {args.write_readme}")
        else:
            project.progress(
                f"{args.write_readme}: no {START_MARKER} ... {END_MARKER} block (or no such file); not written"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
