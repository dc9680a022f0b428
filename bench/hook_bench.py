"""Benchmark devkit's commit hook against ruff-pre-commit doing the same ruff check.

On a generated service of about 200 modules (bench/project.py), real pre-commit runs, in
one run, interleaved, several times each after one untimed warm-up run:

- `devkit-lint`: devkit's hook, from a git repository holding a snapshot of this
  checkout's files (as tests/test_hooks.py builds it). Its work is ruff check and ruff
  format --check over the files pre-commit passes and mypy over the whole project.
- `devkit ruff stage`: the same hook repository, the hook's entry overridden in the
  project's config to `hooks/devkit-hook run ruff --`, a project stage
  `ruff = ["ruff check --config .devkit/ruff.toml --force-exclude {files}"]`: ruff check
  of the files pre-commit passes only, the fair peer of ruff-pre-commit (the headline
  ratio).
- `ruff-pre-commit`: a local git repository whose `.pre-commit-hooks.yaml` and
  `pyproject.toml` mirror astral-sh/ruff-pre-commit's (hook `ruff-check`, `language:
  python`, `entry: ruff check --force-exclude`, the package depending on the ruff version
  devkit pins), given `args: [--config, .devkit/ruff.toml]` so that it checks with the
  same rules. Building it locally keeps the bench offline and pins it to devkit's ruff.
- `pre-commit alone`: a local hook that runs `true`: what pre-commit itself costs.

Two scenarios: `pre-commit run --files` with 5 changed files (each run edits a constant
in them first, as a commit would), and `pre-commit run --all-files` (no edits). The
one-time installs of the hook environments are timed apart.

    BENCH_POETRY=/path/to/poetry .venv/bin/python bench/hook_bench.py [--write-readme PATH]
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import statistics
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on sys.path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench import project  # noqa: E402

START_MARKER = "<!-- bench:hook:start -->"
END_MARKER = "<!-- bench:hook:end -->"
DEFAULT_WORK = project.HERE / ".work" / "hook"
STAGE = "ruff"
STAGE_COMMAND = "ruff check --config .devkit/ruff.toml --force-exclude {files}"
STAGE_TOML = f'[tool.devkit.stages]\n{STAGE} = ["{STAGE_COMMAND}"]  # ruff check only: the peer of ruff-pre-commit\n'
RUFF_ARGS = ["--config", ".devkit/ruff.toml"]
GOAL = 1.00
LIMIT = re.compile(r"^LIMIT = (\d+)$", flags=re.MULTILINE)

DEVKIT_LINT = "devkit-lint"
DEVKIT_STAGE = "devkit ruff stage"
RUFF_PRE_COMMIT = "ruff-pre-commit"
PRE_COMMIT_ALONE = "pre-commit alone"
CONTENDERS = (DEVKIT_LINT, DEVKIT_STAGE, RUFF_PRE_COMMIT, PRE_COMMIT_ALONE)

# astral-sh/ruff-pre-commit's manifest, with the hook ids of its current releases.
RUFF_HOOKS = """\
# Mirrors astral-sh/ruff-pre-commit's .pre-commit-hooks.yaml (made locally by devkit's
# bench/hook_bench.py, so the bench runs offline with devkit's ruff version).
- id: ruff-check
  name: ruff check
  description: "Run 'ruff check' for extremely fast Python linting"
  entry: ruff check --force-exclude
  language: python
  types_or: [python, pyi]
  args: []
  require_serial: true
  additional_dependencies: []
  minimum_pre_commit_version: "2.9.2"
- id: ruff-format
  name: ruff format
  description: "Run 'ruff format' for extremely fast Python formatting"
  entry: ruff format --force-exclude
  language: python
  types_or: [python, pyi]
  args: []
  require_serial: true
  additional_dependencies: []
  minimum_pre_commit_version: "2.9.2"
