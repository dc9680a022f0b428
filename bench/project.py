"""A generated service project for the lint and hook benches: about 200 modules, locked, synced.

`generate()` writes a billing service, deterministically from a seed: a package with eight
layered subpackages (each module imports a few modules of lower layers and uses their
types), frozen dataclasses, enums, registries, typed helpers, a `tests/` folder and a
small project `lint.toml`. The code is standard library only, so mypy needs nothing
installed, and it passes devkit's lint stage as generated.

`prepare()` also locks it with Poetry (`$BENCH_POETRY`, else `poetry` on PATH), commits
everything as the first commit of a new git repository, builds `.venv` with `devkit sync`
and equips it as a project whose dev group holds devkit would have it: devkit, ruff, mypy,
pytest, coverage and pre-commit are linked from the running interpreter's `bin/`, and a
`.pth` file makes the running interpreter's site-packages importable from `.venv` (the
approach of tests/support/service.py).

The rest is what the lint and hook benches share: the isolated environment every bench
command runs in (`tool_env`), timing, the report's machine facts and the README block
writer.

    python bench/project.py DEST [--modules 200] [--seed 7] [--no-venv]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import subprocess
import sys
import sysconfig
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGE = "billing"
DEFAULT_MODULES = 200
DEFAULT_SEED = 7
TOOLS = ("devkit", "ruff", "mypy", "pytest", "coverage", "pre-commit")
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}
# Subpackages from the lowest layer up, with the suffix of their module names (module
# names are unique across the package, so two imports never clash) and what they hold.
LAYERS = (
    ("common", "_util", "shared helpers"),
    ("domain", "", "domain records"),
    ("storage", "_store", "persistence"),
    ("pricing", "_rules", "pricing rules"),
    ("integrations", "_client", "clients of partner systems"),
    ("workers", "_jobs", "background jobs"),
    ("reports", "_report", "reporting"),
    ("api", "_routes", "the HTTP layer"),
)
NOUNS = (
    "invoice", "payment", "customer", "refund", "ledger", "tax", "discount", "currency", "account",
    "subscription", "plan", "usage", "meter", "quota", "webhook", "audit", "session", "voucher",
    "statement", "export", "batch", "schedule", "retry", "notice", "address", "vendor", "contract",
    "credit", "balance", "charge", "coupon", "payout", "dispute", "receipt", "order", "shipment",
)  # fmt: skip
STATUSES = (
    ("DRAFT", "OPEN", "CLOSED"),
    ("PENDING", "ACTIVE", "EXPIRED"),
    ("NEW", "SENT", "FAILED"),
    ("QUEUED", "RUNNING", "DONE"),
)
PYPROJECT = """\
[project]
name = "billing-service"
version = "0.1.0"
description = "A generated billing service: the project devkit's lint and hook benches check."
requires-python = ">=3.11"
dependencies = []

[tool.poetry]
package-mode = false

[tool.devkit]
python = "{python}"
"""
PROJECT_LINT = """\
# The service's additions to devkit's lint.toml.
[tool.ruff.lint.per-file-ignores]
"billing/api/**" = ["B008"]   # route defaults are built per request

