"""`devkit export`: the selection `devkit sync` installs, as requirements with hashes, with real Poetry and uv."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from packaging.markers import Marker

from devkit.env import extras_marker, markers
from devkit.env.export import export
from devkit.env.project import find_project
from devkit.env.stamp import Request
from tests.support.proc import run
from tests.support.projects import write_inhouse_package
from tests.test_sync import installed
from tests.test_uv_project import lock_by_uv

DEVKIT = [sys.executable, "-m", "devkit"]


def devkit(project: Path, *args: str, check: bool = True) -> str:
    result = run([*DEVKIT, *args], cwd=project, check=check)
    return result.stdout if check else result.stdout + result.stderr


def requirement_names(text: str) -> set[str]:
    return {line.split("==")[0].split(" @ ")[0] for line in text.splitlines() if line and not line.startswith("#")}


@pytest.mark.parametrize(
    "options",
    [(), ("--only", "main"), ("-E", "serve"), ("--with", "docs", "--extras", "fast"), ("--all-extras",)],
)
def test_the_export_installs_exactly_what_sync_installs(
    parity_project: Path, uv: Path, index_url: str, tmp_path: Path, options: tuple[str, ...]
) -> None:
    run([*DEVKIT, "sync", *options], cwd=parity_project)
    requirements = tmp_path / "requirements.txt"
    run([*DEVKIT, "export", *options, "-o", requirements], cwd=parity_project)
    image = tmp_path / "image"  # what an image build does with the file, in image/.venv
    run([uv, "venv", "--python", parity_project / ".venv/bin/python", image / ".venv"], cwd=tmp_path)

    python = image / ".venv/bin/python"
    command: list[str | Path] = [
        uv,
        "pip",
        "sync",
        "--require-hashes",
        "--default-index",
        index_url,
        "--python",
        python,
    ]
    run([*command, requirements], cwd=tmp_path)

    synced = installed(parity_project, uv) - {("parity-app", "0.1.0")}
    assert installed(image, uv) == synced
    pins = export(find_project(parity_project), _request(options)).applying(
        markers.environment(parity_project / ".venv/bin/python")
    )
    assert set(pins.items()) == synced


def _request(options: tuple[str, ...]) -> Request:
    from devkit.commands.sync import selection_of
    from devkit.main import build_parser

    return selection_of(build_parser("export").parse_args(["export", *options]))


def test_only_main_leaves_out_dev_keeps_markers_and_never_lists_the_project(parity_project: Path) -> None:
    text = devkit(parity_project, "export", "--only", "main")

    lines = text.splitlines()
    assert lines[0] == "# Exported by devkit from poetry.lock: groups main; extras none."
    assert requirement_names(text) == {"alpha", "beta", "delta", "gamma"}
    assert any(line.startswith('gamma==1.0 ; sys_platform == "win32" --hash=sha256:') for line in lines)
    assert any(line.startswith('beta==2.0 ; python_version >= "3.12" --hash=sha256:') for line in lines)
    assert all(" --hash=sha256:" in line for line in lines if not line.startswith("#"))


@pytest.mark.parametrize(
    ("options", "optional"),
    [((), set()), (("-E", "serve"), {"iota", "kappa"}), (("-E", "fast"), {"kappa", "lam"})],
)
def test_extras_are_decided_and_environment_markers_kept(
    parity_project: Path, options: tuple[str, ...], optional: set[str]
) -> None:
    text = devkit(parity_project, "export", "--only", "main", *options)

    assert requirement_names(text) & {"iota", "kappa", "lam"} == optional
    assert "extra" not in text.replace("extras ", "")
    if "lam" in optional:
        assert '\nlam==1.0 ; python_version >= "3.12" --hash=sha256:' in text
        assert "\nkappa==1.0 --hash=sha256:" in text


def test_a_project_default_extra_is_exported_as_sync_installs_it(parity_project: Path) -> None:
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + '\n[tool.devkit]\nextras = ["serve"]\n')

    text = devkit(parity_project, "export", "--only", "main")

    assert text.splitlines()[0] == "# Exported by devkit from poetry.lock: groups main; extras serve."
    assert {"iota", "kappa"} <= requirement_names(text)


def test_a_stale_lock_is_the_error_sync_gives(parity_project: Path, tmp_path: Path) -> None:
    pyproject = parity_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"alpha (<2)",', '"alpha (<2)",\n    "eta",'))
    target = tmp_path / "requirements.txt"

    result = run([*DEVKIT, "export", "-o", target], cwd=parity_project, check=False)

    assert result.returncode == 1
    assert "poetry.lock is stale: pyproject.toml changed since it was locked; run `poetry lock`" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not target.exists()


def test_an_unchanged_export_leaves_the_file_and_its_mtime_alone(parity_project: Path, tmp_path: Path) -> None:
    target = tmp_path / "requirements.txt"
    devkit(parity_project, "export", "-o", str(target))
    os.utime(target, (1_000_000_000, 1_000_000_000))

    again = run([*DEVKIT, "export", "-o", target], cwd=parity_project)
    assert target.stat().st_mtime == 1_000_000_000
    assert "is up to date" in again.stderr
    run([*DEVKIT, "export", "-E", "serve", "-o", target], cwd=parity_project)
    assert target.stat().st_mtime != 1_000_000_000
    assert "iota==1.0" in target.read_text()


def test_an_unknown_group_is_bad_usage(parity_project: Path) -> None:
    result = run([*DEVKIT, "export", "--with", "nope"], cwd=parity_project, check=False)
    assert result.returncode == 2
    assert "no dependency group 'nope'" in result.stderr


# --- uv.lock --------------------------------------------------------------------------

UV_TOML = """\
[project.optional-dependencies]
serve = ["iota"]