"""
RUFF_PYPROJECT = """\
[project]
name = "ruff-pre-commit"
version = "0.0.0"
dependencies = [
    "{pin}",
]
"""


# pre-commit's per-run check of a `language: python` hook environment, timed in-process.
HEALTH_PROBE = """\
import sys, time
from pre_commit.languages import python
from pre_commit.prefix import Prefix
started = time.perf_counter()
problem = python.health_check(Prefix(sys.argv[1]), sys.argv[2])
print(time.perf_counter() - started, problem is None)
"""


@dataclass(frozen=True)
class Repo:
    """A hook repository: its folder and the commit a config pins."""

    path: Path
    rev: str


@dataclass(frozen=True)
class Contender:
    label: str
    config: Path
    home: Path  # PRE_COMMIT_HOME


@dataclass(frozen=True)
class Setup:
    root: Path
    env: dict[str, str]
    logs: Path
    changed: tuple[str, ...]  # the project files the 5-files scenario edits and passes
    contenders: tuple[Contender, ...]


# --------------------------------------------------------------------------- hook repositories


def git(cwd: Path, env: Mapping[str, str], *args: str) -> str:
    return project.run(["git", "-c", "commit.gpgsign=false", *args], cwd=cwd, env=env, what=f"git {args[0]}")


def snapshot_devkit(target: Path, env: Mapping[str, str]) -> Repo:
    """A git repository of this checkout's files as they are now (tracked and untracked, not ignored)."""
    listed = project.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT, env=env, what="git ls-files"
    )
    target.mkdir(parents=True)
    for name in filter(None, listed.split("\0")):
        if (ROOT / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target / name)
    git(target, env, "init", "-q", "-b", "main")
    git(target, env, "add", ".")
    git(target, env, "commit", "-qm", "devkit snapshot")
    return Repo(target, git(target, env, "rev-parse", "HEAD").strip())


def ruff_pin() -> str:
    """`ruff==X` as devkit's pyproject.toml pins it."""
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in dependencies:
        if isinstance(requirement, str) and re.fullmatch(r"ruff\s*==\s*[\w.]+", requirement.strip()):
            return requirement.replace(" ", "")
    raise project.BenchError("devkit's pyproject.toml pins no ruff==VERSION")


def make_ruff_pre_commit(target: Path, env: Mapping[str, str], pin: str) -> Repo:
    """The local equivalent of astral-sh/ruff-pre-commit: its manifest and its one-dependency package."""
    target.mkdir(parents=True)
    (target / ".pre-commit-hooks.yaml").write_text(RUFF_HOOKS)
    (target / "pyproject.toml").write_text(RUFF_PYPROJECT.format(pin=pin))
    (target / "README.md").write_text(
        "A local stand-in for astral-sh/ruff-pre-commit, made by devkit's bench/hook_bench.py: the same hook\n"
        f"definitions and a package that depends on {pin}, which pre-commit pip-installs.\n"
    )
    git(target, env, "init", "-q", "-b", "main")
    git(target, env, "add", ".")
    git(target, env, "commit", "-qm", "ruff-pre-commit equivalent")
    return Repo(target, git(target, env, "rev-parse", "HEAD").strip())


def config_texts(devkit: Repo, ruff: Repo) -> dict[str, str]:
    """The project's .pre-commit-config.yaml for each contender."""
    head = 'minimum_pre_commit_version: "4.4.0"\nrepos:\n'
    devkit_repo = f"  - repo: {devkit.path}\n    rev: {devkit.rev}\n    hooks:\n"
    return {
        DEVKIT_LINT: head + devkit_repo + f"      - id: {DEVKIT_LINT}\n",
        DEVKIT_STAGE: head
        + devkit_repo
        + f"      - id: {DEVKIT_LINT}\n"
        + f"        name: devkit {STAGE} stage ({STAGE_COMMAND})\n"
        + f"        entry: hooks/devkit-hook run {STAGE} --\n",
        RUFF_PRE_COMMIT: head
        + f"  - repo: {ruff.path}\n    rev: {ruff.rev}\n    hooks:\n"
        + f"      - id: ruff-check\n        args: {json.dumps(RUFF_ARGS)}\n",
        PRE_COMMIT_ALONE: head
        + "  - repo: local\n    hooks:\n"
        + "      - id: nothing\n        name: pre-commit alone (runs true)\n        entry: 'true'\n"
        + "        language: unsupported\n        types_or: [python, pyi]\n        require_serial: true\n",
    }


# --------------------------------------------------------------------------- setup