[tool.coverage.report]
fail_under = 85
"""
GITIGNORE = ".venv/\n.devkit/\n.mypy_cache/\n.ruff_cache/\n.pytest_cache/\n.coverage\n__pycache__/\n"


class BenchError(Exception):
    """A step of a bench failed; the message says which (and where its log is)."""


@dataclass(frozen=True)
class Module:
    """One generated module: where it lives and what it exports."""

    layer: str
    name: str  # the module's own name, unique in the package
    noun: str
    index: int  # position in the layered order: imports only go to lower indexes

    @property
    def dotted(self) -> str:
        return f"{PACKAGE}.{self.layer}.{self.name}"

    @property
    def path(self) -> str:
        return f"{PACKAGE}/{self.layer}/{self.name}.py"

    @property
    def record(self) -> str:
        return "".join(word.capitalize() for word in self.name.split("_"))


@dataclass(frozen=True)
class Layout:
    """What `generate` wrote: the counts a report quotes."""

    modules: int  # every .py file
    package_modules: int  # modules with code in the package
    test_modules: int
    lines: int


# --------------------------------------------------------------------------- code


def plan(total: int, rng: random.Random) -> list[Module]:
    """The package modules, layer by layer, for a project of about `total` .py files."""
    inits = len(LAYERS) + 1
    tests = max(1, total // 7)
    count = max(len(LAYERS), total - inits - tests)
    per_layer = [count // len(LAYERS) + (1 if i < count % len(LAYERS) else 0) for i in range(len(LAYERS))]
    modules: list[Module] = []
    for (layer, suffix, _), size in zip(LAYERS, per_layer, strict=True):
        nouns = list(NOUNS)
        rng.shuffle(nouns)
        for number in range(size):
            noun = nouns[number % len(nouns)]
            name = f"{noun}{suffix}" if number < len(nouns) else f"{noun}{suffix}_{number // len(nouns) + 1}"
            modules.append(Module(layer, name, noun, len(modules)))
    return modules


def module_text(module: Module, deps: Sequence[Module], rng: random.Random) -> str:
    """The source of one package module, which uses the records and functions of `deps`."""
    record = module.record
    status = rng.choice(STATUSES)
    factor, modulus, limit = rng.randint(2, 9), rng.choice((97, 101, 997, 1009)), rng.randint(5, 50)
    layer_text = next(text for layer, _, text in LAYERS if layer == module.layer)
    body = [
        f"""LIMIT = {limit}
MODULUS = {modulus}


class {record}Status(Enum):
    {status[0]} = "{status[0].lower()}"
    {status[1]} = "{status[1].lower()}"
    {status[2]} = "{status[2].lower()}"


@dataclass(frozen=True)
class {record}:
    \"\"\"One {module.noun} entry of the {module.layer} layer.\"\"\"

    key: str
    amount: int
    tags: tuple[str, ...] = ()
    status: {record}Status = {record}Status.{status[0]}

    def weight(self) -> float:
        \"\"\"The amount spread over the tags.\"\"\"
        return self.amount * {factor} / max(len(self.tags), 1)

    def with_amount(self, amount: int) -> {record}:
        \"\"\"A copy with another amount.\"\"\"
        return replace(self, amount=amount)

    def is_large(self) -> bool:
        \"\"\"Whether the amount is over the limit.\"\"\"
        return self.amount > LIMIT


class {record}Registry:
    \"\"\"The {module.noun} entries by key; a later entry replaces an earlier one.\"\"\"

    def __init__(self) -> None:
        self._items: dict[str, {record}] = {{}}

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: {record}) -> None:
        \"\"\"Store `item` under its key.\"\"\"
        self._items[item.key] = item

    def get(self, key: str) -> {record} | None:
        \"\"\"The entry stored under `key`, if any.\"\"\"
        return self._items.get(key)

    def total(self) -> int:
        \"\"\"The sum of all amounts.\"\"\"
        return sum(item.amount for item in self._items.values())

    def with_status(self, status: {record}Status) -> list[{record}]:
        \"\"\"The entries in `status`, by key.\"\"\"
        return sorted((item for item in self._items.values() if item.status is status), key=lambda item: item.key)


def score(values: Sequence[int]) -> int:
    \"\"\"A checksum of `values`, weighted by position.\"\"\"
    return sum((position + 1) * value * {factor} for position, value in enumerate(values)) % MODULUS


def normalize_keys(keys: Iterable[str]) -> list[str]:
    \"\"\"The distinct non-empty keys, stripped, lower-cased and sorted.\"\"\"
    return sorted({{key.strip().lower() for key in keys if key.strip()}})
