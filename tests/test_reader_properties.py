"""Property-based tests of the readers of poetry.lock, uv.lock, pyproject.toml and the stamp.

Random structures are written as real files (TOML by tomlkit, the stamp as JSON) and
read back by devkit: a well-formed one reads as what it means, one with a field of the
wrong type is a DevkitError naming that field, and anything at all is either read or a
DevkitError, never another exception.
"""

from __future__ import annotations

import json
import string
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import tomlkit
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devkit.commands import sync as sync_command
from devkit.env import groups, noop
from devkit.env import pyproject as pyproject_file
from devkit.env.installers.uv_pip import declared_sources
from devkit.env.locks import NAME, VERSION, content_hash, poetry_lock, uv_lock
from devkit.env.stamp import Request
from devkit.errors import DevkitError
from devkit.main import build_parser

SETTINGS = settings(database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GROUPS = ("main", "dev", "docs")
MARKERS = ("", "sys_platform == 'linux'", "python_version >= '3.12'", "extra == 'cli' and os_name == 'nt'")

names = st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=6)
versions = st.lists(st.integers(0, 99).map(str), min_size=1, max_size=3).map(".".join)
lines = st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_characters="\x7f"), max_size=12)
hashes = st.text("0123456789abcdef", min_size=1, max_size=64).map(lambda digest: f"sha256:{digest}")
scalars = st.one_of(
    st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.text(max_size=5), st.dates()
)


