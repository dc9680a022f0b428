"""A lock's marker with its `extra` comparisons decided for the requested extras.

poetry.lock marks a package that only an extra pulls in with `extra == "serve"`. An
exported requirements file installs no extras of its own, so each such comparison is
decided here, as Poetry decides it when it installs: the marker holds when it holds for
one of the requested extras (for none requested: for the empty extra). The environment
comparisons (`python_version`, `sys_platform`, ...) are kept, as written, for the
installer to evaluate. Each comparison on `extra` is evaluated by `packaging` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from devkit.errors import DevkitError

# PEP 508's marker tokens: parentheses, quoted strings, operators, names.
_TOKEN = re.compile(
    r"""\s*(?:(?P<paren>[()])|(?P<string>'[^']*'|"[^"]*")|(?P<op>===|==|!=|<=|>=|~=|<|>)|(?P<word>[A-Za-z_][A-Za-z0-9_.]*))"""
)


@dataclass(frozen=True)
class _Atom:
    """One comparison, `left op right`: each side a variable's name or a quoted string."""

    left: str
    op: str
    right: str

    @property
    def text(self) -> str:
        return f"{self.left} {self.op} {self.right}"

    @property
    def mentions_extra(self) -> bool:
        return "extra" in (self.left, self.right)


@dataclass(frozen=True)
class _Join:
    """`and` or `or` of two or more parts."""

    word: str
    parts: tuple[_Node, ...]


_Node = _Atom | _Join


def reduce(marker: str, extras: Sequence[str]) -> str | None:
    """`marker` without its `extra` comparisons: "" when it always holds, None when it never does."""
    if "extra" not in marker:
        return marker
    tree = _Parser(marker).parse()
    results = [_decide(tree, extra) for extra in extras or ("",)]
    if True in results:
        return ""
    kept = [_show(result) for result in dict.fromkeys(results) if isinstance(result, _Atom | _Join)]
    if not kept:
        return None
    return kept[0] if len(kept) == 1 else " or ".join(f"({part})" for part in kept)


def _decide(node: _Node, extra: str) -> _Node | bool:
    """`node` with every comparison on `extra` replaced by its truth for this one extra."""
    if isinstance(node, _Atom):
        return _holds(node.text, extra) if node.mentions_extra else node
    absorbing = node.word == "or"  # True decides an `or`, False an `and`
    kept: list[_Node] = []
    for part in node.parts:
        result = _decide(part, extra)
        if result is absorbing:
            return absorbing
        if not isinstance(result, bool):
            kept.append(result)
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else _Join(node.word, tuple(kept))


def _holds(comparison: str, extra: str) -> bool:
    from packaging.markers import Marker, UndefinedEnvironmentName

    try:
        return Marker(comparison).evaluate({"extra": extra})
    except UndefinedEnvironmentName:
        raise DevkitError(f"cannot decide the marker {comparison!r} for extras: run `poetry lock` again") from None


def _show(node: _Node, parent: str = "") -> str:
    if isinstance(node, _Atom):
        return node.text
    text = f" {node.word} ".join(_show(part, node.word) for part in node.parts)
    return f"({text})" if parent == "and" and node.word == "or" else text


class _Parser:
    """Recursive descent over PEP 508's marker grammar: or > and > comparison or parentheses."""

    def __init__(self, marker: str) -> None:
        self.marker = marker
        self.tokens = list(self._tokens(marker))
        self.position = 0

    def parse(self) -> _Node:
        node = self._join("or")
        if self.position != len(self.tokens):
            raise self._invalid()
        return node

    def _tokens(self, marker: str) -> Iterator[tuple[str, str]]:
        end = len(marker.rstrip())
        position = 0
        while position < end:
            match = _TOKEN.match(marker, position)
            if match is None or match.lastgroup is None:
                raise self._invalid()
            yield match.lastgroup, match.group(match.lastgroup)
            position = match.end()

    def _join(self, word: str) -> _Node:
        parts = [self._join("and") if word == "or" else self._operand()]
        while self._peek() == ("word", word):
            self.position += 1
            parts.append(self._join("and") if word == "or" else self._operand())
        return parts[0] if len(parts) == 1 else _Join(word, tuple(parts))

    def _operand(self) -> _Node:
        if self._peek() == ("paren", "("):
            self.position += 1
            node = self._join("or")
            if self._peek() != ("paren", ")"):
                raise self._invalid()
            self.position += 1
            return node
        left = self._value()
        operator = self._operator()
        return _Atom(left, operator, self._value())

    def _value(self) -> str:
        kind, text = self._next()
        if kind not in ("string", "word") or text in ("and", "or", "in", "not"):
            raise self._invalid()
        return text

    def _operator(self) -> str:
        kind, text = self._next()
        if kind == "op" or (kind, text) == ("word", "in"):
            return text
        if (kind, text) == ("word", "not") and self._next() == ("word", "in"):
            return "not in"
        raise self._invalid()

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _next(self) -> tuple[str, str]:
        token = self._peek()
        if token is None:
            raise self._invalid()
        self.position += 1
        return token

    def _invalid(self) -> DevkitError:
        return DevkitError(f"the lock's marker {self.marker!r} is not a valid marker: run `poetry lock` again")
