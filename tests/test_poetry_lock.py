"""devkit's own reading of poetry.lock against real Poetry 2.5.1 and real uv.

The content-hash that decides freshness, direct references (path, file, url and git
dependencies), the fall-back to `poetry sync` for a lock devkit does not read, and the
index options devkit hands to uv. Every lock here is written by real `poetry lock`
against the session's loopback index (and, for the two-source project, a second one).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from devkit.env.installers import uv_pip
from devkit.env.locks import content_hash, poetry_lock
from tests.conftest import SessionCaches, isolate
from tests.support.index import RunningIndex, serve_index
from tests.support.proc import run
from tests.support.projects import (
    TEST_SOURCE_NAME,
    build_mirror_wheels,
    build_url_dependency_wheel,
    commit_all,
    lock_by_poetry,
    write_inhouse_package,
)
from tests.support.wheels import build_wheel

SEED = {"pip", "setuptools", "wheel"}
DEVKIT = [sys.executable, "-m", "devkit"]

# pyproject.toml variants for the content-hash, each locked once by real Poetry. The
# descriptions carry non-ASCII text: not part of the hash, but read by both parsers.
_SOURCE = '\n[[tool.poetry.source]]\nname = "testindex"\nurl = "@INDEX_URL@"\npriority = "primary"\n'
VARIANTS = {
    "pep621-project-only": """\
[project]
name = "pep621-app"
version = "0.1.0"
description = "Ünïcødé — déjà vu ☃"
requires-python = ">=3.11"
dependencies = [
    "alpha (<2)",
    "beta (==1.0) ; python_version < '3.12'",
    "beta (==2.0) ; python_version >= '3.12'",
]
"""
    + _SOURCE,
    "legacy-tool-poetry-only": """\
[tool.poetry]
name = "legacy-app"
version = "0.1.0"
description = "Ünïcødé — legacy ☃"
authors = ["Tëst Åuthor <author@example.invalid>"]
package-mode = false

[tool.poetry.dependencies]
python = "^3.11"
alpha = "<2"
beta = [
    { version = "1.0", python = "<3.12" },
    { version = "2.0", python = ">=3.12" },
]
eta = { version = "*", optional = true }

[tool.poetry.extras]
docs = ["eta"]

[tool.poetry.group.dev.dependencies]
epsilon = "*"
"""
    + _SOURCE,
    "pep735-groups-and-extras": """\
[project]
name = "groups-app"
version = "0.1.0"
description = "PEP 735 — ünïcødé"
requires-python = ">=3.11"
dependencies = ["alpha (<2)"]

[project.optional-dependencies]
docs = ["eta"]

[dependency-groups]
test = ["epsilon"]
dev = [{ include-group = "test" }, "delta ; sys_platform == 'linux'"]
"""
    + _SOURCE,
    "nothing-to-lock": """\
[project]
name = "empty-app"
version = "0.1.0"
description = "no dependencies at all — ∅"
""",
}
# Projects locked by other fixtures, whose hashes are checked too.
LOCKED_ELSEWHERE = ("poetry-groups", "direct-references", "two-sources")

# One text edit per project that adds a dependency: (present text, replacement).
ADD_DEPENDENCY = {
    "pep621-project-only": ('"alpha (<2)",\n', '"alpha (<2)",\n    "gamma",\n'),
    "legacy-tool-poetry-only": ('alpha = "<2"\n', 'alpha = "<2"\ngamma = "*"\n'),
    "pep735-groups-and-extras": ('test = ["epsilon"]', 'test = ["epsilon", "gamma"]'),
    "nothing-to-lock": ('version = "0.1.0"\n', 'version = "0.1.0"\ndependencies = ["gamma"]\n'),
    "poetry-groups": ('eta = "*"\n', 'eta = "*"\ngamma = "*"\n'),
}

# The direct-references project: every kind of direct reference Poetry locks, beside an
# index package. windows-lib (optional group) is editable and Windows-only.
DIRECT_DEPENDENCIES = ("alpha (<2)", "editable-lib", "plain-lib", "file-dep", "url-dep", "git-lib")
DIRECT_TOOL_TABLES = (
    """\
[tool.poetry.dependencies]
editable-lib = { path = "libs/editable-lib", develop = true }
plain-lib = { path = "libs/plain-lib", develop = false }
file-dep = { path = "wheels/file_dep-1.0-py3-none-any.whl" }
url-dep = { url = "@URL_DEPENDENCY@" }
git-lib = { git = "@GIT_URL@" }