""",
    ]
    helpers = [_group, _ratio, _parse, _window, _merge, _describe, _first, _split]
    rng.shuffle(helpers)
    body += [helper(record, module.noun, rng) for helper in helpers[: rng.randint(3, 6)]]
    if deps:
        body.append(_combined(deps, rng))
        body.append(_adopt(record, rng.choice(deps)))
    code = "".join(body)
    header = f'"""{module.noun.capitalize()} records and helpers for {layer_text}."""\n\nfrom __future__ import annotations\n\n'
    return header + _imports(code, deps) + "\n" + code


def _imports(code: str, deps: Sequence[Module]) -> str:
    """The import block for `code`: the standard library names it uses, then `deps`."""
    wanted = {
        "collections.abc": [name for name in ("Iterable", "Mapping", "Sequence") if f"{name}[" in code],
        "dataclasses": ["dataclass", "replace"],
        "enum": ["Enum"],
    }
    lines = [f"from {module} import {', '.join(names)}" for module, names in wanted.items() if names]
    first_party: dict[str, list[str]] = {}
    for dep in deps:
        first_party.setdefault(f"{PACKAGE}.{dep.layer}", []).append(dep.name)
    if first_party:
        lines.append("")
        lines += [f"from {package} import {', '.join(sorted(names))}" for package, names in sorted(first_party.items())]
    return "\n".join(lines) + "\n"


def _group(record: str, noun: str, rng: random.Random) -> str:
    default = rng.choice(("none", "other", "misc"))
    return f'''

def group_by_tag(items: Iterable[{record}]) -> dict[str, list[{record}]]:
    """The entries under each of their tags; untagged ones under "{default}"."""
    groups: dict[str, list[{record}]] = {{}}
    for item in items:
        for tag in item.tags or ("{default}",):
            groups.setdefault(tag, []).append(item)
    return groups
'''


def _ratio(record: str, noun: str, rng: random.Random) -> str:
    zero = rng.choice(("0.0", "1.0"))
    return f'''

def ratio(numerator: float, denominator: float) -> float:
    """`numerator` over `denominator`, {zero} when the denominator is zero."""
    if denominator == 0:
        return {zero}
    return round(numerator / denominator, {rng.randint(2, 6)})
'''


def _parse(record: str, noun: str, rng: random.Random) -> str:
    separator = rng.choice((",", ";", "|"))
    return f'''

def parse_line(line: str) -> {record}:
    """A {record} from a "key{separator}amount{separator}tag{separator}tag" line."""
    parts = [part.strip() for part in line.split("{separator}")]
    if len(parts) < 2 or not parts[0]:
        raise ValueError(f"not a {noun} line: {{line!r}}")
    try:
        amount = int(parts[1])
    except ValueError:
        raise ValueError(f"the amount of {{parts[0]!r}} is not a number: {{parts[1]!r}}") from None
    return {record}(key=parts[0], amount=amount, tags=tuple(part for part in parts[2:] if part))
'''


def _window(record: str, noun: str, rng: random.Random) -> str:
    return f'''

def moving_average(values: Sequence[float], size: int = {rng.randint(2, 7)}) -> list[float]:
    """The moving averages of `values` over `size` entries."""
    if size < 1:
        raise ValueError("size must be at least 1")
    return [sum(values[start : start + size]) / size for start in range(len(values) - size + 1)]
'''


def _merge(record: str, noun: str, rng: random.Random) -> str:
    return '''

def merge_counts(left: Mapping[str, int], right: Mapping[str, int]) -> dict[str, int]:
    """The counts of both mappings added up, without zero entries."""
    merged = dict(left)
    for name, count in right.items():
        merged[name] = merged.get(name, 0) + count
    return {name: count for name, count in merged.items() if count}
'''


def _describe(record: str, noun: str, rng: random.Random) -> str:
    return f'''

def describe(item: {record}) -> str:
    """One line about `item` for logs."""
    tags = ", ".join(item.tags) if item.tags else "{rng.choice(("no tags", "untagged"))}"
    return f"{noun} {{item.key}}: {{item.amount}} ({{item.status.value}}; {{tags}})"
'''


def _first(record: str, noun: str, rng: random.Random) -> str:
    return f'''

def first_in(items: Sequence[{record}], status: {record}Status) -> {record} | None:
    """The first entry in `status`, if any."""
    return next((item for item in items if item.status is status), None)
'''


def _split(record: str, noun: str, rng: random.Random) -> str:
    return f'''

def split_large(items: Iterable[{record}]) -> tuple[list[{record}], list[{record}]]:
    """The entries up to the limit and the ones over it."""
    small: list[{record}] = []
    large: list[{record}] = []
    for item in items:
        (large if item.amount > LIMIT else small).append(item)
    return small, large
'''


def _combined(deps: Sequence[Module], rng: random.Random) -> str:
    calls = "\n".join(f"    total += {dep.name}.score(values[:{rng.randint(1, 9)}])" for dep in deps)
    return f'''

def combined(values: Sequence[int]) -> int:
    """This module's score plus the scores of the modules it builds on."""
    total = score(values)
{calls}
    return total % MODULUS
