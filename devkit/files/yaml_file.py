"""YAML that devkit renders (the GitLab CI file) or rewrites (a pre-commit config), with PyYAML.

Block style, keys in the order the data gives them, sequences indented under their key,
and a multi-line string (a job's script) as a literal block, so the file reads like a
hand-written one. PyYAML quotes every string that YAML would read as anything else;
non-ASCII characters are escaped, since PyYAML reads some of them back changed when
written as they are (a NEL in a quoted key comes back as a space).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from devkit.errors import DevkitError


class _Dumper(yaml.SafeDumper):
    """SafeDumper with indented sequences, literal blocks and no anchors."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: object) -> bool:
        return True


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _string)


def dumps(data: Mapping[str, Any]) -> str:
    """YAML text for `data`: plain mappings, lists, strings, numbers and booleans."""
    text: str = yaml.dump(
        dict(data), Dumper=_Dumper, sort_keys=False, default_flow_style=False, allow_unicode=False, width=4096
    )
    return text


class _Loader(yaml.SafeLoader):
    """SafeLoader that reads a tag it does not know (GitLab's `!reference`) as the plain node."""


def _untagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> object:
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return loader.construct_scalar(node)  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _untagged)


def loads(text: str, path: Path) -> object:
    """The data of the YAML `text`; a syntax error is one line naming `path` and the line."""
    try:
        return yaml.load(text, Loader=_Loader)  # a SafeLoader: builds no Python objects
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise DevkitError(f"{path} is not valid YAML{where}: {problem}: fix it and run again") from None
