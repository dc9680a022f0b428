"""Sample projects for the devkit tests, and the wheels their dependencies need.

The "parity" project is a Poetry project whose lock exercises the cases devkit
must reproduce with uv exactly as Poetry installs them:

* main group: ``alpha<2`` (``alpha 2.0`` is a decoy in the index), ``beta``
  locked twice under exclusive markers (1.0 below Python 3.12, 2.0 from 3.12),
  ``gamma`` only on Windows (never installed on Linux), ``delta`` only on Linux;
* group ``dev``: ``epsilon``, which requires ``zeta`` (``zeta 2.0`` is a decoy
  whose ``Requires-Python`` no real interpreter satisfies);
* optional group ``docs``: ``eta``;
* extra ``serve``: ``iota``, which requires ``kappa``; extra ``fast``: ``kappa`` and,
  from Python 3.12, ``lam`` (so ``kappa`` belongs to both extras).

Its build backend lives in the project (``_backend/inhouse_backend.py``,
stdlib only), so installing the root project, editable or not, needs nothing
from any index.
"""

from __future__ import annotations

import os
import re
import shutil
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tests.support.proc import run
from tests.support.wheels import build_wheel

EXAMPLE_WHEELS_MISSING = (
    "the example's wheels are not in the test index: set DEVKIT_TEST_WHEELS to a folder of the "
    "locked wheels of devkit and examples/ml-service (bash .ci/run fetches them)"
)
PARITY_NAME = "parity-app"
PARITY_VERSION = "0.1.0"
SOURCE = Path(__file__).resolve().parent.parent.parent
TEST_SOURCE_NAME = "testindex"

_PARITY_PYPROJECT = """\
[project]
name = "parity-app"
version = "0.1.0"
description = "devkit parity test project"
requires-python = ">=3.11"
dependencies = [
    "alpha (<2)",
    "beta (==1.0) ; python_version < '3.12'",
    "beta (==2.0) ; python_version >= '3.12'",
    "gamma ; sys_platform == 'win32'",
    "delta ; sys_platform == 'linux'",
]

[project.optional-dependencies]
serve = ["iota"]
fast = ["kappa", "lam ; python_version >= '3.12'"]

[tool.poetry.group.dev.dependencies]
epsilon = "*"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
eta = "*"

[[tool.poetry.source]]
name = "{source_name}"
url = "{index_url}"
priority = "primary"

[build-system]
requires = []
build-backend = "inhouse_backend"
backend-path = ["_backend"]
"""

INHOUSE_BACKEND_SOURCE = '''\
"""In-tree PEP 517 / PEP 660 build backend, standard library only.

Reads [project] name, version, requires-python and dependencies from
pyproject.toml in the current directory (the source tree, per PEP 517) and
packs the package directory named after the distribution.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import tomllib
import zipfile
from pathlib import Path

_TAG = "py3-none-any"
_EPOCH = (1980, 1, 1, 0, 0, 0)


def _project() -> dict[str, object]:
    with open("pyproject.toml", "rb") as handle:
        project: dict[str, object] = tomllib.load(handle)["project"]
    return project


def _dist_and_version() -> tuple[str, str]:
    project = _project()
    name = re.sub(r"[-_.]+", "_", str(project["name"])).lower()
    return name, str(project["version"])


def _metadata() -> bytes:
    project = _project()
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}"]
    if "requires-python" in project:
        lines.append(f"Requires-Python: {project['requires-python']}")
    dependencies = project.get("dependencies", [])
    assert isinstance(dependencies, list)
    lines.extend(f"Requires-Dist: {dep}" for dep in dependencies)
    return ("\\n".join(lines) + "\\n").encode()


def _wheel_info() -> bytes:
    lines = ["Wheel-Version: 1.0", "Generator: inhouse_backend", "Root-Is-Purelib: true"]
    return ("\\n".join([*lines, f"Tag: {_TAG}"]) + "\\n").encode()


def _dist_info_files() -> dict[str, bytes]:
    dist, version = _dist_and_version()
    info = f"{dist}-{version}.dist-info"
    return {f"{info}/METADATA": _metadata(), f"{info}/WHEEL": _wheel_info()}


def _hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def _write_wheel(directory: str, payload: dict[str, bytes]) -> str:
    dist, version = _dist_and_version()
    members = sorted(payload.items()) + sorted(_dist_info_files().items())
    record_name = f"{dist}-{version}.dist-info/RECORD"
    rows = [f"{name},{_hash(data)},{len(data)}" for name, data in members]
    members.append((record_name, ("\\n".join([*rows, record_name + ",,"]) + "\\n").encode()))
    filename = f"{dist}-{version}-{_TAG}.whl"
    with zipfile.ZipFile(os.path.join(directory, filename), "w") as archive:
        for name, data in members:
            member = zipfile.ZipInfo(name, date_time=_EPOCH)
            member.external_attr = 0o644 << 16
            member.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(member, data)
    return filename


def _package_files() -> dict[str, bytes]:
    root = Path.cwd()
    dist, _ = _dist_and_version()
    files = {}
    for path in sorted((root / dist).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def get_requires_for_build_wheel(config_settings: object = None) -> list[str]:
    """Nothing is needed to build a wheel."""
    return []


def get_requires_for_build_editable(config_settings: object = None) -> list[str]:
    """Nothing is needed to build an editable wheel."""
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str, config_settings: object = None) -> str:
    """Write the .dist-info folder (METADATA, WHEEL) and return its name."""
    files = _dist_info_files()
    for name, data in files.items():
        target = Path(metadata_directory, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return next(iter(files)).split("/")[0]


def prepare_metadata_for_build_editable(metadata_directory: str, config_settings: object = None) -> str:
    """Same metadata as for a regular wheel."""
    return prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory: str, config_settings: object = None, metadata_directory: object = None) -> str:
    """Build a regular wheel holding the package directory."""
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory: str, config_settings: object = None, metadata_directory: object = None) -> str:
    """Build a PEP 660 editable wheel: one .pth file adding the source tree to sys.path."""
    dist, version = _dist_and_version()
    pth = f"__editable__.{dist}-{version}.pth"
    return _write_wheel(wheel_directory, {pth: (str(Path.cwd()) + "\\n").encode()})
'''