[dependency-groups]
dev = ["epsilon"]

[tool.uv.sources]
my-helper = {{ path = "libs/helper" }}

[[tool.uv.index]]
name = "testindex"
url = "{index_url}"
default = true
"""


@pytest.fixture
def uv_app(tmp_path: Path, index_url: str, uv: Path) -> Path:
    """A uv project with a local path dependency (`my-helper`, which requires kappa)."""
    root = tmp_path / "uv-app"
    write_inhouse_package(root / "libs/helper", "my-helper", "1.0", dependencies=("kappa",))
    dependencies = ("alpha<2", "my-helper", "gamma ; sys_platform == 'win32'")
    write_inhouse_package(
        root, "uv-app", "0.1.0", dependencies=dependencies, more_toml=UV_TOML.format(index_url=index_url)
    )
    lock_by_uv(root, uv)
    return root


@pytest.mark.parametrize("options", [(), ("--only", "main", "-E", "serve")])
def test_a_uv_lock_export_is_what_sync_installs_with_local_packages_apart(
    uv_app: Path, uv: Path, options: tuple[str, ...]
) -> None:
    run([*DEVKIT, "sync", *options], cwd=uv_app)
    result = export(find_project(uv_app), _request(options))

    environment = markers.environment(uv_app / ".venv/bin/python")
    assert set(result.applying(environment).items()) == installed(uv_app, uv) - {("uv-app", "0.1.0")}
    assert result.local == (("my-helper", (uv_app / "libs/helper").resolve()),)
    text = result.text()
    assert text.splitlines()[-1] == f"my-helper @ {(uv_app / 'libs/helper').resolve().as_uri()}"
    assert "gamma==1.0 ; sys_platform == 'win32' --hash=sha256:" in text
    assert all("--hash=sha256:" in line for line in result.lines)
    assert ("iota" in result.pins) == ("serve" in options)
    assert ("epsilon" in result.pins) == ("--only" not in options)


# --- the extras marker reducer --------------------------------------------------------

EXTRAS = ("serve", "fast", "cli")
ENVIRONMENT_ATOMS = (
    'python_version >= "3.12"',
    "sys_platform == 'linux'",
    'os_name == "nt"',
    "'3.11' == python_version",
    'platform_version == "an extra build"',  # the word extra inside a string is no comparison on extra
)
EXTRA_ATOMS = (*(f'extra == "{name}"' for name in EXTRAS), "extra != 'fast'", "'cli' == extra")
markers_trees = st.recursive(
    st.sampled_from(ENVIRONMENT_ATOMS + EXTRA_ATOMS),
    lambda inner: (
        st.tuples(inner, st.sampled_from(("and", "or")), inner).map(lambda t: f"({t[0]}) {t[1]} {t[2]}")
        | st.tuples(inner, st.sampled_from((" and ", " or ")), inner).map("".join)
    ),
    max_leaves=8,
)
environments = st.fixed_dictionaries(
    {
        "python_version": st.sampled_from(("3.11", "3.12")),
        "sys_platform": st.sampled_from(("linux", "win32")),
        "os_name": st.sampled_from(("posix", "nt")),
        "platform_version": st.sampled_from(("an extra build", "#1 SMP")),
    }
)


@given(markers_trees, st.lists(st.sampled_from(EXTRAS), unique=True, max_size=3), environments)
def test_the_reduced_marker_holds_exactly_when_poetry_would_select_the_package(
    marker: str, extras: list[str], environment: dict[str, str]
) -> None:
    reduced = extras_marker.reduce(marker, extras)

    poetry = any(Marker(marker).evaluate({**environment, "extra": extra}) for extra in extras or [""])
    ours = reduced is not None and (reduced == "" or Marker(reduced).evaluate({**environment, "extra": ""}))
    assert ours == poetry
    assert reduced is None or not re.search(r"\bextra\s*[=!]=|[=!]=\s*extra\b", reduced)


def test_a_marker_that_does_not_parse_is_an_error_naming_it() -> None:
    from devkit.errors import DevkitError

    with pytest.raises(DevkitError, match="is not a valid marker"):
        extras_marker.reduce('extra == "serve" and (python_version', ["serve"])