def nested(leaves: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.recursive(
        leaves,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=6,
    )


junk = nested(scalars)  # what TOML holds
json_junk = nested(st.none() | st.integers(-5, 5) | st.floats(allow_nan=False) | st.booleans() | st.text(max_size=5))


@contextmanager
def written(name: str, text: str) -> Iterator[Path]:
    """`text` in a file called `name` in a fresh folder."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        yield path


def refusal(read: Callable[[Path], object], path: Path) -> str:
    """The message of the DevkitError `read(path)` raises; "" when it reads the file."""
    try:
        read(path)
    except DevkitError as error:
        return str(error)
    return ""


def dumps(data: Mapping[str, Any]) -> str:
    return tomlkit.dumps(data)


# --- poetry.lock --------------------------------------------------------------------


# `[package.dependencies]` values: a constraint, a table, or a list of tables (one per marker).
dependency_tables = st.fixed_dictionaries(
    {"version": st.sampled_from(("*", ">=1.0"))},
    optional={"markers": st.sampled_from(MARKERS[1:]), "optional": st.booleans()},
)
dependency_values = (
    st.sampled_from(("*", "^1.0")) | dependency_tables | st.lists(dependency_tables, min_size=1, max_size=2)
)


@st.composite
def poetry_packages(draw: st.DrawFn) -> tuple[dict[str, Any], poetry_lock.Package]:
    """One `[[package]]` table and the package it means."""
    entry: dict[str, Any] = {"name": draw(names), "version": draw(versions)}
    if draw(st.booleans()):
        entry["groups"] = draw(st.lists(st.sampled_from(GROUPS), max_size=3, unique=True))
    markers = draw(st.sampled_from(MARKERS) | st.dictionaries(st.sampled_from(GROUPS), st.sampled_from(MARKERS)))
    if markers != "":
        entry["markers"] = markers
    files = draw(st.lists(hashes, max_size=3))
    entry["files"] = [{"file": f"{entry['name']}-{n}.whl", "hash": digest} for n, digest in enumerate(files)]
    source = None
    if draw(st.booleans()):
        source = poetry_lock.Source(
            type=draw(st.sampled_from(("legacy", *poetry_lock.DIRECT_SOURCES))), url=draw(lines), reference=draw(lines)
        )
        entry["source"] = {"type": source.type, "url": source.url, "reference": source.reference}
    develop = draw(st.booleans())
    if develop:
        entry["develop"] = True
    dependencies = draw(st.dictionaries(names, dependency_values, max_size=3))
    if dependencies:
        entry["dependencies"] = dependencies
    package = poetry_lock.Package(
        name=entry["name"],
        version=entry["version"],
        groups=tuple(entry.get("groups", ["main"])),
        markers=markers,
        hashes=tuple(files),
        source=source,
        develop=develop,
        dependencies=tuple(sorted(dependencies)),
    )
    return entry, package


poetry_locks = st.tuples(
    st.lists(poetry_packages(), max_size=4),
    st.lists(st.integers(0, 9), min_size=1, max_size=3).map(lambda parts: ".".join(map(str, parts))),
    lines,
)

# Values each field refuses, drawn from `junk` and kept when the field's type rejects them.
POETRY_FIELDS: dict[str, Callable[[Any], bool]] = {
    "name": lambda value: isinstance(value, str) and NAME.fullmatch(value) is not None,
    "version": lambda value: isinstance(value, str) and VERSION.fullmatch(value) is not None,
    "groups": lambda value: isinstance(value, list) and all(isinstance(item, str) for item in value),
    "markers": lambda value: (
        isinstance(value, str) or (isinstance(value, dict) and all(isinstance(item, str) for item in value.values()))
    ),
    "files": lambda value: isinstance(value, list) and all(isinstance(item, dict) and "hash" in item for item in value),
    "source": lambda value: isinstance(value, dict) and {"type", "url"} <= set(value),
    "develop": lambda value: isinstance(value, bool),
    "dependencies": lambda value: (
        isinstance(value, dict) and all(NAME.fullmatch(key) and _is_dependency(item) for key, item in value.items())
    ),
}


def _is_dependency(value: Any) -> bool:
    """What poetry.lock may give as one dependency: a constraint, a table or a list of tables."""
    if isinstance(value, str):
        return _on_one_line(value)
    tables = [value] if isinstance(value, dict) else value if isinstance(value, list) else None
    return tables is not None and all(
        isinstance(table, dict)
        and isinstance(table.get("markers", ""), str)
        and _on_one_line(table.get("markers", ""))
        and isinstance(table.get("optional", False), bool)
        for table in tables
    )


def _on_one_line(text: str) -> bool:
    return not any(ord(char) < 32 or char == "\x7f" for char in text)


@SETTINGS
@given(poetry_locks)
def test_well_formed_poetry_lock_reads_as_what_it_says(lock: tuple[list[Any], str, str]) -> None:
    packages, version, digest = lock
    data = {"package": [entry for entry, _ in packages], "metadata": {"lock-version": version, "content-hash": digest}}

    with written("poetry.lock", dumps(data)) as path:
        read = poetry_lock.read(path)

    assert read.packages == tuple(package for _, package in packages)
    assert (".".join(map(str, read.version)), read.content_hash) == (version, digest)


@SETTINGS
@given(poetry_locks, st.data())
def test_poetry_lock_field_of_the_wrong_type_is_an_error_naming_it(
    lock: tuple[list[Any], str, str], data: st.DataObject
) -> None:
    packages, version, digest = lock
    entries = [entry for entry, _ in packages]
    if not entries:
        entries.append({"name": "alpha", "version": "1.0"})
    index = data.draw(st.integers(0, len(entries) - 1))
    field = data.draw(st.sampled_from(sorted(POETRY_FIELDS)))
    entries[index][field] = data.draw(junk.filter(lambda value: not POETRY_FIELDS[field](value)))
    text = dumps({"package": entries, "metadata": {"lock-version": version, "content-hash": digest}})

    with written("poetry.lock", text) as path, pytest.raises(DevkitError) as raised:
        poetry_lock.read(path)

    message = str(raised.value)
    assert message.startswith(f"poetry.lock: [[package]] {index + 1}"), message
    assert f"{field} " in message or f"{field}[" in message or f"{field}." in message, message
    assert "\n" not in message


@SETTINGS
@given(st.dictionaries(st.sampled_from(("metadata", "package", "other")), junk, max_size=3), junk)
def test_any_poetry_lock_is_read_or_refused_with_devkits_error(top: dict[str, Any], entry: Any) -> None:
    if isinstance(entry, dict):
        top.setdefault("package", [entry])
    with written("poetry.lock", dumps(top)) as path:
        message = refusal(poetry_lock.read, path)
    assert "\n" not in message


# --- uv.lock ------------------------------------------------------------------------


@st.composite
def uv_packages(draw: st.DrawFn) -> tuple[dict[str, Any], uv_lock.Package]:
    kind = draw(st.sampled_from(uv_lock.SOURCE_KINDS))
    location = draw(lines)
    entry: dict[str, Any] = {"name": draw(names), "source": {kind: location}}
    version = draw(versions) if kind not in uv_lock.LOCAL_KINDS or draw(st.booleans()) else ""
    if version:
        entry["version"] = version
    dependencies = draw(st.lists(names, max_size=3))
    if dependencies:
        entry["dependencies"] = [{"name": name} for name in dependencies]
    source = uv_lock.Source(kind, location)
    return entry, uv_lock.Package(entry["name"], version, source, tuple(sorted(set(dependencies))))


@SETTINGS
@given(st.lists(uv_packages(), max_size=4), st.integers(1, 3))
def test_well_formed_uv_lock_reads_as_what_it_says(packages: list[Any], version: int) -> None:
    text = dumps({"version": version, "package": [entry for entry, _ in packages]})

    with written("uv.lock", text) as path:
        read = uv_lock.read(path)

    assert (read.version, read.packages) == (version, tuple(package for _, package in packages))


@SETTINGS
@given(st.dictionaries(st.sampled_from(("version", "package")), junk, max_size=2), junk)
def test_any_uv_lock_is_read_or_refused_with_devkits_error(top: dict[str, Any], entry: Any) -> None:
    if isinstance(entry, dict):
        top.setdefault("package", [entry])
    with written("uv.lock", dumps(top)) as path:
        message = refusal(uv_lock.read, path)
    assert "\n" not in message


# --- pyproject.toml -----------------------------------------------------------------

# Each field the environment reads: where it sits, and a strategy of values of its type.
PYPROJECT_FIELDS: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("project", "requires-python"): st.sampled_from((">=3.11", "^3.12")),
    ("dependency-groups", "lint"): st.lists(st.sampled_from(("ruff", "mypy")), max_size=2),
    ("tool", "poetry", "package-mode"): st.booleans(),
    ("tool", "poetry", "dependencies", "python"): st.sampled_from((">=3.11", "~3.12")),
    ("tool", "poetry", "group", "docs", "optional"): st.booleans(),
    ("tool", "poetry", "source"): st.lists(
        st.fixed_dictionaries({"name": names}, optional={"url": lines, "priority": st.sampled_from(("primary",))}),
        max_size=2,
    ),
    ("tool", "uv", "default-groups"): st.just("all") | st.lists(st.sampled_from(GROUPS), max_size=2),
}


def place(data: dict[str, Any], where: tuple[str, ...], value: Any) -> None:
    for key in where[:-1]:
        data = data.setdefault(key, {})
    data[where[-1]] = value


def fits(where: tuple[str, ...], value: Any) -> bool:
    """Whether `value` has the type the field at `where` takes."""
    if where[-1] in ("requires-python", "python"):
        return isinstance(value, str) and all(ord(char) >= 32 and char != "\x7f" for char in value)
    if where[-1] in ("package-mode", "optional"):
        return isinstance(value, bool)
    if where[-1] == "default-groups":
        return value == "all" or (isinstance(value, list) and all(isinstance(item, str) for item in value))
    if where[-1] == "source":
        return isinstance(value, list) and all(map(is_source, value))
    return isinstance(value, list)


def unfit(where: tuple[str, ...], value: object) -> bool:
    return not fits(where, value)


def is_source(value: object) -> bool:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return False
    return all(isinstance(value.get(key, ""), str) for key in ("url", "priority"))


@SETTINGS
@given(st.data())
def test_pyproject_is_refused_exactly_when_a_field_has_the_wrong_type(data: st.DataObject) -> None:
    fields = data.draw(st.lists(st.sampled_from(sorted(PYPROJECT_FIELDS)), unique=True, max_size=4))
    wrong = data.draw(st.sampled_from([None, *fields]))
    pyproject: dict[str, Any] = {}
    for where in fields:
        wanted = PYPROJECT_FIELDS[where]
        if where == wrong:
            wanted = junk.filter(partial(unfit, where))
        place(pyproject, where, data.draw(wanted))

    with written("pyproject.toml", dumps(pyproject)) as path:
        if wrong is None:
            read = pyproject_file.read(path)
            readers_take(read)
        else:
            with pytest.raises(DevkitError, match=f"^pyproject.toml: {'.'.join(wrong)}"):
                pyproject_file.read(path)


def readers_take(pyproject: Mapping[str, Any]) -> None:
    """Everything the environment reads from a checked pyproject.toml reads without error."""
    groups.defined(pyproject)
    groups.defined_for_uv(pyproject)
    declared_sources(pyproject)
    content_hash.compute(pyproject)


# --- the stamp ----------------------------------------------------------------------

group_lists = st.lists(st.sampled_from(GROUPS), unique=True).map(sorted)
requests = st.fixed_dictionaries(
    {
        "only": group_lists,
        "with_groups": group_lists,
        "without": group_lists,
        "root": st.booleans(),
        "installer": st.sampled_from(("", "uv", "poetry")),
        "extras": st.lists(st.sampled_from(("fast", "serve")), unique=True).map(sorted),
        "all_extras": st.booleans(),
    }
)
stamps = st.fixed_dictionaries(
    {
        "format": st.just(noop.FORMAT),
        "key": hashes,
        "request": requests,
        "selection": requests,
        "groups": group_lists,
        "python": st.sampled_from(("3.11.9", "3.12.4")),
        "installer": st.sampled_from(("uv", "poetry")),
        "installer_version": versions,
    }
)


@contextmanager
def stamped(content: str) -> Iterator[str]:
    """A project root whose `.venv` holds a stamp with `content`."""
    with tempfile.TemporaryDirectory() as root:
        (Path(root) / ".venv/bin").mkdir(parents=True)
        (Path(root) / ".venv/bin/python").touch()
        (Path(root) / ".venv" / noop.STAMP).write_text(content, encoding="utf-8")
        yield root


@SETTINGS
@given(stamps)
def test_well_formed_stamp_reads_as_written_and_is_in_sync_for_its_key_and_request(stamp: dict[str, Any]) -> None:
    with stamped(json.dumps(stamp)) as root:
        assert noop.read_stamp(root) == stamp
        assert noop.staleness(root, "poetry.lock", stamp["request"], stamp["key"]) is None
    assert Request.from_json(stamp["request"]).as_json() == stamp["request"]


@SETTINGS
@given(stamps, st.data())
def test_damaged_stamp_is_never_in_sync(stamp: dict[str, Any], data: st.DataObject) -> None:
    key = data.draw(st.sampled_from(sorted(stamp)))
    damaged = dict(stamp)
    if data.draw(st.booleans()):
        del damaged[key]
    else:
        damaged[key] = data.draw(json_junk.filter(lambda value: type(value) is not type(stamp[key])))

    with stamped(json.dumps(damaged)) as root:
        assert noop.read_stamp(root) is None
        assert noop.staleness(root, "poetry.lock", stamp["request"], stamp["key"]) is not None


@SETTINGS
@given(st.one_of(json_junk.map(json.dumps), st.text(max_size=30)))
def test_any_stamp_content_is_read_or_taken_as_out_of_date(content: str) -> None:
    with stamped(content) as root:
        stored = noop.read_stamp(root)
        reason = noop.staleness(root, "poetry.lock", {}, "")
    assert stored is None or stored == json.loads(content)
    assert reason is not None


SYNC_WORDS = st.sampled_from(
    [
        *("--only", "--with", "--without", "-E", "--extras", "--all-extras", "--no-root", "-q", "--installer"),
        *("uv", "poetry", "main", "dev,docs", "serve fast", "Fast_Mode", "--extras=serve", "-E=serve", "--with=docs"),
    ]
)


@SETTINGS
@given(st.lists(SYNC_WORDS, max_size=6))
def test_the_noop_path_reads_sync_options_as_the_parser_does(words: list[str]) -> None:
    fast = noop.request_from_argv(["sync", *words])
    if fast is None:
        return  # the full parser answers
    args = build_parser("sync").parse_args(["sync", *words])
    assert fast.pop("quiet") == args.quiet
    assert sync_command.request_of(args).as_json() == fast
