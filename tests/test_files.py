"""The TOML and YAML devkit writes: what it writes reads back as the same data."""

from __future__ import annotations

import math
import tomllib
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from devkit.errors import DevkitError
from devkit.files import toml_file, yaml_file

_SCALARS = st.one_of(
    st.text(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.booleans(),
)
_KEYS = st.text(min_size=1)


def _data(scalars: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    values = st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
        max_leaves=20,
    )
    return st.dictionaries(_KEYS, values, max_size=5)


def _same(left: object, right: object) -> bool:
    """Equal, where a float compares by value (TOML writes 1e+300 and reads it back as such)."""
    if isinstance(left, float) and isinstance(right, float):
        return left == right or (math.isinf(left) and math.isinf(right) and (left > 0) == (right > 0))
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(_same(left[key], right[key]) for key in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(_same(a, b) for a, b in zip(left, right, strict=True))
    return type(left) is type(right) and left == right


@given(_data(_SCALARS))
def test_toml_written_by_devkit_reads_back_as_the_same_data(data: dict[str, Any]) -> None:
    try:
        text = toml_file.dumps(data)
    except DevkitError:
        return
    assert _same(tomllib.loads(text), data)


@given(_data(_SCALARS))
def test_yaml_written_by_devkit_reads_back_as_the_same_data(data: dict[str, Any]) -> None:
    assert _same(yaml.safe_load(yaml_file.dumps(data)), data)


def test_a_script_is_written_as_a_literal_block() -> None:
    text = yaml_file.dumps({"job": {"script": ["if true; then\n  echo 'a: b'\nfi"]}})

    assert text == "job:\n  script:\n    - |-\n      if true; then\n        echo 'a: b'\n      fi\n"


def test_a_value_toml_cannot_hold_is_a_devkit_error() -> None:
    with pytest.raises(DevkitError, match="cannot be written as TOML"):
        toml_file.dumps({"tool": {"when": object()}})
