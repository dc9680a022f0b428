"""Benchmark `devkit sync` against `poetry sync` and `uv sync` on one realistic project.

Three scenarios, each timed several times in one run and reported as medians and as ratios
against the peer tools measured in the same run (absolute seconds mean little across
machines; ratios from one run on one machine do):

- no-op: `.venv` is already in sync; the command should find that out and stop.
- warm:  `.venv` is removed; the installers' caches hold every wheel.
- cold:  `.venv` is removed and the installers' caches are emptied.

Everything runs against a PEP 503 index on 127.0.0.1 that this script serves from a
thread, filled once with `pip download` from the machine's configured index (the only
step that needs the network). The wheelhouse, the two generated projects (one locked by
Poetry, one by uv, same dependencies), the caches and the logs live in `bench/.work/sync/`.

Run it with the interpreter of the environment where devkit is installed:

    BENCH_POETRY=/path/to/poetry .venv/bin/python bench/sync_bench.py --write-readme bench/README.md
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime
import email.parser
import hashlib
import html
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: bench/ is on sys.path, the checkout is not
    sys.path.insert(0, str(ROOT))

from bench.project import BenchError, find_poetry, remove_tree  # noqa: E402

HERE = Path(__file__).resolve().parent
DEFAULT_WORK = HERE / ".work" / "sync"  # the other benches keep their own folders beside it
START_MARKER = "<!-- bench:sync:start -->"
END_MARKER = "<!-- bench:sync:end -->"
SCENARIOS = ("noop", "warm", "cold")
PROJECT_NAME = "bench-ml-service"
PY = f"{sys.version_info[0]}.{sys.version_info[1]}"  # the Python of every .venv

# A small ML service: numerics and models, a web API, settings, HTTP clients, logging.
MAIN_DEPENDENCIES = (
    "numpy>=1.26",
    "pandas>=2.2",
    "scipy>=1.13",
    "scikit-learn>=1.5",
    "pydantic>=2.7",
    "pydantic-settings>=2.3",
    "fastapi>=0.110",
    "uvicorn>=0.29",
    "httpx>=0.27",
    "requests>=2.32",
    "click>=8.1",
    "pyyaml>=6.0",
    "rich>=13.7",
    "structlog>=24.1",
    "tenacity>=8.2",
)
# What the team works with: tests, lint, types, a notebook kernel.
DEV_DEPENDENCIES = (
    "pytest>=8.2",
    "pytest-cov>=5.0",
    "hypothesis>=6.100",
    "ruff>=0.5",
    "mypy>=1.10",
    "types-requests>=2.32",
    "types-pyyaml>=6.0",
    "ipykernel>=6.29",
)
# Wheels for dependencies that only other platforms install (pywin32, appnope, ...): both
# lockers resolve for every platform, so the index must hold them too.
OTHER_PLATFORMS = ("win_amd64", "macosx_11_0_arm64", "macosx_10_12_x86_64")

# HTTP caching as large public indexes do it: project pages may be reused for ten minutes,
# files never change. Installers with a warm cache then need no request at all.
PAGE_CACHE = "max-age=600, public"
FILE_CACHE = "max-age=365000000, immutable, public"

_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*([^;]*?)\s*(?:;\s*(.*))?$")
_EXTRA = re.compile(r"""\bextra\s*==\s*['"]([^'"]+)['"]""")


def normalize(name: str) -> str:
    """The PEP 503 normalized form of a project name."""
    return re.sub(r"[-_.]+", "-", name).lower()


# --------------------------------------------------------------------------- tools


@dataclass(frozen=True)
class Tools:
    python: Path  # the interpreter every .venv of every tool is built from (by one path)
    uv: Path
    poetry: Path
    pip: tuple[str, ...]


def _base_interpreter() -> Path:
    """The real interpreter behind sys.executable (outside any venv), symlinks resolved."""
    base = Path(getattr(sys, "_base_executable", "") or sys.executable)
    return base.resolve()


def find_uv() -> Path:
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file() and os.access(beside, os.X_OK):
        return beside
    found = shutil.which("uv")
    if found is None:
        raise BenchError("uv not found beside sys.executable or on PATH: install it in the dev environment")
    return Path(found)


def find_pip(python: Path) -> tuple[str, ...]:
    """A pip that downloads wheels for `python`: BENCH_PIP, else `python -m pip`, else pip on PATH."""
    wanted = PY
    candidates: list[tuple[str, ...]] = []
    if os.environ.get("BENCH_PIP"):
        candidates.append((os.environ["BENCH_PIP"],))
    candidates += [(sys.executable, "-m", "pip"), (str(python), "-m", "pip")]
    candidates += [(found,) for name in ("pip3", "pip") if (found := shutil.which(name))]
    for command in candidates:
        try:
            result = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False)
        except OSError:
            continue
        if result.returncode == 0 and f"(python {wanted})" in result.stdout:
            return command
    raise BenchError(f"no pip for Python {wanted} found: set BENCH_PIP=/path/to/pip (of a Python {wanted})")


def tool_version(command: Sequence[str | Path]) -> str:
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)
    words = result.stdout.replace("(", " ").replace(")", " ").split()
    return next((word for word in words if word[:1].isdigit()), "unknown")


# --------------------------------------------------------------------------- wheelhouse


@dataclass(frozen=True)
class Dist:
    """One wheel of the index, with what the simple pages say about it."""

    filename: str
    project: str
    sha256: str
    requires_python: str | None
    requires_dist: tuple[str, ...]
    metadata: bytes

    @property
    def metadata_sha256(self) -> str:
        return hashlib.sha256(self.metadata).hexdigest()


def read_dist(path: Path) -> Dist:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    with zipfile.ZipFile(path) as archive:
        names = [name for name in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", name)]
        if not names:
            raise BenchError(f"{path.name} has no .dist-info/METADATA")
        metadata = archive.read(names[0])
    headers = email.parser.BytesHeaderParser().parsebytes(metadata)
    return Dist(
        filename=path.name,
        project=normalize(path.name.split("-")[0]),
        sha256=digest.hexdigest(),
        requires_python=headers.get("Requires-Python"),
        requires_dist=tuple(str(line) for line in headers.get_all("Requires-Dist") or []),
        metadata=metadata,
    )


def missing_requirements(dists: Sequence[Dist], top_level: Sequence[str]) -> list[str]:
    """Requirements some wheel declares, for any platform or Python, that no wheel here satisfies.

    Markers are not evaluated (the lockers resolve for every platform), except `extra ==`:
    an extra's dependencies count only when something asks for that extra.
    """
    have = {dist.project for dist in dists}
    extras: dict[str, set[str]] = {}
    for line in top_level:
        match = _REQUIREMENT.match(line)
        if match:
            extras.setdefault(normalize(match[1]), set()).update(
                normalize(e) for e in (match[2] or "").split(",") if e.strip()
            )
    missing: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for dist in dists:
            for line in dist.requires_dist:
                match = _REQUIREMENT.match(line)
                if match is None:
                    continue
                name, asked, spec, marker = normalize(match[1]), match[2] or "", match[3], match[4] or ""
                needs = {normalize(extra) for extra in _EXTRA.findall(marker)}
                if needs and not needs & extras.get(dist.project, set()):
                    continue
                wanted = {normalize(extra) for extra in asked.split(",") if extra.strip()}
                if not wanted <= extras.setdefault(name, set()):
                    extras[name] |= wanted
                    changed = True
                if name not in have and name not in missing:
                    missing[name] = name + spec.strip().strip("()").replace(" ", "")
    return sorted(missing.values())


def wheelhouse_key(pip: Sequence[str]) -> str:
    facts = {
        "main": MAIN_DEPENDENCIES,
        "dev": DEV_DEPENDENCIES,
        "python": PY,
        "implementation": sys.implementation.name,
        "machine": platform.machine(),
        "system": platform.system(),
        "pip": tool_version([*pip, "--version"]),
    }
    return hashlib.sha256(json.dumps(facts, sort_keys=True).encode()).hexdigest()[:16]


def prepare_wheelhouse(work: Path, pip: Sequence[str], *, refresh: bool) -> Path:
    """Download the dependency set once; later runs reuse it while its inputs are unchanged."""
    key = wheelhouse_key(pip)
    folder = work / "wheelhouse"
    done = folder / "complete.json"
    if not refresh and done.is_file() and json.loads(done.read_text()).get("key") == key:
        return folder
    progress(f"downloading the wheelhouse with {' '.join(pip)} download (once; cached in {folder})")
    partial = work / "wheelhouse.partial"
    remove_tree(partial)
    partial.mkdir(parents=True)
    log = work / "logs" / "wheelhouse.log"
    top_level = [*MAIN_DEPENDENCIES, *DEV_DEPENDENCIES]
    base = [*pip, "download", "--dest", str(partial), "--only-binary", ":all:", "--progress-bar", "off"]
    run_logged([*base, *top_level], cwd=work, env=dict(os.environ), log=log, what="pip download")
    failed: set[str] = set()
    for _ in range(6):
        dists = [read_dist(path) for path in sorted(partial.glob("*.whl"))]
        wanted = [line for line in missing_requirements(dists, top_level) if line not in failed]
        if not wanted:
            break
        for line in wanted:
            if not _download_one(base, line, work, log):
                failed.add(line)
    if failed:
        progress(f"note: no wheel found for {', '.join(sorted(failed))} (needed only where markers select them)")
    remove_tree(folder)
    partial.rename(folder)
    size = sum(path.stat().st_size for path in folder.glob("*.whl"))
    facts = {"key": key, "files": len(list(folder.glob("*.whl"))), "bytes": size}
    done.write_text(json.dumps(facts, indent=1) + "\n")
    return folder


def _download_one(base: Sequence[str], requirement: str, work: Path, log: Path) -> bool:
    """One missing wheel, --no-deps: for this platform, else for one of the others."""
    attempts: list[list[str]] = [[]] + [["--platform", tag] for tag in OTHER_PLATFORMS]
    for extra in attempts:
        command = [*base, "--no-deps", *extra, requirement]
        try:
            run_logged(command, cwd=work, env=dict(os.environ), log=log, what="pip download")
        except BenchError:
            continue
        return True
    return False


# --------------------------------------------------------------------------- index server


class IndexServer(ThreadingHTTPServer):
    """A PEP 503 simple index (with PEP 658 metadata) over one folder of wheels."""

    daemon_threads = True

    def __init__(self, port: int, folder: Path, dists: Sequence[Dist]) -> None:
        self.folder = folder
        self.dists = {dist.filename: dist for dist in dists}
        self.projects: dict[str, list[Dist]] = {}
        for dist in dists:
            self.projects.setdefault(dist.project, []).append(dist)
        super().__init__(("127.0.0.1", port), IndexHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/simple/"

    def root_page(self) -> bytes:
        links = "".join(f'<a href="/simple/{name}/">{name}</a>\n' for name in sorted(self.projects))
        return _page("Simple index", links)

    def project_page(self, project: str) -> bytes | None:
        dists = self.projects.get(project)
        if dists is None:
            return None
        links = []
        for dist in sorted(dists, key=lambda d: d.filename):
            attributes = f' data-dist-info-metadata="sha256={dist.metadata_sha256}"'
            attributes += f' data-core-metadata="sha256={dist.metadata_sha256}"'
            if dist.requires_python:
                attributes += f' data-requires-python="{html.escape(dist.requires_python)}"'
            href = f"/files/{dist.filename}#sha256={dist.sha256}"
            links.append(f'<a href="{html.escape(href)}"{attributes}>{html.escape(dist.filename)}</a>\n')
        return _page(f"Links for {project}", "".join(links))


def _page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0">'
        f"<title>{html.escape(title)}</title></head><body>\n{body}</body></html>\n"
    ).encode()


class IndexHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a cold sync makes hundreds of requests."""

    def _serve(self, *, body: bool) -> None:
        server = cast(IndexServer, self.server)
        path = unquote(self.path.split("?", 1)[0].split("#", 1)[0])
        parts = [part for part in path.split("/") if part]
        if parts == ["simple"]:
            self._send(server.root_page(), "text/html; charset=utf-8", body, PAGE_CACHE)
        elif len(parts) == 2 and parts[0] == "simple":
            if not path.endswith("/"):
                self._redirect(f"/simple/{parts[1]}/")
                return
            page = server.project_page(normalize(parts[1]))
            self._send(page, "text/html; charset=utf-8", body, PAGE_CACHE)
        elif len(parts) == 2 and parts[0] == "files":
            name = parts[1]
            if name.endswith(".metadata") and name.removesuffix(".metadata") in server.dists:
                self._send(server.dists[name.removesuffix(".metadata")].metadata, "text/plain", body, FILE_CACHE)
            elif name in server.dists:
                self._send_file(server.folder / name, body)
            else:
                self._send(None, "", body)
        else:
            self._send(None, "", body)

    def _send(self, data: bytes | None, content_type: str, body: bool, cache: str = "") -> None:
        if data is None:
            data, content_type = b"not found\n", "text/plain"
            self.send_response(404)
        else:
            self.send_response(200)
        if cache:
            self.send_header("Cache-Control", cache)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _send_file(self, path: Path, body: bool) -> None:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Cache-Control", FILE_CACHE)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            if body:
                self.wfile.flush()
                self.connection.sendfile(handle)

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextlib.contextmanager
def serve(folder: Path, preferred_port: int) -> Iterator[IndexServer]:
    """Serve the wheelhouse on loopback from a thread, on `preferred_port` when it is free."""
    dists = [read_dist(path) for path in sorted(folder.glob("*.whl"))]
    server: IndexServer | None = None
    for port in dict.fromkeys((preferred_port, 0)):
        try:
            server = IndexServer(port, folder, dists)
            break
        except OSError:
            continue
    if server is None:
        raise BenchError("could not bind a port on 127.0.0.1 for the wheelhouse index")
    thread = threading.Thread(target=server.serve_forever, name="bench-index", daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# --------------------------------------------------------------------------- projects


def _toml_list(items: Sequence[str]) -> str:
    return "[\n" + "".join(f"    {json.dumps(item)},\n" for item in items) + "]"


def pyproject_text(kind: str, index_url: str, python: str) -> str:
    """The same service, for Poetry or for uv: main dependencies plus a dev group."""
    major, minor = python.split(".")[:2]
    lines = [
        "[project]",
        f'name = "{PROJECT_NAME}"',
        'version = "0.1.0"',
        f'requires-python = ">={major}.{minor},<{major}.{int(minor) + 1}"',
        f"dependencies = {_toml_list(MAIN_DEPENDENCIES)}",
        "",
        "[dependency-groups]",
        f"dev = {_toml_list(DEV_DEPENDENCIES)}",
        "",
    ]
    if kind == "poetry":
        lines += [
            "[tool.poetry]",
            "package-mode = false",
            "",
            "[[tool.poetry.source]]",
            'name = "bench"',
            f'url = "{index_url}"',
            'priority = "primary"',
            "",
        ]
    else:
        lines += [
            "[tool.uv]",
            "package = false",
            "",
            "[[tool.uv.index]]",
            'name = "bench"',
            f'url = "{index_url}"',
            "default = true",
            "",
        ]
    lines += ["[tool.devkit]", f'python = "{major}.{minor}"', ""]
    return "\n".join(lines)


def prepare_projects(work: Path, tools: Tools, index_url: str, wheels_key: str, env: Mapping[str, str]) -> Path:
    """The locked Poetry and uv projects; locked again only when an input changed."""
    folder = work / "projects"
    for kind, lock_name in (("poetry", "poetry.lock"), ("uv", "uv.lock")):
        project = folder / kind
        text = pyproject_text(kind, index_url, PY)
        key = hashlib.sha256((text + wheels_key).encode()).hexdigest()
        stamp = project / "bench-key"
        if (project / lock_name).is_file() and stamp.is_file() and stamp.read_text() == key:
            continue
        progress(f"locking the {kind} project")
        remove_tree(project)
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text(text)
        if kind == "poetry":
            command = [str(tools.poetry), "lock", "--no-interaction"]
        else:
            command = [str(tools.uv), "lock", "--python", str(tools.python)]
        run_logged(command, cwd=project, env=env, log=work / "logs" / f"lock-{kind}.log", what=f"{kind} lock")
        stamp.write_text(key)
    return folder


def locked_packages(lock: Path) -> int:
    return len(re.findall(r"^\[\[package\]\]$", lock.read_text(), flags=re.MULTILINE))


# --------------------------------------------------------------------------- runs


@dataclass(frozen=True)
class Contender:
    """One command on one copy of a project."""

    label: str  # unique, names the run folder
    column: str  # devkit, poetry or uv
    lock: str  # poetry.lock or uv.lock
    root: Path
    command: tuple[str, ...]
    venv_first: tuple[str, ...] = ()  # run before `command` when .venv is missing (Poetry)


@dataclass
class Bench:
    work: Path
    tools: Tools
    env: dict[str, str]
    caches: tuple[Path, ...]
    logs: Path
    installed: dict[str, int] = field(default_factory=dict)

    def time(self, contender: Contender, tag: str) -> float:
        log = self.logs / f"{tag}-{contender.label}.log"
        venv = contender.root / ".venv"
        commands = [contender.command]
        if contender.venv_first and not venv.exists():
            commands.insert(0, contender.venv_first)
        # Flush what earlier runs (and the removal of .venv) left to write back, so that
        # disk work of one tool is not billed to the next.
        if hasattr(os, "sync"):
            os.sync()
        started = time.perf_counter()
        for command in commands:
            run_logged(command, cwd=contender.root, env=self.env, log=log, what=f"{contender.label} ({tag})")
        elapsed = time.perf_counter() - started
        count = len(installed_distributions(venv))
        expected = self.installed.setdefault(contender.label, count)
        if count != expected:
            raise BenchError(f"{contender.label} ({tag}) left {count} packages in .venv, {expected} before; see {log}")
        return elapsed

    def clear_caches(self) -> None:
        for cache in self.caches:
            remove_tree(cache)
            cache.mkdir(parents=True)


def installed_distributions(venv: Path) -> set[str]:
    return {normalize(path.name.split("-")[0]) for path in venv.glob("lib/python*/site-packages/*.dist-info")}


def contenders(work: Path, projects: Path, tools: Tools, *, poetry_installer: bool) -> list[Contender]:
    runs = work / "run"
    devkit = (sys.executable, "-m", "devkit", "sync")
    venv = (str(tools.uv), "venv", "--quiet", "--python", str(tools.python), "--no-project", ".venv")
    chosen = [
        Contender("devkit-poetry", "devkit", "poetry.lock", runs / "devkit-poetry", devkit),
        Contender("devkit-uv", "devkit", "uv.lock", runs / "devkit-uv", devkit),
        Contender(
            "poetry", "poetry", "poetry.lock", runs / "poetry", (str(tools.poetry), "sync", "--no-interaction"), venv
        ),
        Contender(
            "uv", "uv", "uv.lock", runs / "uv", (str(tools.uv), "sync", "--locked", "--python", str(tools.python))
        ),
    ]
    if poetry_installer:
        command = (*devkit, "--installer", "poetry")
        chosen.append(
            Contender("devkit-poetry-installer", "devkit", "poetry.lock", runs / "devkit-poetry-installer", command)
        )
    remove_tree(runs)
    for contender in chosen:
        source = projects / ("poetry" if contender.lock == "poetry.lock" else "uv")
        contender.root.mkdir(parents=True)
        for name in ("pyproject.toml", contender.lock):
            shutil.copy2(source / name, contender.root / name)
    return chosen


def measure(bench: Bench, chosen: Sequence[Contender], scenario: str, repeat: int) -> dict[str, list[float]]:
    """`repeat` timed runs of every contender, interleaved so drift hits all alike."""
    times: dict[str, list[float]] = {contender.label: [] for contender in chosen}
    for round_ in range(repeat):
        shift = round_ % len(chosen)
        for contender in [*chosen[shift:], *chosen[:shift]]:
            if scenario != "noop":
                remove_tree(contender.root / ".venv")
            if scenario == "cold":
                bench.clear_caches()
            elapsed = bench.time(contender, f"{scenario}-{round_ + 1}")
            times[contender.label].append(elapsed)
            progress(f"  {scenario} {round_ + 1}/{repeat} {contender.label}: {elapsed:.3f} s")
    return times


# --------------------------------------------------------------------------- report


def seconds(value: float) -> str:
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def _row_name(scenario: str, contender: Contender) -> str:
    name = {"noop": "no-op", "warm": "warm", "cold": "cold"}[scenario]
    option = " `--installer poetry`" if contender.label.endswith("installer") else ""
    return f"{name}, {contender.lock}{option}"


def table(results: Mapping[str, Mapping[str, list[float]]], chosen: Sequence[Contender]) -> list[str]:
    """The medians and devkit's ratios to its peers: one row per devkit variant and scenario."""
    head = "| scenario | devkit (s) | poetry sync (s) | uv sync (s) | devkit/poetry | devkit/uv |"
    lines = [head, "|---|---:|---:|---:|---:|---:|"]
    for scenario, times in results.items():
        median = {label: statistics.median(values) for label, values in times.items()}
        for contender in chosen:
            if contender.column != "devkit":
                continue
            mine, poetry, uv = median[contender.label], median["poetry"], median["uv"]
            lines.append(
                f"| {_row_name(scenario, contender)} | {seconds(mine)} | {seconds(poetry)} | {seconds(uv)} "
                f"| {mine / poetry:.2f} | {mine / uv:.2f} |"
            )
    return lines


def spread_table(results: Mapping[str, Mapping[str, list[float]]], chosen: Sequence[Contender]) -> list[str]:
    """The fastest and slowest run of each cell: how far to trust the medians."""
    lines = [
        "| scenario | devkit min-max (s) | poetry sync min-max (s) | uv sync min-max (s) |",
        "|---|---:|---:|---:|",
    ]

    def span(values: Sequence[float]) -> str:
        return f"{seconds(min(values))}-{seconds(max(values))}"

    for scenario, times in results.items():
        for contender in chosen:
            if contender.column == "devkit":
                cells = " | ".join(span(times[label]) for label in (contender.label, "poetry", "uv"))
                lines.append(f"| {_row_name(scenario, contender)} | {cells} |")
    return lines


def machine_facts(tools: Tools, facts: Mapping[str, str]) -> list[str]:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.partition(":")[2].strip()
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Command: `{facts['command']}`",
        f"- Machine: {cpu}, {usable} cores usable ({os.cpu_count()} online), {platform.system()} {platform.machine()}",
        f"- Python {platform.python_version()} ({platform.python_implementation()}) for every `.venv`",
        f"- devkit {facts['devkit']}, uv {tool_version([tools.uv, '--version'])}, "
        f"Poetry {tool_version([tools.poetry, '--version'])}",
        f"- Project: {facts['project']}",
        f"- Runs: {facts['runs']}; total bench time {facts['elapsed']}; {facts['date']}",
        f"- Load average (1 min) at start and end: {facts['load']}; share of the run in which some task "
        f"waited for the CPU or for I/O (Linux PSI): {facts['stalls']}; the tools' own parallel work counts "
        "too, but high values usually mean other work competed",
    ]