[tool.poetry.group.windows]
optional = true

[tool.poetry.group.windows.dependencies]
windows-lib = { path = "libs/windows-lib", develop = true, markers = "sys_platform == 'win32'" }
"""
    + _SOURCE
)

# The two-source project: theta only from the explicit "mirror" source, which also
# offers alpha 2.0; the project wants alpha<2, which only the primary source has.
# URLs without the trailing slash, the form Poetry writes into the lock.
TWO_SOURCE_TOOL_TABLES = """\
[tool.poetry.dependencies]
theta = { source = "mirror" }

[[tool.poetry.source]]
name = "testindex"
url = "@INDEX_URL@"
priority = "primary"

[[tool.poetry.source]]
name = "mirror"
url = "@MIRROR_URL@"
priority = "explicit"
"""


@contextmanager
def isolated(tmp_path_factory: pytest.TempPathFactory, caches: SessionCaches) -> Iterator[None]:
    """The per-test isolation, for module fixtures (set up before it applies)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("module-home"), caches)
        yield


def poetry_finds_fresh(root: Path, poetry: Path) -> bool:
    """Whether `poetry check --lock` accepts the lock."""
    env = dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="false")
    result = run([poetry, "check", "--lock"], cwd=root, env=env, check=False)
    if result.returncode != 0:
        assert "changed significantly since poetry.lock was last generated" in result.stderr, result.stderr
    return result.returncode == 0


def devkit_finds_fresh(root: Path) -> bool:
    with (root / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)
    lock = poetry_lock.read(root / "poetry.lock")
    return content_hash.is_fresh(pyproject, lock.content_hash, lock.header)


def lock_metadata(root: Path) -> dict[str, Any]:
    with (root / "poetry.lock").open("rb") as handle:
        metadata: dict[str, Any] = tomllib.load(handle)["metadata"]
    return metadata


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def poetry_sync(project: Path, poetry: Path, *args: str) -> None:
    """What a team without devkit runs: `poetry sync` into a .venv made first.

    Made without pip: Poetry does not need it there, and ensurepip costs seconds.
    """
    run(["python3.11", "-m", "venv", "--without-pip", ".venv"], cwd=project)
    env = dict(os.environ, POETRY_VIRTUALENVS_IN_PROJECT="true")
    run([poetry, "sync", "--no-interaction", *args], cwd=project, env=env)


def devkit(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run([*DEVKIT, *args], cwd=project, check=False)


def installed(project: Path, uv: Path) -> set[tuple[str, str, bool]]:
    """Every distribution in the project's .venv as (name, version, editable), seed packages aside."""
    listing = run([uv, "pip", "list", "--python", project / ".venv/bin/python", "--format", "json"], cwd=project)
    entries = json.loads(listing.stdout)
    return {(e["name"], e["version"], "editable_project_location" in e) for e in entries if e["name"] not in SEED}


def stamped_installer(project: Path) -> str:
    return str(json.loads((project / ".venv/devkit-stamp.json").read_text())["installer"])


@pytest.fixture(scope="session")
def url_dependency(wheelhouse: Path, index_url: str) -> str:
    """The URL of a wheel on the session index, for a `{ url = ... }` dependency."""
    wheel = build_url_dependency_wheel(wheelhouse)
    return f"{index_url.removesuffix('simple/')}files/{wheel.name}"


@pytest.fixture(scope="module")
def mirror_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningIndex]:
    """A second loopback index: theta 1.0 and alpha 2.0."""
    wheelhouse = tmp_path_factory.mktemp("mirror-wheelhouse")
    build_mirror_wheels(wheelhouse)
    with serve_index(wheelhouse) as running:
        yield running


@pytest.fixture(scope="module")
def variant_templates(
    tmp_path_factory: pytest.TempPathFactory, session_caches: SessionCaches, poetry: Path, index_url: str
) -> dict[str, Path]:
    """Each of VARIANTS written and locked by `poetry lock`."""
    base = tmp_path_factory.mktemp("hash-variants")
    roots = {}
    with isolated(tmp_path_factory, session_caches):
        for name, text in VARIANTS.items():
            root = base / name
            root.mkdir()
            (root / "pyproject.toml").write_text(text.replace("@INDEX_URL@", index_url), encoding="utf-8")
            lock_by_poetry(root, poetry)
            roots[name] = root
    return roots