'''


def _adopt(record: str, dep: Module) -> str:
    return f'''

def adopt(item: {dep.name}.{dep.record}) -> {record}:
    """A {record} that carries over the key, amount and tags of `item`."""
    return {record}(key=item.key, amount=item.amount, tags=item.tags)
'''


def test_text(module: Module) -> str:
    """A test module for `module`, whose assertions hold by construction."""
    record, name = module.record, module.name
    return f"""\
import pytest

from {PACKAGE}.{module.layer} import {name}


def test_registry_keeps_the_last_entry_per_key() -> None:
    registry = {name}.{record}Registry()
    registry.add({name}.{record}(key="a", amount=1))
    registry.add({name}.{record}(key="a", amount=3))
    registry.add({name}.{record}(key="b", amount=4, tags=("x",)))

    assert len(registry) == 2
    assert registry.total() == 7
    assert registry.get("a") == {name}.{record}(key="a", amount=3)


@pytest.mark.parametrize(("keys", "expected"), [([" B", "a", "b", ""], ["a", "b"]), ([], [])])
def test_normalize_keys(keys: list[str], expected: list[str]) -> None:
    assert {name}.normalize_keys(keys) == expected


def test_score_of_nothing_is_zero() -> None:
    assert {name}.score([]) == 0


def test_with_amount_copies() -> None:
    entry = {name}.{record}(key="k", amount=2, tags=("t",))

    assert entry.with_amount(5) == {name}.{record}(key="k", amount=5, tags=("t",))
    assert entry.amount == 2
"""


def generate(
    root: Path,
    *,
    modules: int = DEFAULT_MODULES,
    seed: int = DEFAULT_SEED,
    python: str = "3.11",
    extra_pyproject: str = "",
) -> Layout:
    """Write the service into `root` (which must not exist yet): code, tests, pyproject.toml.

    `extra_pyproject` is appended to pyproject.toml (for example a `[tool.devkit.stages]`
    table): it must be there before the lock and the sync, whose key covers the file.
    """
    if root.exists():
        raise BenchError(f"{root} exists: generate into a new folder")
    rng = random.Random(seed)
    planned = plan(modules, rng)
    files: dict[str, str] = {
        "pyproject.toml": PYPROJECT.format(python=python) + (f"\n{extra_pyproject}" if extra_pyproject else ""),
        "lint.toml": PROJECT_LINT,
        ".gitignore": GITIGNORE,
        f"{PACKAGE}/__init__.py": '"""A billing service, generated for devkit\'s benches."""\n',
    }
    for layer, _, text in LAYERS:
        files[f"{PACKAGE}/{layer}/__init__.py"] = f'"""{text.capitalize()}."""\n'
    for module in planned:
        lower = planned[: module.index]
        deps = rng.sample(lower, k=min(len(lower), rng.randint(1, 3))) if lower else []
        files[module.path] = module_text(module, sorted(deps, key=lambda dep: dep.index), rng)
    tested = sorted(rng.sample(planned, k=min(len(planned), max(1, modules // 7))), key=lambda m: m.index)
    for module in tested:
        files[f"tests/test_{module.name}.py"] = test_text(module)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    python_files = [name for name in files if name.endswith(".py")]
    return Layout(
        modules=len(python_files),
        package_modules=len(planned),
        test_modules=len(tested),
        lines=sum(files[name].count("\n") for name in python_files),
    )


# --------------------------------------------------------------------------- lock, git, .venv


def find_poetry() -> Path:
    """Poetry: `$BENCH_POETRY`, else the first `poetry` on PATH."""
    configured = os.environ.get("BENCH_POETRY")
    if configured:
        path = Path(configured).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise BenchError(f"BENCH_POETRY={configured} is not an executable file")
        return path.absolute()
    found = shutil.which("poetry")
    if found is None:
        raise BenchError("poetry not found: put it on PATH or set BENCH_POETRY=/path/to/poetry")
    return Path(found)


def tool_env(state: Path) -> dict[str, str]:
    """The environment of every bench command: no venv active, every tool's state under `state`.

    Every UV_*, POETRY_*, PRE_COMMIT* and VIRTUALENV_* variable of the caller is dropped;
    HOME and the XDG base folders point into `state`, so nothing in the user's home or
    caches is read or written. The machine's pip settings stay (PIP_* variables except
    the cache folder, XDG_CONFIG_DIRS' pip.conf): they say which index pip uses, which only
    the hook bench's one-time install of ruff-pre-commit's environment asks. Python
    bytecode is cached under `state` even when the caller sets PYTHONDONTWRITEBYTECODE: a
    tool normally runs from cached bytecode, and every contender gets the same cache.
    """
    dropped = ("UV_", "POETRY_", "PRE_COMMIT", "VIRTUALENV_", "PIP_CACHE_DIR", "PIP_NO_CACHE_DIR")
    env = {key: value for key, value in os.environ.items() if not key.startswith(dropped)}
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    for name in ("MYPY_CACHE_DIR", "RUFF_CACHE_DIR"):
        env.pop(name, None)
    home = state / "home"
    env.update(GIT_IDENTITY)
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_CACHE_HOME=str(home / ".cache"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        PIP_CACHE_DIR=str(state / "pip-cache"),
        PYTHONPYCACHEPREFIX=str(state / "pycache"),
        UV_CACHE_DIR=str(state / "uv-cache"),
        UV_PYTHON_DOWNLOADS="never",
        POETRY_CACHE_DIR=str(state / "poetry-cache"),
        POETRY_CONFIG_DIR=str(state / "poetry-config"),
        POETRY_DATA_DIR=str(state / "poetry-data"),
        POETRY_VIRTUALENVS_PATH=str(state / "poetry-virtualenvs"),
        POETRY_VIRTUALENVS_IN_PROJECT="false",
        PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
    )
    home.mkdir(parents=True, exist_ok=True)
    return env


def run(command: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str], what: str) -> str:
    """Run `command`; its stdout, or a BenchError with its output."""
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


def lock(root: Path, env: Mapping[str, str], poetry: Path) -> None:
    """`poetry lock` (no dependencies: nothing is resolved against an index)."""
    run([poetry, "lock", "--no-interaction"], cwd=root, env=env, what="poetry lock")


def commit_all(root: Path, env: Mapping[str, str]) -> None:
    """A new git repository whose one commit holds every file."""
    run(["git", "init", "-q", "-b", "main"], cwd=root, env=env, what="git init")
    run(["git", "add", "-A"], cwd=root, env=env, what="git add")
    run(["git", "-c", "commit.gpgsign=false", "commit", "-qm", "billing service"], cwd=root, env=env, what="git commit")


def equip_venv(root: Path, env: Mapping[str, str]) -> None:
    """`devkit sync`, then devkit and its tools from the running interpreter, as a dev group would."""
    run([sys.executable, "-m", "devkit", "sync"], cwd=root, env=env, what="devkit sync")
    bindir = Path(sys.executable).parent
    for tool in TOOLS:
        link = root / ".venv" / "bin" / tool
        link.unlink(missing_ok=True)
        link.symlink_to(bindir / tool)
    purelib = "import sysconfig; print(sysconfig.get_path('purelib'))"
    site = run([root / ".venv" / "bin" / "python", "-c", purelib], cwd=root, env=env, what=".venv's site-packages")
    (Path(site.strip()) / "devkit-tools.pth").write_text(sysconfig.get_path("purelib") + "\n")


def prepare(
    root: Path,
    state: Path,
    *,
    modules: int = DEFAULT_MODULES,
    seed: int = DEFAULT_SEED,
    venv: bool = True,
    extra_pyproject: str = "",
) -> Layout:
    """Generate, lock and commit the service in `root`; with `venv`, sync and equip `.venv`.

    `state` holds Poetry's and uv's caches and settings for these steps.
    """
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    layout = generate(root, modules=modules, seed=seed, python=python, extra_pyproject=extra_pyproject)
    env = tool_env(state)
    lock(root, env, find_poetry())
    commit_all(root, env)
    if venv:
        equip_venv(root, env)
    return layout


# --------------------------------------------------------------------------- shared bench plumbing


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def remove_tree(path: Path) -> None:
    """Remove a file or folder tree if it exists (read-only entries included)."""
    if path.is_symlink() or path.is_file():
        path.unlink()
        return
    if not path.exists():
        return
    try:
        shutil.rmtree(path)
    except PermissionError:  # read-only entries (uv's cache, git objects): make writable, try again
        for folder, names, files in os.walk(path):
            for name in [*names, *files]:
                os.chmod(os.path.join(folder, name), 0o755)
        shutil.rmtree(path)


def timed(
    commands: Sequence[Sequence[str | Path]],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    what: str,
) -> float:
    """Run `commands` one after the other, output appended to `log`; their wall time in seconds."""
    return sum(timed_each(commands, cwd=cwd, env=env, log=log, what=what))


def timed_each(
    commands: Sequence[Sequence[str | Path]],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: Path,
    what: str,
) -> list[float]:
    """Run `commands` one after the other, output appended to `log`; the wall time of each.

    Pending disk writes are flushed first, so that one run's writes are not billed to the
    next. A command that fails raises BenchError with the tail of the log: every command
    the benches time passes on the generated project.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    if hasattr(os, "sync"):
        os.sync()
    times = []
    with log.open("ab") as handle:
        for command in commands:
            started = time.perf_counter()
            result = subprocess.run(
                [str(part) for part in command],
                cwd=cwd,
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=handle,
                stderr=subprocess.STDOUT,
                check=False,
            )
            times.append(time.perf_counter() - started)
            if result.returncode != 0:
                handle.close()
                tail = log.read_text(errors="replace").splitlines()[-20:]
                raise BenchError(f"{what} failed (exit {result.returncode}); log {log}:\n" + "\n".join(tail))
    return times


def seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def span(values: Sequence[float]) -> str:
    """The fastest and the slowest run: how far to trust a median."""
    return f"{seconds(min(values))}-{seconds(max(values))}"


def write_readme(path: Path, block: str, start: str, end: str) -> bool:
    """Replace what is between the `start` and `end` markers in `path`; False when they are absent."""
    try:
        text = path.read_text()
    except OSError:
        return False
    first, last = text.find(start), text.find(end)
    if first < 0 or last < first:
        return False
    path.write_text(text[: first + len(start)] + "\n" + block.rstrip("\n") + "\n" + text[last:])
    return True


def load_average() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def machine() -> str:
    """CPU model, usable cores, system."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{cpu}, {usable} cores usable ({os.cpu_count()} online), {platform.system()} {platform.machine()}"


def version_of(command: Sequence[str | Path]) -> str:
    """The first word that starts with a digit in what `command` prints."""
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)
    words = (result.stdout + result.stderr).replace("(", " ").replace(")", " ").split()
    return next((word for word in words if word[:1].isdigit()), "unknown")


def devkit_version() -> str:
    """devkit's version and the git state of this checkout (dirty: others' edits are in it)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("devkit-toolchain")
    except PackageNotFoundError:
        found = "unknown"
    result = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=HERE, capture_output=True, text=True, check=False
    )
    if result.returncode == 0 and result.stdout.strip():
        found += f" (git {result.stdout.strip()})"
    return found


def command_line(script: str, argv: Sequence[str] | None) -> str:
    """How the bench was started, for the report."""
    words = list(sys.argv[1:] if argv is None else argv)
    return " ".join(["python", f"bench/{script}", *words])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="project.py", description="Generate the bench's billing service.")
    parser.add_argument("dest", type=Path, help="the folder to create")
    parser.add_argument("--modules", type=int, default=DEFAULT_MODULES, help="about this many .py files (default 200)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the generator's seed (default 7)")
    parser.add_argument("--no-venv", action="store_true", help="generate, lock and commit only; no .venv")
    args = parser.parse_args(argv)
    dest: Path = args.dest.absolute()
    try:
        layout = prepare(
            dest, dest.parent / f".{dest.name}-state", modules=args.modules, seed=args.seed, venv=not args.no_venv
        )
    except BenchError as exc:
        print(f"project.py: {exc}", file=sys.stderr)
        return 1
    print(
        f"{dest}: {layout.modules} modules ({layout.package_modules} in {PACKAGE}/, {layout.test_modules} tests), "
        f"{layout.lines} lines"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