def write_parity_project(root: Path, index_url: str) -> None:
    """Write the parity project (pyproject, package, in-tree backend) into *root*.

    The project's only package source is *index_url* (``testindex``, primary).
    """
    root.mkdir(parents=True, exist_ok=True)
    pyproject = _PARITY_PYPROJECT.format(source_name=TEST_SOURCE_NAME, index_url=index_url)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    backend_dir = root / "_backend"
    backend_dir.mkdir(exist_ok=True)
    (backend_dir / "inhouse_backend.py").write_text(INHOUSE_BACKEND_SOURCE, encoding="utf-8")
    package = root / "parity_app"
    package.mkdir(exist_ok=True)
    init = f'"""The parity test application."""\n\n__version__ = "{PARITY_VERSION}"\n'
    (package / "__init__.py").write_text(init, encoding="utf-8")


def build_parity_wheels(wheelhouse: Path) -> list[Path]:
    """Build every wheel the parity project's lock and installs need, decoys included."""
    specs: list[tuple[str, str, list[str], str | None]] = [
        ("alpha", "1.0", [], None),
        ("alpha", "2.0", [], None),  # decoy: the project asks for alpha<2
        ("beta", "1.0", [], ">=3.8"),
        ("beta", "2.0", [], ">=3.12"),
        ("gamma", "1.0", [], None),
        ("delta", "1.0", [], None),
        ("epsilon", "1.0", ["zeta"], None),
        ("zeta", "1.0", [], ">=3.8"),
        ("zeta", "2.0", [], ">=3.99"),  # decoy: no interpreter satisfies it
        ("eta", "1.0", [], None),
        ("iota", "1.0", ["kappa"], None),
        ("kappa", "1.0", [], None),
        ("lam", "1.0", [], None),
    ]
    return [
        build_wheel(wheelhouse, name, version, requires=requires, requires_python=python)
        for name, version, requires, python in specs
    ]


@dataclass(frozen=True)
class LockedPackage:
    """One ``[[package]]`` entry of a poetry.lock, typed."""

    name: str
    version: str
    groups: tuple[str, ...]
    markers: str | None
    source: Mapping[str, str]


@dataclass(frozen=True)
class PoetryLock:
    """The parts of a poetry.lock the tests look at."""

    lock_version: str
    python_versions: str
    packages: tuple[LockedPackage, ...]

    def versions(self, name: str) -> list[str]:
        """Return the locked versions of *name*, in lock order."""
        return [package.version for package in self.packages if package.name == name]


def _table(value: object) -> dict[str, object]:
    assert isinstance(value, dict), value
    return {str(key): item for key, item in value.items()}


def _strings(value: object) -> list[str]:
    assert isinstance(value, list), value
    return [str(item) for item in value]


def _locked_package(entry: object) -> LockedPackage:
    table = _table(entry)
    markers = table.get("markers")
    source = _table(table.get("source", {}))
    return LockedPackage(
        name=str(table["name"]),
        version=str(table["version"]),
        groups=tuple(_strings(table.get("groups", []))),
        markers=None if markers is None else str(markers),
        source={key: str(item) for key, item in source.items()},
    )


def read_poetry_lock(root: Path) -> PoetryLock:
    """Parse ``root/poetry.lock`` into a ``PoetryLock``."""
    data: dict[str, object] = tomllib.loads((root / "poetry.lock").read_text(encoding="utf-8"))
    metadata = _table(data["metadata"])
    packages = data.get("package", [])
    assert isinstance(packages, list), packages
    return PoetryLock(
        lock_version=str(metadata["lock-version"]),
        python_versions=str(metadata["python-versions"]),
        packages=tuple(_locked_package(entry) for entry in packages),
    )