def prepare(work: Path, modules: int, seed: int, changed: int, pin: str) -> tuple[Setup, project.Layout]:
    for name in ("project", "repos", "configs", "pre-commit-home", "logs"):
        project.remove_tree(work / name)
    state = work / "state"
    env = project.tool_env(state)
    root = work / "project"
    project.progress(f"generating, locking and syncing the project in {root}")
    layout = project.prepare(root, state, modules=modules, seed=seed, extra_pyproject=STAGE_TOML)
    env.update(RUFF_CACHE_DIR=str(root / ".ruff_cache"), MYPY_CACHE_DIR=str(root / ".mypy_cache"))
    env["VIRTUALENV_NO_PERIODIC_UPDATE"] = "1"  # no background download while the bench times
    project.progress("making the hook repositories")
    devkit = snapshot_devkit(work / "repos" / "devkit-hooks", env)
    ruff = make_ruff_pre_commit(work / "repos" / "ruff-pre-commit", env, pin)
    contenders = []
    for label, text in config_texts(devkit, ruff).items():
        slug = label.replace(" ", "-")
        config = work / "configs" / f"{slug}.yaml"
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text(text)
        contenders.append(Contender(label, config, work / "pre-commit-home" / slug))
    setup = Setup(root, env, work / "logs", pick_changed(root, changed, seed), tuple(contenders))
    return setup, layout


def settle_plans(setup: Setup) -> None:
    """Make sure the devkit hooks find their stages' plans: devkit stores none while an input is newer than 2 s."""
    for stage in (STAGE, "lint"):
        plan = setup.root / ".devkit" / "plans" / stage
        for _ in range(3):
            if plan.is_file():
                break
            time.sleep(2.1)
            devkit = (str(setup.root / ".venv" / "bin" / "devkit"), "run", stage)
            project.timed([devkit], cwd=setup.root, env=setup.env, log=setup.logs / "warm-up.log", what="settle")
        if not plan.is_file():
            raise project.BenchError(f"`devkit run {stage}` stored no plan in {plan}")


def pick_changed(root: Path, count: int, seed: int) -> tuple[str, ...]:
    """`count` package modules spread over the layers, the same for every run with one seed."""
    import random

    candidates = sorted(
        str(path.relative_to(root)) for path in root.glob(f"{project.PACKAGE}/*/*.py") if path.name != "__init__.py"
    )
    return tuple(sorted(random.Random(seed).sample(candidates, k=min(count, len(candidates)))))


def pre_commit(setup: Setup, contender: Contender, *args: str) -> list[str]:
    return [str(setup.root / ".venv" / "bin" / "pre-commit"), *args, "--config", str(contender.config)]


def env_of(setup: Setup, contender: Contender) -> dict[str, str]:
    return {**setup.env, "PRE_COMMIT_HOME": str(contender.home)}


# --------------------------------------------------------------------------- runs


def time_installs(setup: Setup, repeat: int) -> dict[str, list[float]]:
    """`pre-commit install-hooks` of each hook repository from an empty PRE_COMMIT_HOME, `repeat` times."""
    installs: dict[str, list[float]] = {RUFF_PRE_COMMIT: [], DEVKIT_LINT: []}
    by_label = {contender.label: contender for contender in setup.contenders}
    for round_ in range(repeat):
        for label, times in installs.items():
            contender = by_label[label]
            project.remove_tree(contender.home)
            command = pre_commit(setup, contender, "install-hooks")
            log = setup.logs / "install.log"
            times.append(project.timed([command], cwd=setup.root, env=env_of(setup, contender), log=log, what=label))
            project.progress(f"  install {round_ + 1}/{repeat} {label}: {times[-1]:.2f} s")
    return installs


def pip_cache_state(setup: Setup) -> str:
    """What pip left in its cache folder during the installs."""
    folder = Path(setup.env["PIP_CACHE_DIR"])
    files = [path for path in folder.rglob("*") if path.is_file()] if folder.is_dir() else []
    if not files:
        return "pip's cache folder stayed empty: no install reused an earlier download"
    return f"pip's cache folder holds {sum(path.stat().st_size for path in files) / 1e6:.1f} MB after the installs"


class Editor:
    """Changes a constant in the chosen files before each run, as a commit would change them."""

    def __init__(self, root: Path, files: Sequence[str]) -> None:
        self.root, self.files, self.count = root, files, 0

    def __call__(self) -> None:
        self.count += 1
        for name in self.files:
            path = self.root / name
            text = path.read_text()
            path.write_text(LIMIT.sub(lambda match: f"LIMIT = {int(match[1]) % 1000 + self.count}", text, count=1))


