"""Tests of the test infrastructure itself: wheels, the loopback index, uv and Poetry."""

from __future__ import annotations

import base64
import csv
import hashlib
import html
import http.client
import io
import json
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urljoin

import pytest

from tests.support.index import serve_index
from tests.support.proc import run
from tests.support.projects import lock_with_poetry, read_poetry_lock, write_parity_project
from tests.support.wheels import build_wheel

# Packages a venv may be seeded with (``python -m venv`` seeds pip, and on 3.11
# setuptools). They are left out when comparing installed sets, but only if
# present: nothing requires them to be there.
SEED_PACKAGES = frozenset({"pip", "setuptools", "wheel"})

POETRY_DEFAULT_SET = {
    "alpha": "1.0",
    "beta": "1.0",
    "delta": "1.0",
    "epsilon": "1.0",
    "parity-app": "0.1.0",
    "zeta": "1.0",
}


def _python311() -> str:
    found = shutil.which("python3.11")
    if found is None:
        pytest.fail("python3.11 not found on PATH")
    return found


def _fetch(url: str) -> tuple[int, bytes]:
    """GET *url* (following redirects); return (status, body), body empty on errors."""
    try:
        opened: http.client.HTTPResponse = urllib.request.urlopen(url, timeout=10)
    except urllib.error.HTTPError as error:
        return error.code, b""
    with opened as response:
        return response.status, response.read()


def _installed(uv: Path, python: Path) -> dict[str, str]:
    """Return {name: version} of what is installed for *python*, per ``uv pip list``."""
    result = run([uv, "pip", "list", "--python", python, "--format", "json"], cwd=python.parent)
    rows: object = json.loads(result.stdout)
    assert isinstance(rows, list), rows
    found: dict[str, str] = {}
    for row in rows:
        assert isinstance(row, dict), row
        found[str(row["name"])] = str(row["version"])
    return found


def _without_seeds(packages: dict[str, str]) -> dict[str, str]:
    return {name: ver for name, ver in packages.items() if name not in SEED_PACKAGES}


def _record_rows(wheel: Path) -> list[list[str]]:
    with zipfile.ZipFile(wheel) as archive:
        record = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        return list(csv.reader(io.StringIO(archive.read(record).decode())))


def test_wheel_is_reproducible_and_records_hashes(tmp_path: Path) -> None:
    """Same inputs give the same bytes; RECORD hashes match; names are normalized."""
    first = build_wheel(tmp_path / "a", "Foo.Bar-Baz", "1.2", requires=["alpha<2"])
    second = build_wheel(tmp_path / "b", "Foo.Bar-Baz", "1.2", requires=["alpha<2"])
    assert first.name == "foo_bar_baz-1.2-py3-none-any.whl"
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        assert b'__version__ = "1.2"\n' in archive.read("foo_bar_baz.py")
        for name, digest, size in _record_rows(first):
            if digest:
                data = archive.read(name)
                expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
                assert (digest, int(size)) == ("sha256=" + expected.decode(), len(data))


def test_index_pages_follow_pep_503(tmp_path: Path) -> None:
    """Project list, per-project links with hash and escaped requires-python, files, 404s."""
    wheel = build_wheel(tmp_path, "Some_Thing", "1.0", requires_python=">=3.8,<4")
    with serve_index(tmp_path) as index:
        status, root = _fetch(index.url)
        assert status == 200
        assert b'<a href="some-thing/">some-thing</a>' in root
        status, page = _fetch(index.url + "Some.Thing")  # redirected to the normalized name
        digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
        href = f"../../files/{wheel.name}#sha256={digest}"
        escaped = html.escape(">=3.8,<4")
        assert f'href="{href}" data-requires-python="{escaped}"'.encode() in page
        file_url = urljoin(index.url + "some-thing/", href.split("#")[0])
        assert _fetch(file_url) == (200, wheel.read_bytes())
        assert _fetch(index.url + "missing/")[0] == 404


def test_index_sees_wheels_added_after_start(tmp_path: Path) -> None:
    """Pages are computed per request."""
    with serve_index(tmp_path) as index:
        assert _fetch(index.url + "late/")[0] == 404
        build_wheel(tmp_path, "late", "1.0")
        status, page = _fetch(index.url + "late/")
        assert status == 200
        assert b"late-1.0-py3-none-any.whl" in page


