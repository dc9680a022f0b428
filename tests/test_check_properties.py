"""Property-based tests: the config merge, stage names, the Python setting and group names.

Any input gives the documented result or a DevkitError; never another exception.
"""

from __future__ import annotations

import copy
import shlex
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from devkit.checks import config, stages
from devkit.env import interpreter
from devkit.env.names import canonical
from devkit.errors import DevkitError
from devkit.files.fields import shown

T = TypeVar("T")
PROPERTIES = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = st.sampled_from(
    [
        "tool",
        "ruff",
        "mypy",
        "lint",
        "overrides",
        "per-file-ignores",
        "extend-select",
        "extend-exclude",
        "exclude",
        "select",
        "x",
    ]
)
CODES = st.lists(st.sampled_from(["D", "E501", "F401", "N802"]), max_size=3)
SCALARS = st.one_of(st.integers(), st.booleans(), st.text(max_size=4))
TABLES: st.SearchStrategy[dict[str, Any]] = st.recursive(
    st.dictionaries(KEYS, st.one_of(SCALARS, CODES), max_size=3),
    lambda children: st.dictionaries(
        KEYS, st.one_of(SCALARS, CODES, children, st.lists(children, max_size=2)), max_size=4
    ),
    max_leaves=16,
)
# A config devkit would ship: the raw table as it comes out of a merge onto nothing.
PROJECT_TABLES = st.fixed_dictionaries({"tool": st.fixed_dictionaries({"ruff": TABLES, "mypy": TABLES})})
ALL_TABLES = st.one_of(TABLES, PROJECT_TABLES)


def attempt(call: Callable[[], T]) -> T | DevkitError:
    """What `call` returns, or the DevkitError it raised; any other exception fails the test."""
    try:
        return call()
    except DevkitError as exc:
        return exc


def as_list(value: object) -> list[object]:
    """An exclude setting as a list of patterns: a string is one pattern."""
    return [value] if isinstance(value, str) else list(value) if isinstance(value, list) else []


def follows_the_rules(
    base: Mapping[str, Any], extra: Mapping[str, Any], merged: Mapping[str, Any], path: tuple[str, ...]
) -> None:
    """Assert the merge rules of `devkit.checks.config` for one level and, recursively, below."""
    assert set(merged) == set(base) | set(extra)
    for key in base.keys() - extra.keys():
        assert merged[key] == base[key]  # a base value survives unless the project sets it
    for key, value in extra.items():
        old, new, here = base.get(key), merged[key], (*path, key)
        if key in ("per-file-ignores", "extend-per-file-ignores") and path[:2] == ("tool", "ruff"):
            assert set(new) == set(old or {}) | set(value)
            for glob, codes in (old or {}).items():
                assert new[glob][: len(codes)] == codes
            for glob, codes in value.items():
                assert set(codes) <= set(new[glob])
        elif here == ("tool", "mypy", "overrides") or (key.startswith("extend-") and isinstance(old, list)):
            kept = old or []
            assert new[: len(kept)] == kept  # base items first
            assert all(item in new for item in value)
            assert all(item in kept or item in value for item in new)
        elif key == "exclude" and path[:2] in (("tool", "ruff"), ("tool", "mypy")) and isinstance(old, (list, str)):
            kept, added = as_list(old), as_list(value)
            assert new[: len(kept)] == kept  # the base's excludes first, then the project's
            assert all(item in new for item in added)
            assert all(item in kept or item in added for item in new)
        elif isinstance(old, Mapping) or (old is None and isinstance(value, Mapping)):
            follows_the_rules(old or {}, value, new, here)
        else:
            assert new == value  # the project's value replaces the base's


@PROPERTIES
@given(ALL_TABLES, ALL_TABLES)
def test_the_merge_follows_its_rules_or_raises_devkits_error(raw_base: dict[str, Any], extra: dict[str, Any]) -> None:
    base = attempt(lambda: config.merge({}, raw_base))
    if isinstance(base, DevkitError):
        return
    before = copy.deepcopy((base, extra))
    merged = attempt(lambda: config.merge(base, extra))
    if isinstance(merged, DevkitError):
        assert "\n" not in str(merged)
        assert str(merged).startswith("lint.toml: ")
        return
    follows_the_rules(base, extra, merged, ())
    assert (base, extra) == before  # neither input was changed