@pytest.fixture(scope="module")
def direct_template(
    tmp_path_factory: pytest.TempPathFactory,
    session_caches: SessionCaches,
    poetry: Path,
    index_url: str,
    url_dependency: str,
) -> Path:
    """The direct-references project, locked; its git dependency has moved on since."""
    base = tmp_path_factory.mktemp("direct-template")
    repo = base / "git-lib"
    write_inhouse_package(repo, "git-lib", "1.2.0", requires_python=">=3.8")
    root = base / "direct-app"
    write_inhouse_package(root / "libs/editable-lib", "editable-lib", "0.3.0")
    write_inhouse_package(root / "libs/plain-lib", "plain-lib", "0.4.0")
    write_inhouse_package(root / "libs/windows-lib", "windows-lib", "0.5.0")
    build_wheel(root / "wheels", "file-dep", "1.0")
    tables = DIRECT_TOOL_TABLES.replace("@INDEX_URL@", index_url).replace("@URL_DEPENDENCY@", url_dependency)
    tables = tables.replace("@GIT_URL@", repo.as_uri())
    write_inhouse_package(root, "direct-app", "0.1.0", dependencies=DIRECT_DEPENDENCIES, more_toml=tables)
    with isolated(tmp_path_factory, session_caches):
        commit_all(repo, "git-lib 1.2.0")
        lock_by_poetry(root, poetry)
        write_inhouse_package(repo, "git-lib", "1.3.0", requires_python=">=3.8")
        commit_all(repo, "git-lib 1.3.0, newer than the lock")
    return root


@pytest.fixture(scope="module")
def two_source_template(
    tmp_path_factory: pytest.TempPathFactory,
    session_caches: SessionCaches,
    poetry: Path,
    index_url: str,
    mirror_index: RunningIndex,
) -> Path:
    """A project locked against two sources: the primary test index and an explicit mirror."""
    root = tmp_path_factory.mktemp("two-sources") / "two-app"
    tables = TWO_SOURCE_TOOL_TABLES.replace("@INDEX_URL@", index_url.rstrip("/"))
    tables = tables.replace("@MIRROR_URL@", mirror_index.url.rstrip("/"))
    write_inhouse_package(root, "two-app", "0.1.0", dependencies=("alpha (<2)", "theta"), more_toml=tables)
    with isolated(tmp_path_factory, session_caches):
        lock_by_poetry(root, poetry)
    return root


@pytest.fixture(scope="module")
def locked_projects(
    variant_templates: dict[str, Path], parity_template: Path, direct_template: Path, two_source_template: Path
) -> dict[str, Path]:
    """Every project Poetry locked for this module, by variant name (templates: copy before editing)."""
    elsewhere = dict(zip(LOCKED_ELSEWHERE, (parity_template, direct_template, two_source_template), strict=True))
    return {**variant_templates, **elsewhere}


@pytest.fixture
def direct_project(direct_template: Path, tmp_path: Path) -> Path:
    project = tmp_path / "direct-app"
    shutil.copytree(direct_template, project)
    return project


# --- content-hash -------------------------------------------------------------------


@pytest.mark.parametrize("variant", [*VARIANTS, *LOCKED_ELSEWHERE])
def test_content_hash_equals_the_one_poetry_wrote(variant: str, locked_projects: Mapping[str, Path]) -> None:
    root = locked_projects[variant]
    with (root / "pyproject.toml").open("rb") as handle:
        pyproject = tomllib.load(handle)

    assert content_hash.compute(pyproject) == lock_metadata(root)["content-hash"]


@pytest.mark.parametrize("variant", list(ADD_DEPENDENCY))
@pytest.mark.parametrize(("change", "fresh"), [("tool-settings-and-description", True), ("dependency-added", False)])
def test_devkit_and_poetry_agree_whether_an_edit_makes_the_lock_stale(
    variant: str, change: str, fresh: bool, locked_projects: Mapping[str, Path], tmp_path: Path, poetry: Path
) -> None:
    project = tmp_path / variant
    shutil.copytree(locked_projects[variant], project, ignore=shutil.ignore_patterns(".venv"))
    pyproject = project / "pyproject.toml"
    if change == "dependency-added":
        edit(pyproject, *ADD_DEPENDENCY[variant])
    else:
        text = pyproject.read_text(encoding="utf-8")
        text, count = re.subn(r"(?m)^description = .*$", 'description = "rewritten: ça change ✎"', text)
        assert count == 1
        pyproject.write_text(text + "\n[tool.ruff]\nline-length = 99\n", encoding="utf-8")

    assert (devkit_finds_fresh(project), poetry_finds_fresh(project, poetry)) == (fresh, fresh)