def measure(
    setup: Setup,
    scenario: str,
    args: Sequence[str],
    repeat: int,
    before: Callable[[], None] | None,
) -> dict[str, list[float]]:
    """`repeat` timed `pre-commit run` of every contender, the order rotating every round."""
    chosen = list(setup.contenders)
    times: dict[str, list[float]] = {contender.label: [] for contender in chosen}
    for round_ in range(repeat):
        shift = round_ % len(chosen)
        for contender in [*chosen[shift:], *chosen[:shift]]:
            if before is not None:
                before()
            command = pre_commit(setup, contender, "run", *args)
            log = setup.logs / f"{scenario}-{contender.label.replace(' ', '-')}.log"
            what = f"{contender.label} ({scenario} {round_ + 1})"
            elapsed = project.timed([command], cwd=setup.root, env=env_of(setup, contender), log=log, what=what)
            times[contender.label].append(elapsed)
            project.progress(f"  {scenario} {round_ + 1}/{repeat} {contender.label}: {elapsed:.3f} s")
    return times


def direct(setup: Setup, repeat: int, edit: Callable[[], None]) -> dict[str, list[float]]:
    """The hooks' work without pre-commit, on the changed files (edited before each run)."""
    hook_ruff = sorted(
        next(c for c in setup.contenders if c.label == RUFF_PRE_COMMIT).home.glob("repo*/py_env-*/bin/ruff")
    )
    if not hook_ruff:
        raise project.BenchError("ruff-pre-commit's hook environment has no bin/ruff")
    devkit = str(setup.root / ".venv" / "bin" / "devkit")
    files = list(setup.changed)
    ruff_check = [str(hook_ruff[0]), "check", "--force-exclude", *RUFF_ARGS]
    commands = {
        f"ruff-pre-commit's command: `ruff check --force-exclude {' '.join(RUFF_ARGS)} FILES`": [*ruff_check, *files],
        f"the devkit stage's command: `{STAGE_COMMAND.replace('{files}', '-- FILES')}`": [
            str(setup.root / ".venv" / "bin" / "ruff"),
            *STAGE_COMMAND.split()[1:-1],
            "--",
            *files,
        ],
        f"`.venv/bin/devkit run {STAGE} FILES`": [devkit, "run", STAGE, *files],
        "`.venv/bin/devkit run lint FILES`": [devkit, "run", "lint", *files],
    }
    env = {**setup.env, "VIRTUAL_ENV": str(setup.root / ".venv")}
    env["PATH"] = f"{setup.root / '.venv' / 'bin'}:{env.get('PATH', '')}"
    times: dict[str, list[float]] = {label: [] for label in commands}
    health = "pre-commit's per-run health check of ruff-pre-commit's env (`languages.python.health_check`, in-process)"
    times[health] = []
    env_dir = hook_ruff[0].parent.parent
    for _ in range(repeat):
        for label, command in commands.items():
            edit()
            log = setup.logs / "direct.log"
            times[label].append(project.timed([command], cwd=setup.root, env=env, log=log, what=label))
        probe = [sys.executable, "-c", HEALTH_PROBE, str(env_dir.parent), env_dir.name.removeprefix("py_env-")]
        elapsed, healthy = project.run(probe, cwd=setup.root, env=setup.env, what="health check probe").split()
        if healthy != "True":
            raise project.BenchError(f"pre-commit finds {env_dir} unhealthy")
        times[health].append(float(elapsed))
    return times


def files_finding(setup: Setup) -> tuple[str, str]:
    """What devkit runs for `devkit run STAGE FILE`: the custom stage and lint, as it prints them."""
    devkit = str(setup.root / ".venv" / "bin" / "devkit")
    printed = []
    for stage in (STAGE, "lint"):
        result = subprocess.run(
            [devkit, "run", stage, setup.changed[0]],
            cwd=setup.root,
            env=dict(setup.env),
            capture_output=True,
            text=True,
            check=False,
        )
        first = next((line for line in result.stdout.splitlines() if line.startswith("$ ")), "(nothing printed)")
        printed.append(first.removeprefix("$ ").replace(str(setup.root) + "/", ""))
    return printed[0], printed[1]


# --------------------------------------------------------------------------- report


