"""`devkit audit`: denied packages in production with their chains, and an environment against the lock."""

from __future__ import annotations

import itertools
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devkit.env.dependency_graph import shortest_chain
from devkit.env.locks import poetry_lock
from devkit.errors import DevkitError
from tests.conftest import SessionCaches, isolate
from tests.support.proc import run
from tests.support.projects import lock_by_poetry, write_inhouse_package
from tests.support.wheels import build_wheel
from tests.test_uv_project import lock_by_uv

DEVKIT = [sys.executable, "-m", "devkit"]
CHAIN = "jupyter-fake-kernel: audit-app -> service-helpers 1.0 -> jupyter-fake-kernel 0.0.1"
POETRY_TOML = """\
[tool.poetry.group.dev.dependencies]
pytest-fake-plugin = "*"

[[tool.poetry.source]]
name = "testindex"
url = "{index_url}"
priority = "primary"
"""
UV_TOML = """\
[dependency-groups]
dev = ["pytest-fake-plugin"]

[[tool.uv.index]]
name = "testindex"
url = "{index_url}"
default = true
"""


@pytest.fixture(scope="module")
def audit_wheels(wheelhouse: Path) -> None:
    """A helper library that requires a (fake) Jupyter kernel, and a (fake) pytest plugin."""
    build_wheel(wheelhouse, "service-helpers", "1.0", requires=["jupyter_fake_kernel"])
    build_wheel(wheelhouse, "jupyter-fake-kernel", "0.0.1")
    build_wheel(wheelhouse, "pytest-fake-plugin", "0.0.1")


@pytest.fixture(scope="module")
def audit_template(
    audit_wheels: None,
    tmp_path_factory: pytest.TempPathFactory,
    session_caches: SessionCaches,
    index_url: str,
    poetry: Path,
) -> Path:
    """A Poetry project: main requires alpha and service-helpers, dev the pytest plugin; locked by Poetry."""
    root = tmp_path_factory.mktemp("audit-template") / "audit-app"
    more = POETRY_TOML.format(index_url=index_url)
    write_inhouse_package(root, "audit-app", "0.1.0", dependencies=("alpha<2", "service-helpers"), more_toml=more)
    with pytest.MonkeyPatch.context() as monkeypatch:
        isolate(monkeypatch, tmp_path_factory.mktemp("lock-home"), session_caches)
        lock_by_poetry(root, poetry)
    return root


@pytest.fixture
def audit_project(audit_template: Path, tmp_path: Path) -> Path:
    project = tmp_path / "audit-app"
    shutil.copytree(audit_template, project)
    return project


def audit(project: Path, *args: str | Path) -> tuple[int, list[str], list[str]]:
    result = run([*DEVKIT, "audit", *args], cwd=project, check=False)
    return result.returncode, result.stdout.splitlines(), result.stderr.splitlines()


def settle(project: Path, audit_table: str) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n[tool.devkit.audit]\n{audit_table}\n")


def test_a_denied_package_pulled_in_by_a_main_dependency_fails_with_its_chain(audit_project: Path) -> None:
    code, out, err = audit(audit_project)

    assert code == 1
    assert out == [CHAIN]  # the pytest plugin is in dev only: not reported
    assert len(err) == 1
    assert "1 denied package(s)" in err[0]
    assert "[tool.devkit.audit] allow" in err[0]


def test_allow_exempts_a_name_as_canonical_and_the_clean_line_counts_the_packages(audit_project: Path) -> None:
    settle(audit_project, 'allow = ["Jupyter_Fake.Kernel"]')

    code, out, err = audit(audit_project)

    assert (code, out) == (0, [])
    assert err == ["devkit: checked 3 packages of the lock's selection (groups main): none is denied"]


def test_deny_adds_globs_to_the_default_list(audit_project: Path) -> None:
    settle(audit_project, 'deny = ["alph*"]')

    code, out, _ = audit(audit_project)

    assert code == 1
    assert out == ["alpha: audit-app -> alpha 1.0", CHAIN]


def test_the_dev_group_is_audited_when_asked_for(audit_project: Path) -> None:
    code, out, _ = audit(audit_project, "--only", "dev")

    assert code == 1
    assert out == ["pytest-fake-plugin: audit-app -> pytest-fake-plugin 0.0.1"]


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('[tool.devkit]\naudit = "strict"', "[tool.devkit.audit] in pyproject.toml must be a table"),
        (
            '[tool.devkit.audit]\ndeny = "ipython"',
            "[tool.devkit.audit] deny in pyproject.toml must be a list of strings",
        ),
        ('[tool.devkit.audit]\ndeny = ["jupyter lab"]', "'jupyter lab' is not a name or a glob"),
        ('[tool.devkit.audit]\nallow = ["pytest-*"]', "allow in pyproject.toml: 'pytest-*' is not a package name"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_the_key(audit_project: Path, setting: str, message: str) -> None:
    pyproject = audit_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + f"\n{setting}\n")

    code, out, err = audit(audit_project)

    assert (code, out, len(err)) == (1, [], 1)
    assert message in err[0]


