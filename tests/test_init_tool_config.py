"""`devkit init` moves the settings each tool read before devkit into lint.toml.

The tools read one place each (their own file, a section of setup.cfg or tox.ini, or a
pyproject.toml table); after `init`, `devkit config TOOL` shows the values they had.
"""

from __future__ import annotations

import configparser
import sys
import tomllib
from importlib.metadata import requires
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devkit.adopt import ini
from tests.support.proc import run
from tests.support.projects import link_checkout

DEVKIT = [sys.executable, "-m", "devkit"]
PINS = dict(pin.split("==") for pin in requires("devkit-toolchain") or [] if "==" in pin)
PYPROJECT = """\
[project]
name = "old-service"
version = "0.1.0"
requires-python = ">=3.11"
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = link_checkout(tmp_path / "checkout") / "examples/old-service"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "uv.lock").write_text("version = 1\n")  # `devkit config` wants a lock; this one is never read
    return root


def init(project: Path, *arguments: str, check: bool = True) -> str:
    checkout = project.parent.parent
    result = run([*DEVKIT, "init", "--from", str(checkout), *arguments], cwd=project, check=check)
    return result.stdout + result.stderr


def config(project: Path, tool: str) -> dict[str, Any]:
    merged = tomllib.loads(run([*DEVKIT, "config", tool], cwd=project).stdout)
    return merged if tool == "ruff" else merged["tool"][tool]


def lint_toml(project: Path) -> dict[str, Any]:
    tool: dict[str, Any] = tomllib.loads((project / "lint.toml").read_text())["tool"]
    return tool


def test_mypy_ini_moves_with_its_types_and_per_module_sections(project: Path) -> None:
    (project / "mypy.ini").write_text(
        "[mypy]\nstrict = True\nignore_missing_imports = false\nexclude = ^build/\nplugins = a.plugin, b.plugin\n"
        "many_errors_threshold = 50\n\n[mypy-vendor.*,legacy]\nignore_errors = True\n"
    )

    output = init(project)

    assert "moved mypy.ini into lint.toml\n" in output
    assert not (project / "mypy.ini").exists()
    mypy = config(project, "mypy")
    assert (mypy["strict"], mypy["ignore_missing_imports"], mypy["many_errors_threshold"]) == (True, False, 50)
    assert "^build/" in mypy["exclude"]
    assert mypy["plugins"] == "a.plugin, b.plugin"
    assert {"module": ["vendor.*", "legacy"], "ignore_errors": True} in mypy["overrides"]


def test_setup_cfg_loses_the_tools_sections_only(project: Path) -> None:
    other = "[metadata]\nname = old-service\n\n# flake8 stays ours\n[flake8]\nmax-line-length = 99\n\n"
    (project / "setup.cfg").write_text(
        other
        + "[mypy]\nwarn_unused_ignores = True\n\n[tool:pytest]\ntestpaths = tests\nmarkers =\n  slow: long tests\n\n"
        + "[coverage:run]\nbranch = True\nomit =\n  */generated/*,\n  scripts/*\n\n"
        + "[coverage:report]\nfail_under = 61.5\n"
    )

    output = init(project)

    assert (project / "setup.cfg").read_text() == other
    assert "moved setup.cfg [mypy] into lint.toml\n" in output
    assert "moved setup.cfg [coverage:run], [coverage:report] into lint.toml\n" in output
    assert config(project, "mypy")["warn_unused_ignores"] is True
    pytest_options = config(project, "pytest")["ini_options"]
    assert (pytest_options["testpaths"], pytest_options["markers"]) == ("tests", "slow: long tests")
    coverage = config(project, "coverage")
    assert coverage["run"]["branch"] is True
    assert coverage["run"]["omit"] == ["*/generated/*", "scripts/*"]
    assert coverage["report"]["fail_under"] == 61.5


def test_a_setup_cfg_left_empty_goes(project: Path) -> None:
    (project / "setup.cfg").write_text("[mypy]\nstrict = True\n\n[coverage:report]\nfail_under = 90\n\n")

    output = init(project)

    assert not (project / "setup.cfg").exists()
    assert "removed setup.cfg\n" in output
    assert (config(project, "mypy")["strict"], config(project, "coverage")["report"]["fail_under"]) == (True, 90)


def test_coverage_reads_the_moved_coveragerc_as_it_read_the_file(project: Path) -> None:
    (project / ".coveragerc").write_text(
        "[run]\nsource = app, lib\nparallel = yes\n\n[report]\nexclude_also =\n    def __repr__\n    if DEBUG:\n"
        "skip_empty = on\n\n[paths]\nsource =\n    app/\n    /build/*/app/\n"
    )

    init(project)

    assert not (project / ".coveragerc").exists()
    merged = project / "merged.toml"
    merged.write_text(run([*DEVKIT, "config"], cwd=project).stdout)
    probe = (
        "import coverage, sys; c = coverage.Coverage(config_file=sys.argv[1]).config; "
        "print(c.source, c.parallel, c.exclude_list[-2:], c.skip_empty, c.paths)"
    )
    shown = run([sys.executable, "-c", probe, str(merged)], cwd=project).stdout
    assert shown == ("['app', 'lib'] True ['def __repr__', 'if DEBUG:'] True {'source': ['app/', '/build/*/app/']}\n")


def test_a_ruff_toml_and_a_pytest_ini_move_and_go(project: Path) -> None:
    (project / "ruff.toml").write_text('line-length = 99\nselect = ["E", "F"]\n\n[format]\nquote-style = "single"\n')
    (project / "pytest.ini").write_text("[pytest]\naddopts = -q --tb=short\nxfail_strict = true\n")

    init(project)

    assert not (project / "ruff.toml").exists()
    assert not (project / "pytest.ini").exists()
    ruff = config(project, "ruff")
    assert (ruff["line-length"], ruff["lint"]["select"], ruff["format"]["quote-style"]) == (99, ["E", "F"], "single")
    assert config(project, "pytest")["ini_options"]["addopts"] == "-q --tb=short"


def test_a_table_the_tool_never_read_is_left_and_named(project: Path) -> None:
    (project / "mypy.ini").write_text("[mypy]\nstrict = True\n")
    with (project / "pyproject.toml").open("a") as file:
        file.write("\n[tool.mypy]\nstrict = false\n")

    output = init(project)

    assert config(project, "mypy")["strict"] is True
    assert "[tool.mypy]\nstrict = false\n" in (project / "pyproject.toml").read_text()
    assert (
        "left pyproject.toml [tool.mypy] as it is: mypy read mypy.ini instead, so those settings never applied\n"
        in output
    )


def test_pytests_own_table_moves_under_ini_options(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write('\n[tool.pytest]\nminversion = "9.0"\ntestpaths = ["tests"]\n')

    init(project)

    assert "pytest" not in tomllib.loads((project / "pyproject.toml").read_text()).get("tool", {})
    options = config(project, "pytest")["ini_options"]
    assert (options["minversion"], options["testpaths"]) == ("9.0", ["tests"])


def test_moved_tables_keep_their_comments(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write(
            '\n[tool.ruff]\nline-length = 99  # our screens\nignore = [\n    "E731",  # lambdas are fine\n]\n'
            "\n[tool.mypy]\n# strict since the 2.0 rewrite\nstrict = true\n"
        )

    init(project)

    text = (project / "lint.toml").read_text()
    assert "line-length = 99  # our screens\n" in text
    assert '[tool.ruff.lint]\nignore = [\n    "E731",  # lambdas are fine\n]\n' in text
    assert "[tool.mypy]\n# strict since the 2.0 rewrite\nstrict = true\n" in text
    assert config(project, "ruff")["lint"]["ignore"] == ["E731"]


def test_a_ruff_table_written_in_pieces_moves_whole(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write(
            "\n[tool.ruff]\nline-length = 120\n\n[tool.ruff.lint.pyupgrade]\nkeep-runtime-typing = true\n"
            '\n[tool.ruff.lint]\nextend-select = ["UP"]\n\n[tool.ruff.format]\nquote-style = "single"\n'
        )

    init(project)

    ruff = config(project, "ruff")
    assert ruff["lint"]["pyupgrade"] == {"keep-runtime-typing": True}
    assert (ruff["lint"]["extend-select"], ruff["lint"]["select"]) == (["UP"], ["E4", "E7", "E9", "F"])
    assert ruff["format"]["quote-style"] == "single"


def test_a_lint_toml_with_a_value_where_a_table_belongs_is_one_line(project: Path) -> None:
    (project / "lint.toml").write_text('[tool.ruff]\nformat = "single"\n')

    result = run([*DEVKIT, "init", "--from", str(project.parent.parent)], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr == (
        "devkit: error: lint.toml: tool.ruff.format must be a table: fix it, then run `devkit init` again\n"
    )


def test_a_malformed_lint_toml_is_one_line_naming_its_line_and_nothing_is_written(project: Path) -> None:
    (project / "lint.toml").write_text("[tool.ruff\nline-length = 100\n")
    before = {path.name: path.read_bytes() for path in project.iterdir()}

    result = run([*DEVKIT, "init", "--from", str(project.parent.parent)], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert f"{project / 'lint.toml'}:1:" in result.stderr
    assert {path.name: path.read_bytes() for path in project.iterdir()} == before


def test_an_existing_lint_toml_keeps_its_comments_and_its_values(project: Path) -> None:
    own = "# our lint rules\n[tool.ruff]\nline-length = 110  # agreed in review\n"
    (project / "lint.toml").write_text(own)
    with (project / "pyproject.toml").open("a") as file:
        file.write("\n[tool.ruff]\nline-length = 100\nfix = true\n")

    output = init(project)

    text = (project / "lint.toml").read_text()
    assert text.startswith(own)
    assert "kept lint.toml's tool.ruff.line-length; pyproject.toml [tool.ruff] had another value, dropped\n" in output
    assert lint_toml(project)["ruff"]["fix"] is True


def test_adoption_keeps_the_defaults_the_project_relied_on_marked(project: Path) -> None:
    with (project / "pyproject.toml").open("a") as file:
        file.write('\n[tool.ruff.lint]\nextend-select = ["B"]\n')

    output = init(project)

    ruff = config(project, "ruff")
    assert (ruff["line-length"], ruff["target-version"]) == (88, "py311")
    assert ruff["lint"]["select"] == ["E4", "E7", "E9", "F"]
    assert ruff["lint"]["extend-select"] == ["B"]
    assert config(project, "mypy")["strict"] is False
    assert config(project, "pytest")["ini_options"]["filterwarnings"] == []
    assert config(project, "coverage")["report"]["fail_under"] == 0
    text = (project / "lint.toml").read_text()
    assert 'select = ["E4", "E7", "E9", "F"] # as before devkit; delete this line for devkit\'s baseline\n' in text
    assert "lint.toml keeps the tools' defaults for ruff.target-version, ruff.line-length, " in output


def test_adoption_keeps_markdown_out_of_the_formatter_as_older_ruffs_did(project: Path) -> None:
    (project / "README.md").write_text("# old-service\n\n```python\nscore = predict( rows,2 )\n```\n")
    init(project)
    ruff_toml = project / "ruff.toml"
    ruff: list[str | Path] = [
        Path(sys.executable).parent / "ruff",
        "format",
        "--check",
        "--force-exclude",
        "--config",
        ruff_toml,
        "--",
        "README.md",
    ]

    ruff_toml.write_text(run([*DEVKIT, "config", "ruff"], cwd=project).stdout)
    kept = run(ruff, cwd=project, check=False)
    lint = project / "lint.toml"
    lint.write_text("".join(line for line in lint.read_text().splitlines(True) if not line.startswith("exclude =")))
    ruff_toml.write_text(run([*DEVKIT, "config", "ruff"], cwd=project).stdout)
    baseline = run(ruff, cwd=project, check=False)

    assert kept.returncode == 0, kept.stdout + kept.stderr
    assert baseline.returncode == 1
    assert "README.md" in baseline.stdout


def test_init_names_the_tool_versions_devkit_changes(project: Path) -> None:
    (project / "uv.lock").write_text(
        'version = 1\n\n[[package]]\nname = "Ruff"\nversion = "0.4.3"\n\n[[package]]\nname = "mypy"\nversion = "{mypy}"\n'.replace(
            "{mypy}", PINS["mypy"]
        )
    )

    output = init(project)

    assert (
        f"devkit's tools replace the lock's: ruff 0.4.3 to {PINS['ruff']}; "
        "a finding new after `make sync` may come from a new version\n"
    ) in output


def test_an_optional_dev_group_becomes_part_of_the_default_selection(project: Path) -> None:
    (project / "uv.lock").unlink()
    with (project / "pyproject.toml").open("a") as file:
        file.write(
            '\n[tool.poetry.group.dev]\noptional = true\n\n[tool.poetry.group.dev.dependencies]\nepsilon = "*"\n'
        )

    output = init(project)

    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["tool"]["devkit"]["with"] == ["dev"]
    assert "devkit-toolchain" in pyproject["tool"]["poetry"]["group"]["dev"]["dependencies"]
    assert '[tool.devkit] with = ["dev"]: the dev group is optional, and devkit comes with it\n' in output
    assert init(project) == "nothing to change: devkit is adopted here\n"


def test_a_deleted_default_stays_deleted_on_the_next_init(project: Path) -> None:
    init(project)
    lint = project / "lint.toml"
    lint.write_text("".join(line for line in lint.read_text().splitlines(True) if not line.startswith("strict =")))
    before = lint.read_bytes()

    output = init(project)

    assert output == "nothing to change: devkit is adopted here\n"
    assert lint.read_bytes() == before
    assert config(project, "mypy")["strict"] is True


def test_a_broken_mypy_ini_is_one_line_and_nothing_is_written(project: Path) -> None:
    (project / "mypy.ini").write_text("[mypy]\nstrict = True\nthis line has no value\n")
    before = {path.name: path.read_bytes() for path in project.iterdir()}

    result = run([*DEVKIT, "init", "--from", str(project.parent.parent)], cwd=project, check=False)

    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "mypy.ini: Source contains parsing errors: 'mypy.ini'" in result.stderr
    assert {path.name: path.read_bytes() for path in project.iterdir()} == before


_NAMES = st.text("abcdefghij:-", min_size=1, max_size=8).filter(lambda name: name.strip() == name)
_VALUES = st.text("abcxyz ,.*/", max_size=12).map(str.strip)


@given(
    st.dictionaries(
        _NAMES, st.dictionaries(st.text("abcde_", min_size=1, max_size=5), _VALUES, max_size=3), max_size=5
    ),
    st.data(),
)
def test_without_drops_exactly_the_named_sections(sections: dict[str, dict[str, str]], data: st.DataObject) -> None:
    text = "".join(
        f"[{name}]\n" + "".join(f"{key} = {value}\n" for key, value in values.items()) + "\n"
        for name, values in sections.items()
    )
    dropped = data.draw(st.sets(st.sampled_from(sorted(sections))) if sections else st.just(set[str]()))

    parser = configparser.RawConfigParser(interpolation=None)
    parser.read_string(ini.without(text, dropped))

    assert {name: dict(parser.items(name)) for name in parser.sections()} == {
        name: values for name, values in sections.items() if name not in dropped
    }