@pytest.mark.parametrize("writer", ["2.2.1", "2.3.0b1", "2.3.0", "2.5.1"])
def test_lock_hashed_without_dependency_groups_is_fresh_exactly_when_poetry_says_so(
    writer: str, locked_projects: Mapping[str, Path], tmp_path: Path, poetry: Path
) -> None:
    """Before 2.3 Poetry left [dependency-groups] out of the hash; such locks stay fresh."""
    project = tmp_path / "groups-app"
    shutil.copytree(locked_projects["pep735-groups-and-extras"], project)
    with (project / "pyproject.toml").open("rb") as handle:
        old_hash = content_hash.compute(tomllib.load(handle), with_dependency_groups=False)
    lock = project / "poetry.lock"
    edit(lock, "by Poetry 2.5.1 ", f"by Poetry {writer} ")
    edit(lock, f'content-hash = "{lock_metadata(project)["content-hash"]}"', f'content-hash = "{old_hash}"')

    poetry_fresh = poetry_finds_fresh(project, poetry)

    assert devkit_finds_fresh(project) == poetry_fresh
    assert poetry_fresh == (writer in ("2.2.1", "2.3.0b1"))  # what Poetry 2.5.1 does


# --- direct references --------------------------------------------------------------


def test_direct_references_install_what_poetry_sync_installs(
    direct_project: Path, tmp_path: Path, poetry: Path, uv: Path
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(direct_project, reference)
    poetry_sync(reference, poetry)

    result = devkit(direct_project, "sync")

    assert result.returncode == 0, result.stderr
    ours = installed(direct_project, uv)
    assert ours == installed(reference, uv)
    assert {
        ("alpha", "1.0", False),
        ("editable-lib", "0.3.0", True),
        ("plain-lib", "0.4.0", False),
        ("file-dep", "1.0", False),
        ("url-dep", "1.0", False),
        ("git-lib", "1.2.0", False),  # the locked commit, not the repository's newer head
    } <= ours


def test_develop_path_dependency_is_editable_and_the_other_is_a_copy(direct_project: Path) -> None:
    assert devkit(direct_project, "sync").returncode == 0, "sync failed"
    for name in ("editable_lib", "plain_lib"):
        (direct_project / "libs" / name.replace("_", "-") / name / "__init__.py").write_text('VALUE = "edited"\n')

    shown = run(
        [".venv/bin/python", "-c", "import editable_lib, plain_lib; print(editable_lib.VALUE, '|', plain_lib.VALUE)"],
        cwd=direct_project,
    )

    assert shown.stdout.strip() == "edited | plain-lib 0.4.0"


def test_develop_path_dependency_follows_its_platform_marker(
    direct_project: Path, tmp_path: Path, poetry: Path, uv: Path
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(direct_project, reference)
    poetry_sync(reference, poetry, "--with", "windows")

    result = devkit(direct_project, "sync", "--with", "windows")

    assert result.returncode == 0, result.stderr
    ours = installed(direct_project, uv)
    assert ours == installed(reference, uv)
    assert "windows-lib" not in {name for name, _, _ in ours}  # locked for sys_platform == 'win32' only


# --- lock-version fall-back ---------------------------------------------------------


def test_lock_version_2_0_is_installed_by_poetry_sync_after_a_note(
    parity_project: Path, tmp_path: Path, uv: Path
) -> None:
    current = tmp_path / "current"
    shutil.copytree(parity_project, current)
    assert devkit(current, "sync").returncode == 0, "sync of the 2.1 lock failed"
    edit(parity_project / "poetry.lock", 'lock-version = "2.1"', 'lock-version = "2.0"')

    result = devkit(parity_project, "sync")

    assert result.returncode == 0, result.stderr
    notes = [line for line in result.stderr.splitlines() if "note:" in line]
    assert len(notes) == 1, result.stderr
    assert "lock-version 2.0" in notes[0]
    assert "`poetry sync`" in notes[0]
    assert installed(parity_project, uv) == installed(current, uv)
    assert stamped_installer(parity_project) == "poetry"
    assert stamped_installer(current) == "uv"


def test_installer_poetry_resyncs_a_uv_synced_venv_to_the_same_set(parity_project: Path, uv: Path) -> None:
    assert devkit(parity_project, "sync").returncode == 0, "sync with uv failed"
    by_uv = installed(parity_project, uv)

    result = devkit(parity_project, "sync", "--installer", "poetry")

    assert result.returncode == 0, result.stderr
    assert "with poetry" in result.stderr
    assert stamped_installer(parity_project) == "poetry"
    assert installed(parity_project, uv) == by_uv


# --- uv's index options -------------------------------------------------------------


def uv_indexes(arguments: list[str]) -> list[tuple[str, str]]:
    """The indexes uv consults, first choice first, as (name, URL without a trailing slash).

    uv's order: every `--index` in the order given, then `--default-index`.
    """
    pairs = list(zip(arguments[::2], arguments[1::2], strict=True))
    assert {flag for flag, _ in pairs} <= {"--index", "--default-index"}, arguments
    ordered = [value for flag, value in pairs if flag == "--index"]
    ordered += [value for flag, value in pairs if flag == "--default-index"]
    named = [value.partition("=") if re.match(r"^[A-Za-z0-9_-]+=", value) else ("", "", value) for value in ordered]
    return [(name, url.rstrip("/")) for name, _, url in named]


def index_arguments_for(project: Path, lock: Path) -> list[str]:
    with (project / "pyproject.toml").open("rb") as handle:
        sources = uv_pip.declared_sources(tomllib.load(handle))
    return uv_pip.index_arguments(sources, poetry_lock.read(lock).packages)


def without_source(lock_text: str, name: str) -> str:
    """`lock_text` with the [package.source] block of package `name` deleted."""
    head, *entries = lock_text.split("[[package]]\n")
    changed = []
    for entry in entries:
        if entry.startswith(f'name = "{name}"\n'):
            before, found, after = entry.partition("[package.source]\n")
            assert found, entry
            entry = before + after.partition("\n\n")[2]
        changed.append(entry)
    return "[[package]]\n".join([head, *changed])


def test_all_sourced_lock_leaves_uv_only_the_test_index(parity_template: Path, index_url: str) -> None:
    arguments = index_arguments_for(parity_template, parity_template / "poetry.lock")

    assert arguments[0] == "--default-index"  # replaces uv's default: no other index is asked
    assert [url for _, url in uv_indexes(arguments)] == [index_url.rstrip("/")]


def test_uv_index_keeps_the_source_name_credentials_are_keyed_by(parity_template: Path, index_url: str) -> None:
    """uv applies UV_INDEX_<NAME>_USERNAME/PASSWORD (mapped from Poetry's) to named indexes only."""
    arguments = index_arguments_for(parity_template, parity_template / "poetry.lock")

    assert uv_indexes(arguments) == [(TEST_SOURCE_NAME, index_url.rstrip("/"))], arguments


def test_lock_with_an_unsourced_package_adds_the_test_index_beside_uvs_default(
    parity_template: Path, tmp_path: Path, index_url: str
) -> None:
    lock = tmp_path / "poetry.lock"
    lock.write_text(without_source((parity_template / "poetry.lock").read_text(), "alpha"))
    unsourced = [package.name for package in poetry_lock.read(lock).packages if package.source is None]
    assert unsourced == ["alpha"]

    arguments = index_arguments_for(parity_template, lock)

    assert arguments[::2] == ["--index"]  # uv's default index stays, for alpha
    assert [url for _, url in uv_indexes(arguments)] == [index_url.rstrip("/")]


def test_uv_asks_the_sources_in_poetrys_priority_order(
    two_source_template: Path, index_url: str, mirror_index: RunningIndex
) -> None:
    arguments = index_arguments_for(two_source_template, two_source_template / "poetry.lock")

    expected = [("testindex", index_url.rstrip("/")), ("mirror", mirror_index.url.rstrip("/"))]
    assert uv_indexes(arguments) == expected, arguments


def test_explicit_source_does_not_hide_the_primary_sources_versions(
    two_source_template: Path, tmp_path: Path, poetry: Path, uv: Path
) -> None:
    project = tmp_path / "two-app"
    shutil.copytree(two_source_template, project)
    reference = tmp_path / "reference"
    shutil.copytree(two_source_template, reference)
    poetry_sync(reference, poetry)

    result = devkit(project, "sync")

    assert result.returncode == 0, result.stderr
    assert installed(project, uv) == installed(reference, uv)
    assert {("alpha", "1.0", False), ("theta", "1.0", False)} <= installed(project, uv)