@PROPERTIES
@given(ALL_TABLES)
def test_merging_onto_nothing_or_merging_nothing_keeps_a_config(raw: dict[str, Any]) -> None:
    base = attempt(lambda: config.merge({}, raw))
    if isinstance(base, DevkitError):
        return
    assert base == raw
    assert config.merge(base, {}) == base


def is_plain_word(name: str) -> bool:
    """The stage name rule, written without devkit's pattern."""
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
    return name[:1].isascii() and name[:1].isalpha() and name[:1].islower() and set(name) <= allowed


NAMES = st.one_of(
    st.text(max_size=12),
    st.from_regex(r"[a-z][a-z0-9_-]{0,10}", fullmatch=True),
    st.sampled_from(sorted(stages.GITLAB_KEYWORDS | stages.DEVKIT_JOBS)),
)


@PROPERTIES
@given(NAMES)
def test_stage_names_are_plain_words_that_no_yaml_or_shell_reads_differently(name: str) -> None:
    pyproject = {"tool": {"devkit": {"stages": {name: ["python -c pass"]}}}}
    valid = is_plain_word(name) and name not in stages.GITLAB_KEYWORDS and name not in stages.DEVKIT_JOBS
    table = attempt(lambda: stages.table(pyproject))
    if isinstance(table, DevkitError):
        assert not valid
        assert f"[tool.devkit.stages] {name!r} in pyproject.toml" in str(table)
        return
    assert valid
    assert table[name] == (stages.Command("python", ("-c", "pass")),)
    assert yaml.safe_load(f"{name}:\n  script: [x]\n") == {name: {"script": ["x"]}}
    assert shlex.split(f".venv/bin/devkit run {shlex.quote(name)}")[-1] == name
    assert shlex.quote(name) == name


def is_version(value: str) -> bool:
    parts = value.split(".")
    plain = all(part.isascii() and part.isdigit() and len(part) <= 3 and str(int(part)) == part for part in parts)
    return 2 <= len(parts) <= 3 and plain  # no leading zeros: the setting names an image tag


@PROPERTIES
@given(st.one_of(st.text(max_size=10), st.from_regex(r"[0-9]{1,2}\.[0-9]{1,2}(\.[0-9]{1,2})?", fullmatch=True)))
def test_the_python_setting_is_taken_exactly_when_it_is_an_ascii_version(value: str) -> None:
    found = attempt(lambda: interpreter.setting({"tool": {"devkit": {"python": value}}}))
    if isinstance(found, DevkitError):
        assert not is_version(value)
        # a long value is cut short in the message, as every value devkit shows is
        assert str(found).startswith(f"[tool.devkit] python = {shown(value)} in pyproject.toml is not a version")
        return
    assert is_version(value)
    assert found == (value, "[tool.devkit] python")


@PROPERTIES
@given(st.text(alphabet=st.sampled_from("aZ-_.1 \u00c5"), max_size=12) | st.text(max_size=12))
def test_group_names_normalise_as_packaging_does(name: str) -> None:
    assert canonical(name) == canonicalize_name(name)
    assert canonical(canonical(name)) == canonical(name)


RELEASES = st.tuples(st.just(3), st.integers(0, 15), st.integers(0, 12)).map(lambda parts: ".".join(map(str, parts)))
SPECIFIERS = st.one_of(
    st.tuples(st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~="]), st.sampled_from(["3.11", "3.12.1", "3"])),
    st.tuples(st.sampled_from(["==", "!="]), st.sampled_from(["3.11.*", "3.*", "3.12.0.*"])),
).map("".join)


@PROPERTIES
@given(st.lists(SPECIFIERS, min_size=1, max_size=3).map(",".join), RELEASES)
def test_requires_python_admits_what_packaging_admits_from_devkits_floor(requires: str, version: str) -> None:
    found = attempt(lambda: interpreter.admits(requires)(version))
    if isinstance(found, DevkitError):
        with pytest.raises(InvalidSpecifier):  # `~=3`: a compatible release needs two parts
            SpecifierSet(requires)
        assert str(found).startswith(f"cannot read requires-python {requires!r}")
        return
    assert found == (SpecifierSet(requires).contains(version) and Version(version) >= Version("3.11"))
