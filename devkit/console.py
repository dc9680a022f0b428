"""Messages on stderr, coloured only on a terminal (off with NO_COLOR, on with FORCE_COLOR)."""

from __future__ import annotations

import os
import sys

_PREFIX = "devkit: "


def use_colour() -> bool:
    """Whether stderr gets ANSI colours."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stderr.isatty()


def _paint(text: str, code: str) -> str:
    return f"\033[{code}m{text}\033[0m" if use_colour() else text


def info(message: str) -> None:
    """A progress line the user may want to see."""
    print(_PREFIX + message, file=sys.stderr)


def note(message: str) -> None:
    """Something the user should know, such as a fallback devkit chose."""
    print(_PREFIX + _paint("note: ", "33") + message, file=sys.stderr)


def error(message: str) -> None:
    """The one-line report of a failure."""
    print(_PREFIX + _paint("error: ", "31;1") + message, file=sys.stderr)