def report(
    results: Mapping[str, Mapping[str, list[float]]],
    installs: Mapping[str, list[float]],
    direct_times: Mapping[str, list[float]],
    finding: tuple[str, str],
    setup: Setup,
    facts: Mapping[str, str],
) -> str:
    def median(scenario: str, label: str) -> float:
        return statistics.median(results[scenario][label])

    names = {
        "files": f"`--files`, {len(setup.changed)} changed files",
        "all": "`--all-files`, no change",
    }
    lines = [
        f"| scenario | {DEVKIT_LINT} (s) | {DEVKIT_STAGE} (s) | {RUFF_PRE_COMMIT} (s) | {PRE_COMMIT_ALONE} (s) "
        f"| **{DEVKIT_STAGE} / {RUFF_PRE_COMMIT}** | {DEVKIT_LINT} / {RUFF_PRE_COMMIT} |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for scenario in results:
        cells = " | ".join(project.seconds(median(scenario, label)) for label in CONTENDERS)
        stage_ratio = median(scenario, DEVKIT_STAGE) / median(scenario, RUFF_PRE_COMMIT)
        lint_ratio = median(scenario, DEVKIT_LINT) / median(scenario, RUFF_PRE_COMMIT)
        lines.append(f"| {names[scenario]} | {cells} | **{stage_ratio:.2f}** | {lint_ratio:.2f} |")
    stage_printed, lint_printed = finding
    worst = max(median(scenario, DEVKIT_STAGE) / median(scenario, RUFF_PRE_COMMIT) for scenario in results)
    lines += [
        "",
        f"Goal: {DEVKIT_STAGE} / {RUFF_PRE_COMMIT} at most {GOAL:.2f} in every scenario: "
        f"**{'met' if worst <= GOAL else 'not met'}** (highest {worst:.2f}).",
        "",
        "What each hook does per run:",
        "",
        f"- {DEVKIT_LINT}: `hooks/devkit-hook run lint FILES` (`language: unsupported_script`): `.venv/bin/devkit` "
        "runs ruff check and ruff format --check on FILES, then mypy over the whole project.",
        f"- {DEVKIT_STAGE}: the same hook with `entry: hooks/devkit-hook run {STAGE} --` and, in pyproject.toml, "
        f'`[tool.devkit.stages] {STAGE} = ["{STAGE_COMMAND}"]`.',
        f"- {RUFF_PRE_COMMIT}: hook `ruff-check` (`language: python`, `entry: ruff check --force-exclude`, "
        f"`types_or: [python, pyi]`, `require_serial: true`) with `args: {json.dumps(RUFF_ARGS)}`, the same "
        f"rules as devkit's; its repository mirrors astral-sh/ruff-pre-commit's hook definition and its "
        f"`pyproject.toml` (a package depending on `{facts['pin']}`), made locally.",
        f"- {PRE_COMMIT_ALONE}: a local hook (`language: unsupported`) that runs `true`: pre-commit's own cost.",
        "",
        f"FILES and custom stages: `devkit run {STAGE} {setup.changed[0]}` ran `{stage_printed}`"
        + (
            ": the file is passed."
            if setup.changed[0] in stage_printed
            else f": the files are not passed, so the {STAGE} stage checks the whole project whatever pre-commit "
            f"hands it (`devkit run lint {setup.changed[0]}` ran `{lint_printed}`)."
        ),
        "",
        f"One-time install of the hook environments (`pre-commit install-hooks` from an empty PRE_COMMIT_HOME, "
        f"median of {len(installs[DEVKIT_LINT])}; the first `pre-commit run` pays it, so the timed runs above "
        "exclude it):",
        "",
        "| hook repository | install (s) | what it does |",
        "|---|---:|---|",
        f"| {RUFF_PRE_COMMIT} | {project.seconds(statistics.median(installs[RUFF_PRE_COMMIT]))} | clone, "
        f"`virtualenv`, `pip install .`: builds the package and installs {facts['pin']} from the index the "
        f"machine-wide pip settings name (the bench's HOME has no pip.conf); {facts['pip-cache']} |",
        f"| devkit (`{DEVKIT_LINT}`; the ruff-stage config uses the same repository) "
        f"| {project.seconds(statistics.median(installs[DEVKIT_LINT]))} | clone only: `unsupported_script` installs "
        "nothing, the tools come from the project's `.venv` |",
    ]
    lines += [
        "",
        f"The hooks' work without pre-commit ({len(setup.changed)} changed files, edited before each run; medians):",
        "",
        "| command | median (s) |",
        "|---|---:|",
        *[f"| {label} | {project.seconds(statistics.median(values))} |" for label, values in direct_times.items()],
        "",
        f"- Command: `{facts['command']}`",
        f"- Machine: {project.machine()}",
        f"- Python {sys.version.split()[0]}; devkit {facts['devkit']}, pre-commit {facts['pre-commit']}, "
        f"ruff {facts['ruff']} in both",
        f"- Project: {facts['project']}; changed files: {', '.join(f'`{name}`' for name in setup.changed)}",
        f"- Runs: {facts['runs']}; total bench time {facts['elapsed']}; {facts['date']}",
        f"- Load average (1 min) at start and end: {facts['load']} (other work on the machine shows here)",
        "",
        "Spread of the single runs (min-max, s):",
        "",
        "| scenario | " + " | ".join(CONTENDERS) + " |",
        "|---|" + "---:|" * len(CONTENDERS),
        *[
            f"| {names[scenario]} | " + " | ".join(project.span(times[label]) for label in CONTENDERS) + " |"
            for scenario, times in results.items()
        ],
    ]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="hook_bench.py",
        description="Time devkit's commit hook against ruff-pre-commit (pre-commit run); print a markdown table.",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, metavar="N", help="timed runs per hook and scenario (default 5)"
    )
    parser.add_argument(
        "--install-repeat", type=int, default=3, metavar="N", help="timed one-time installs per hook repository (3)"
    )
    parser.add_argument("--changed", type=int, default=5, metavar="N", help="files the --files scenario changes (5)")
    parser.add_argument("--modules", type=int, default=project.DEFAULT_MODULES, help="project size in .py files")
    parser.add_argument("--seed", type=int, default=project.DEFAULT_SEED, help="the project generator's seed")
    parser.add_argument("--write-readme", type=Path, metavar="PATH", help="replace the bench:hook block in PATH")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="working folder (default bench/.work/hook)")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.changed < 1 or args.install_repeat < 1:
        parser.error("--repeat, --install-repeat and --changed must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started, load_before = time.perf_counter(), project.load_average()
    devkit = project.devkit_version()  # the checkout the hook repository snapshot is taken from
    work: Path = args.work.resolve()
    try:
        pin = ruff_pin()
        setup, layout = prepare(work, args.modules, args.seed, args.changed, pin)
        project.progress("one-time installs of the hook environments")
        installs = time_installs(setup, args.install_repeat)
        project.progress("warm-up run of each hook (not timed)")
        for contender in setup.contenders:
            command = pre_commit(setup, contender, "run", "--all-files")
            log = setup.logs / "warm-up.log"
            project.timed([command], cwd=setup.root, env=env_of(setup, contender), log=log, what=contender.label)
        settle_plans(setup)
        edit = Editor(setup.root, setup.changed)
        results = {
            "files": measure(setup, "files", ["--files", *setup.changed], args.repeat, edit),
            "all": measure(setup, "all", ["--all-files"], args.repeat, None),
        }
        project.progress("timing the hooks' commands without pre-commit")
        direct_times = direct(setup, args.repeat, edit)
        finding = files_finding(setup)
    except project.BenchError as exc:
        project.progress(f"bench failed: {exc}")
        return 1
    pre_commit_bin = setup.root / ".venv" / "bin" / "pre-commit"
    facts = {
        "command": project.command_line("hook_bench.py", argv),
        "devkit": devkit,
        "pre-commit": project.version_of([pre_commit_bin, "--version"]),
        "ruff": project.version_of([setup.root / ".venv" / "bin" / "ruff", "--version"]),
        "pin": pin,
        "pip-cache": pip_cache_state(setup),
        "project": f"{layout.modules} modules ({layout.package_modules} in `billing/`, {layout.test_modules} "
        f"test modules), {layout.lines} lines; seed {args.seed}",
        "runs": f"x{args.repeat} per hook and scenario after one warm-up run each, interleaved, medians",
        "elapsed": f"{time.perf_counter() - started:.0f} s",
        "load": f"{load_before} / {project.load_average()}",
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    block = report(results, installs, direct_times, finding, setup, facts)
    print(block)
    print("all timings (s):")
    for scenario, times in results.items():
        for label, values in times.items():
            print(f"  {scenario:5} {label:18} " + " ".join(f"{value:.3f}" for value in values))
    everything = {"results": results, "installs": installs, "direct": direct_times, "facts": facts}
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