def devkit_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("devkit-toolchain")
    except PackageNotFoundError:
        found = "unknown"
    with contextlib.suppress(OSError):
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=HERE, capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            found += f" (git {result.stdout.strip()})"
    return found


def write_readme(path: Path, block: str) -> bool:
    """Replace the marked block in `path`; False (nothing written) when the markers are absent."""
    try:
        text = path.read_text()
    except OSError:
        return False
    start, end = text.find(START_MARKER), text.find(END_MARKER)
    if start < 0 or end < start:
        return False
    new = text[: start + len(START_MARKER)] + "\n" + block.rstrip("\n") + "\n" + text[end:]
    path.write_text(new)
    return True


# --------------------------------------------------------------------------- helpers


def _stall_totals() -> dict[str, int]:
    """Linux pressure stall totals (microseconds some task waited for CPU / for I/O)."""
    totals: dict[str, int] = {}
    for resource in ("cpu", "io"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            first = Path(f"/proc/pressure/{resource}").read_text().splitlines()[0]
            totals[resource] = int(first.rpartition("total=")[2])
    return totals


def _stalls(before: Mapping[str, int], seconds_elapsed: float) -> str:
    after = _stall_totals()
    shares = [
        f"{resource} {100 * (after[resource] - before[resource]) / 1e6 / seconds_elapsed:.0f}%"
        for resource in ("cpu", "io")
        if resource in before and resource in after
    ]
    return ", ".join(shares) if shares else "n/a (no /proc/pressure)"


def _load() -> str:
    return f"{os.getloadavg()[0]:.2f}" if hasattr(os, "getloadavg") else "n/a"


def _command_line(argv: Sequence[str] | None) -> str:
    words = list(sys.argv[1:] if argv is None else argv)
    script = Path(__file__).resolve()
    with contextlib.suppress(ValueError):
        script = script.relative_to(Path.cwd())
    return " ".join(["python", str(script), *words])


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_logged(command: Sequence[str | Path], *, cwd: Path, env: Mapping[str, str], log: Path, what: str) -> None:
    """Run with output appended to `log`; a failure raises BenchError naming the log."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as handle:
        handle.write(f"$ {' '.join(map(str, command))}  (in {cwd})\n".encode())
        handle.flush()
        result = subprocess.run(
            [str(part) for part in command], cwd=cwd, env=env, stdout=handle, stderr=subprocess.STDOUT, check=False
        )
    if result.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-15:]
        raise BenchError(f"{what} failed (exit {result.returncode}); log {log}:\n" + "\n".join(tail))


def bench_env(work: Path, tools: Tools) -> tuple[dict[str, str], tuple[Path, ...]]:
    """The environment of every timed command: own caches and config, no venv active.

    Every UV_* and POETRY_* variable of the caller is dropped, so the user's settings and
    caches take no part. `python3.X` first on PATH is the interpreter every tool uses.
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith(("UV_", "POETRY_"))}
    for name in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHONHOME", "PYTHONPATH"):
        env.pop(name, None)
    bindir = work / "bin"
    bindir.mkdir(parents=True, exist_ok=True)
    for name in (f"python{PY}", "poetry"):
        link = bindir / name
        target = tools.python if name.startswith("python") else tools.poetry
        if link.is_symlink() and Path(os.readlink(link)) == target:
            continue
        link.unlink(missing_ok=True)
        link.symlink_to(target)
    caches = (work / "cache" / "uv", work / "cache" / "poetry")
    for cache in caches:
        cache.mkdir(parents=True, exist_ok=True)
    env.update(
        PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",
        UV_CACHE_DIR=str(caches[0]),
        POETRY_CACHE_DIR=str(caches[1]),
        POETRY_CONFIG_DIR=str(work / "poetry-config"),
        POETRY_DATA_DIR=str(work / "poetry-data"),
        POETRY_VIRTUALENVS_IN_PROJECT="true",
    )
    return env, caches


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="sync_bench.py",
        description="Time devkit sync against poetry sync and uv sync (no-op, warm, cold); print a markdown table.",
    )
    parser.add_argument("--repeat", type=int, default=10, metavar="N", help="timed no-op runs per tool (default 10)")
    parser.add_argument(
        "--repeat-install", type=int, default=3, metavar="N", help="timed warm and cold runs per tool (default 3)"
    )
    parser.add_argument(
        "--scenarios", default=",".join(SCENARIOS), help="comma-separated subset of noop,warm,cold (default: all)"
    )
    parser.add_argument(
        "--poetry-installer",
        action="store_true",
        help="also time `devkit sync --installer poetry` on the Poetry project",
    )
    parser.add_argument("--write-readme", type=Path, metavar="PATH", help="replace the marked table block in PATH")
    parser.add_argument("--refresh", action="store_true", help="download the wheelhouse and lock the projects again")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="working folder (default bench/.work/sync)")
    args = parser.parse_args(argv)
    scenarios = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in scenarios if name not in SCENARIOS]
    if unknown or not scenarios:
        parser.error(f"--scenarios takes names from {', '.join(SCENARIOS)}; got {args.scenarios!r}")
    if args.repeat < 1 or args.repeat_install < 1:
        parser.error("--repeat and --repeat-install must be at least 1")
    args.scenarios = [name for name in SCENARIOS if name in scenarios]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    load_before, stalls_before = _load(), _stall_totals()
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    remove_tree(logs)
    try:
        python = _base_interpreter()
        tools = Tools(python=python, uv=find_uv(), poetry=find_poetry(), pip=find_pip(python))
        wheelhouse = prepare_wheelhouse(work, tools.pip, refresh=args.refresh)
        wheels = json.loads((wheelhouse / "complete.json").read_text())
        env, caches = bench_env(work, tools)
        # Every tool gets the interpreter by the same path: the link first on PATH.
        tools = dataclasses.replace(tools, python=work / "bin" / f"python{PY}")
        state_file = work / "state.json"
        state = json.loads(state_file.read_text()) if state_file.is_file() else {}
        with serve(wheelhouse, int(state.get("port", 0))) as server:
            state_file.write_text(json.dumps({"port": server.server_address[1]}) + "\n")
            progress(f"index on {server.url}: {len(server.dists)} wheels, {wheels['bytes'] / 1e6:.0f} MB")
            if args.refresh:
                remove_tree(work / "projects")
            projects = prepare_projects(work, tools, server.url, wheels["key"], env)
            chosen = contenders(work, projects, tools, poetry_installer=args.poetry_installer)
            bench = Bench(work=work, tools=tools, env=env, caches=caches, logs=logs)
            progress("first sync of every project (not timed; fills the caches)")
            for contender in chosen:
                bench.time(contender, "first")
            counts = {contender.label: len(installed_distributions(contender.root / ".venv")) for contender in chosen}
            sets = {frozenset(installed_distributions(contender.root / ".venv")) for contender in chosen}
            if len(sets) != 1:
                progress(f"warning: the tools installed different sets: {counts}")
            results: dict[str, dict[str, list[float]]] = {}
            for scenario in args.scenarios:
                repeat = args.repeat if scenario == "noop" else args.repeat_install
                progress(f"{scenario}: {repeat} timed runs per tool")
                results[scenario] = measure(bench, chosen, scenario, repeat)
    except BenchError as exc:
        progress(f"bench failed: {exc}")
        return 1
    poetry_lock = locked_packages(projects / "poetry" / "poetry.lock")
    uv_lock = locked_packages(projects / "uv" / "uv.lock")
    installed = counts["poetry"]
    facts = {
        "devkit": devkit_version(),
        "project": (
            f"{len(MAIN_DEPENDENCIES)} main + {len(DEV_DEPENDENCIES)} dev requirements; {installed} packages "
            f"installed (poetry.lock {poetry_lock}, uv.lock {uv_lock} entries), "
            f"{wheels['files']} wheels / {wheels['bytes'] / 1e6:.0f} MB served from 127.0.0.1"
        ),
        "runs": ", ".join(
            f"{scenario} x{args.repeat if scenario == 'noop' else args.repeat_install}" for scenario in results
        )
        + " per tool, medians",
        "elapsed": f"{time.perf_counter() - started:.0f} s",
        "load": f"{load_before} / {_load()}",
        "stalls": _stalls(stalls_before, time.perf_counter() - started),
        "command": _command_line(argv),
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }
    spread = ["Spread of the single runs:", "", *spread_table(results, chosen)]
    block = "\n".join([*table(results, chosen), "", *machine_facts(tools, facts), "", *spread]) + "\n"
    print(block)
    print("all timings (s):")
    for scenario, times in results.items():
        for label, values in times.items():
            print(f"  {scenario:5} {label:24} " + " ".join(f"{value:.3f}" for value in values))
    (work / "results.json").write_text(json.dumps({"results": results, "facts": facts}, indent=1) + "\n")
    if args.write_readme is not None:
        if write_readme(args.write_readme, block):
            progress(f"wrote the table into {args.write_readme}")
        else:
            progress(
                f"{args.write_readme}: no {START_MARKER} ... {END_MARKER} block (or no such file); nothing written"
            )
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