def lock_by_poetry(root: Path, poetry: Path) -> None:
    """Run ``poetry lock`` in *root* with the current (test-isolated) environment.

    ``virtualenvs.in-project`` is forced off: Poetry 2.5.1 creates a virtualenv even for
    ``lock``, and with in-project on it would create ``root/.venv`` (with pip) as a side effect.
    """
    run([poetry, "lock", "--no-interaction"], cwd=root, env=dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="false"))


def lock_with_poetry(root: Path, poetry: Path) -> None:
    """Run ``poetry lock`` in *root* and check the lock's shape.

    Asserts lock-version 2.1, two ``beta`` entries and that every package comes
    from the ``testindex`` source.
    """
    lock_by_poetry(root, poetry)
    lock = read_poetry_lock(root)
    assert lock.lock_version == "2.1", lock
    assert lock.versions("beta") == ["1.0", "2.0"], lock
    references = {package.source.get("reference") for package in lock.packages}
    assert references == {TEST_SOURCE_NAME}, lock


def build_url_dependency_wheel(wheelhouse: Path) -> Path:
    """Build ``url-dep 1.0``, the wheel a ``{ url = ... }`` dependency names by its ``/files/`` URL."""
    return build_wheel(wheelhouse, "url-dep", "1.0")


def build_mirror_wheels(wheelhouse: Path) -> list[Path]:
    """Wheels for a second index: ``theta 1.0``, found only there, and ``alpha 2.0``, which projects exclude."""
    return [build_wheel(wheelhouse, "theta", "1.0"), build_wheel(wheelhouse, "alpha", "2.0")]


def write_inhouse_package(
    root: Path,
    name: str,
    version: str,
    *,
    requires_python: str = ">=3.11",
    dependencies: tuple[str, ...] = (),
    more_toml: str = "",
) -> None:
    """Write a project that builds with the in-tree backend (no index needed) into *root*.

    Its package (named after the distribution) defines ``VALUE = "NAME VERSION"``.
    *more_toml* (tool tables) goes between ``[project]`` and ``[build-system]``.
    """
    import json

    from tests.support.wheels import normalize_dist

    root.mkdir(parents=True, exist_ok=True)
    project = (
        f"[project]\nname = {json.dumps(name)}\nversion = {json.dumps(version)}\n"
        f"description = {json.dumps(f'{name}, built in-tree')}\n"
        f"requires-python = {json.dumps(requires_python)}\ndependencies = {json.dumps(list(dependencies))}\n"
    )
    backend = '[build-system]\nrequires = []\nbuild-backend = "inhouse_backend"\nbackend-path = ["_backend"]\n'
    (root / "pyproject.toml").write_text(f"{project}\n{more_toml}\n{backend}", encoding="utf-8")
    (root / "_backend").mkdir(exist_ok=True)
    (root / "_backend" / "inhouse_backend.py").write_text(INHOUSE_BACKEND_SOURCE, encoding="utf-8")
    package = root / normalize_dist(name)
    package.mkdir(exist_ok=True)
    (package / "__init__.py").write_text(f"VALUE = {json.dumps(f'{name} {version}')}\n", encoding="utf-8")


def commit_all(repo: Path, message: str) -> str:
    """Commit everything in *repo* (made a git repository on first use); return the commit id."""
    if not (repo / ".git").exists():
        run(["git", "init", "--quiet", "--initial-branch=main"], cwd=repo)
    run(["git", "add", "--all"], cwd=repo)
    run(["git", "commit", "--quiet", "--message", message], cwd=repo)
    return run(["git", "rev-parse", "HEAD"], cwd=repo).stdout.strip()


def link_checkout(root: Path) -> Path:
    """A folder holding this checkout's devkit sources (linked), like the example's `../..`."""
    (root / "examples").mkdir(parents=True)
    for name in ("devkit", "make", "hooks", "lint.toml", "pyproject.toml", "README.md"):
        if (SOURCE / name).exists():
            (root / name).symlink_to(SOURCE / name)
    return root


def copy_example(checkout: Path) -> Path:
    """A clean copy of examples/ml-service inside `checkout`: what a fresh clone has."""
    project = checkout / "examples/ml-service"
    ignored = shutil.ignore_patterns(".venv", ".devkit", "*_cache", ".coverage*", "__pycache__", "dist")
    shutil.copytree(SOURCE / "examples/ml-service", project, ignore=ignored)
    return project


def without_images(project: Path) -> None:
    """`project` without `[tool.devkit.image]`: its pipeline has no image jobs.

    They build with Docker-in-Docker, which gitlab-ci-local cannot start here
    (tests/test_image.py runs their commands).
    """
    pyproject = project / "pyproject.toml"
    pyproject.write_text(re.sub(r"\n\[tool\.devkit\.image\][^\n]*\n", "\n", pyproject.read_text()))
