"""Read TOML files; a syntax error names the file, line and column."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devkit.errors import DevkitError

if TYPE_CHECKING:
    import tomllib

_POSITION = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def load(path: Path) -> dict[str, Any]:
    """Parse `path`; raise DevkitError("FILE:LINE:COL: invalid TOML: ...") when malformed."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DevkitError(f"{path}: file not found") from None
    return loads(data.decode("utf-8", errors="replace"), path)


def loads(text: str, path: Path) -> dict[str, Any]:
    """Parse `text`, naming `path` in the error."""
    import tomllib  # imported here: the no-op paths never parse TOML

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DevkitError(_describe(exc, path)) from None


def _describe(exc: tomllib.TOMLDecodeError, path: Path) -> str:
    message = str(exc)
    match = _POSITION.match(message)
    if match is None:
        return f"{path}: invalid TOML: {message}: fix the file and run again"
    where = f"{path}:{match['line']}:{match['col']}"
    return f"{where}: invalid TOML: {match['msg']}: fix the file and run again"