def test_index_watch_names_the_projects_asked_inside_the_block(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path, "Some_Thing", "1.0")
    build_wheel(tmp_path, "other", "1.0")
    with serve_index(tmp_path) as index:
        _fetch(index.url + "other/")
        with index.watch() as asked:
            _fetch(index.url)
            _fetch(index.url + "some-thing/")
            _fetch(urljoin(index.url, f"../files/{wheel.name}"))
            _fetch(index.url + "missing/")
        _fetch(index.url + "other/")

    assert asked == {"some-thing", "missing"}


def test_uv_installs_from_index(tmp_path: Path, uv: Path, index_url: str) -> None:
    """uv resolves against the loopback index, honouring data-requires-python."""
    venv = tmp_path / "venv"
    run([uv, "venv", "--python", _python311(), venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    install: list[str | Path] = [uv, "pip", "install", "--python", python, "--index-url", index_url]
    run([*install, "alpha<2", "epsilon"], cwd=tmp_path)
    # zeta 2.0 requires Python >=3.99, so zeta 1.0 is taken.
    expected = {"alpha": "1.0", "epsilon": "1.0", "zeta": "1.0"}
    assert _installed(uv, python) == expected
    code = "import alpha, zeta; print(alpha.__version__, zeta.__version__)"
    result = run([python, "-c", code], cwd=tmp_path)
    assert result.stdout.split() == ["1.0", "1.0"]


def test_uv_installs_parity_root_with_in_tree_backend(tmp_path: Path, uv: Path, index_url: str) -> None:
    """The in-tree backend builds the root editable (PEP 660) and as a regular wheel."""
    project = tmp_path / "parity"
    write_parity_project(project, index_url)
    venv = tmp_path / "venv"
    run([uv, "venv", "--python", _python311(), venv], cwd=tmp_path)
    python = venv / "bin" / "python"
    install: list[str | Path] = [uv, "pip", "install", "--python", python, "--index-url", index_url]
    run([*install, "-e", project], cwd=tmp_path)
    site = venv / "lib" / "python3.11" / "site-packages"
    pth = site / "__editable__.parity_app-0.1.0.pth"
    assert pth.read_text().strip() == str(project)
    expected = {"alpha": "1.0", "beta": "1.0", "delta": "1.0", "parity-app": "0.1.0"}
    assert _installed(uv, python) == expected
    run([*install, "--reinstall-package", "parity-app", project], cwd=tmp_path)
    assert not pth.exists()
    assert (site / "parity_app" / "__init__.py").is_file()


def test_poetry_locks_parity_project(tmp_path: Path, poetry: Path, index_url: str) -> None:
    """The lock has two betas, platform markers, no decoys, and the test source."""
    write_parity_project(tmp_path, index_url)
    lock_with_poetry(tmp_path, poetry)
    assert not (tmp_path / ".venv").exists()
    lock = read_poetry_lock(tmp_path)
    assert lock.python_versions == ">=3.11"
    packages = {(p.name, p.version): p for p in lock.packages}
    assert sorted(packages) == [
        ("alpha", "1.0"),
        ("beta", "1.0"),
        ("beta", "2.0"),
        ("delta", "1.0"),
        ("epsilon", "1.0"),
        ("eta", "1.0"),
        ("gamma", "1.0"),
        ("iota", "1.0"),
        ("kappa", "1.0"),
        ("lam", "1.0"),
        ("zeta", "1.0"),
    ]
    # Poetry narrows "python_version < '3.12'" by requires-python >=3.11.
    assert packages[("beta", "1.0")].markers == 'python_version == "3.11"'
    assert packages[("beta", "2.0")].markers == 'python_version >= "3.12"'
    assert packages[("gamma", "1.0")].markers == 'sys_platform == "win32"'
    assert packages[("delta", "1.0")].markers == 'sys_platform == "linux"'
    assert packages[("alpha", "1.0")].markers is None
    assert packages[("eta", "1.0")].groups == ("docs",)
    assert packages[("zeta", "1.0")].groups == ("dev",)
    # Packages of extras are marked with the extras that bring them, their dependencies too.
    assert packages[("iota", "1.0")].markers == 'extra == "serve"'
    assert packages[("kappa", "1.0")].markers == 'extra == "serve" or extra == "fast"'
    assert packages[("lam", "1.0")].markers == 'python_version >= "3.12" and extra == "fast"'
    # Poetry records the source URL without the trailing slash.
    source = dict(packages[("alpha", "1.0")].source)
    assert source == {"type": "legacy", "url": index_url.rstrip("/"), "reference": "testindex"}


@pytest.fixture
def locked_parity(tmp_path: Path, poetry: Path, index_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A locked parity project whose ``.venv`` was made by ``python3.11 -m venv``."""
    project = tmp_path / "parity"
    write_parity_project(project, index_url)
    lock_with_poetry(project, poetry)
    run([_python311(), "-m", "venv", ".venv"], cwd=project)
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    return project


@pytest.mark.parametrize(
    ("extra_args", "expected"),
    [
        pytest.param([], POETRY_DEFAULT_SET, id="default"),
        pytest.param(["--with", "docs"], {**POETRY_DEFAULT_SET, "eta": "1.0"}, id="with-docs"),
        pytest.param(
            ["--only", "main"],
            {"alpha": "1.0", "beta": "1.0", "delta": "1.0", "parity-app": "0.1.0"},
            id="only-main",
        ),
    ],
)
def test_poetry_sync_installs_exactly(
    locked_parity: Path, poetry: Path, uv: Path, extra_args: list[str], expected: dict[str, str]
) -> None:
    """Poetry installs the locked set for Python 3.11 on Linux: no gamma, eta only with docs."""
    run([poetry, "sync", "--no-interaction", *extra_args], cwd=locked_parity)
    python = locked_parity / ".venv" / "bin" / "python"
    assert _without_seeds(_installed(uv, python)) == expected
    result = run([python, "-c", "import parity_app; print(parity_app.__file__)"], cwd=Path("/"))
    assert result.stdout.strip() == str(locked_parity / "parity_app" / "__init__.py")


def test_poetry_sync_after_full_sync_removes_groups(locked_parity: Path, poetry: Path, uv: Path) -> None:
    """``sync --only main`` after a full sync removes dev and docs packages again."""
    run([poetry, "sync", "--no-interaction", "--with", "docs"], cwd=locked_parity)
    run([poetry, "sync", "--no-interaction", "--only", "main"], cwd=locked_parity)
    python = locked_parity / ".venv" / "bin" / "python"
    expected = {"alpha": "1.0", "beta": "1.0", "delta": "1.0", "parity-app": "0.1.0"}
    assert _without_seeds(_installed(uv, python)) == expected


@pytest.mark.parametrize("creator", ["python -m venv", "uv venv"])
def test_poetry_sync_seed_packages(
    tmp_path: Path,
    poetry: Path,
    uv: Path,
    index_url: str,
    creator: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Record what Poetry's sync does to seed packages: it keeps pip, removes setuptools,
    and needs no pip at all in a ``uv venv``."""
    write_parity_project(tmp_path, index_url)
    lock_with_poetry(tmp_path, poetry)
    if creator == "uv venv":
        run([uv, "venv", "--python", _python311(), ".venv"], cwd=tmp_path)
    else:
        run([_python311(), "-m", "venv", ".venv"], cwd=tmp_path)
    monkeypatch.setenv("POETRY_VIRTUALENVS_IN_PROJECT", "true")
    run([poetry, "sync", "--no-interaction"], cwd=tmp_path)
    installed = _installed(uv, tmp_path / ".venv" / "bin" / "python")
    seeds = {name for name in installed if name in SEED_PACKAGES}
    assert seeds == ({"pip"} if creator == "python -m venv" else set())
    site = tmp_path / ".venv" / "lib" / "python3.11" / "site-packages"
    assert (site / "parity_app.pth").read_text().strip() == str(tmp_path)
    assert (site / "parity_app-0.1.0.dist-info" / "INSTALLER").read_text().strip() == "poetry"
    assert not list(site.glob("__editable__*"))