def test_env_equal_after_a_production_sync_then_an_extra_package_is_named(
    audit_project: Path, uv: Path, index_url: str
) -> None:
    run([*DEVKIT, "sync", "--only", "main"], cwd=audit_project)

    code, out, err = audit(audit_project, "--env", ".venv/bin/python")
    assert (code, out) == (0, [])
    assert err[-1].endswith("holds exactly the lock's selection (groups main): 4 packages")

    python = audit_project / ".venv/bin/python"
    run([uv, "pip", "install", "--default-index", index_url, "--python", python, "eta==1.0"], cwd=audit_project)
    code, out, err = audit(audit_project, "--env", python)
    assert code == 1
    assert out == ["extra: eta 1.0"]
    assert "differs from the lock's selection (groups main) in 1 package(s)" in err[-1]


def test_env_names_missing_packages_and_other_versions(audit_project: Path, uv: Path, index_url: str) -> None:
    run([*DEVKIT, "sync", "--only", "main"], cwd=audit_project)
    python = audit_project / ".venv/bin/python"
    run([uv, "pip", "uninstall", "--python", python, "jupyter-fake-kernel"], cwd=audit_project)
    run([uv, "pip", "install", "--default-index", index_url, "--python", python, "alpha==2.0"], cwd=audit_project)

    code, out, _ = audit(audit_project, "--env", python)

    assert code == 1
    assert out == ["missing: jupyter-fake-kernel 0.0.1", "other version: alpha 2.0 (the lock has 1.0)"]


def test_a_uv_lock_gives_the_same_chain(audit_wheels: None, tmp_path: Path, index_url: str, uv: Path) -> None:
    root = tmp_path / "audit-app"
    more = UV_TOML.format(index_url=index_url)
    write_inhouse_package(root, "audit-app", "0.1.0", dependencies=("alpha<2", "service-helpers"), more_toml=more)
    lock_by_uv(root, uv)

    code, out, _ = audit(root)

    assert (code, out) == (1, [CHAIN])


def test_a_poetry_lock_dependency_of_the_wrong_type_names_package_and_key(tmp_path: Path) -> None:
    lock = tmp_path / "poetry.lock"
    lock.write_text(
        '[[package]]\nname = "epsilon"\nversion = "1.0"\n\n[package.dependencies]\nzeta = [{ markers = 3 }]\n\n'
        '[metadata]\nlock-version = "2.1"\ncontent-hash = "0"\n'
    )

    with pytest.raises(DevkitError) as raised:
        poetry_lock.read(lock)

    assert str(raised.value) == (
        "poetry.lock: [[package]] 1 (epsilon): dependencies.zeta[1].markers must be a string on one line, got 3: "
        "run `poetry lock` to rewrite the lock"
    )


# --- the chain finder ----------------------------------------------------------------

nodes = st.integers(0, 6).map(str)
graphs = st.dictionaries(nodes, st.lists(nodes, max_size=5).map(tuple), max_size=7)


def distances(edges: dict[str, tuple[str, ...]], start: str, allowed: set[str]) -> dict[str, int]:
    """Shortest distances by relaxation until nothing changes (independent of the finder's search)."""
    best = {start: 0}
    changed = True
    while changed:
        changed = False
        for node, targets in edges.items():
            for target in targets:
                if node in best and target in allowed and best[node] + 1 < best.get(target, 1 << 30):
                    best[target] = best[node] + 1
                    changed = True
    return best


@settings(max_examples=1000)
@given(graphs, st.sets(nodes, min_size=4), nodes)
def test_the_chain_is_a_real_path_and_a_shortest_one(
    edges: dict[str, tuple[str, ...]], allowed: set[str], goal: str
) -> None:
    chain = shortest_chain(edges, "0", goal, allowed)

    reachable = distances(edges, "0", allowed)
    if goal not in reachable:
        assert chain is None
        return
    assert chain is not None
    assert (chain[0], chain[-1]) == ("0", goal)
    assert all(step in allowed for step in chain[1:])
    assert all(following in edges.get(step, ()) for step, following in itertools.pairwise(chain))
    assert len(chain) - 1 == reachable[goal]
    assert len(set(chain)) == len(chain)
