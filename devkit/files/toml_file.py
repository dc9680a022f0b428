"""TOML files: reading, where a syntax error names the file, line and column, and writing.

devkit writes TOML (the generated tool config) with tomlkit, the library that also edits
the user's files without losing their layout; it is imported only when a file is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    return loads(decode(data, path), path)


def decode(data: bytes, path: Path) -> str:
    """The text of a TOML file: DevkitError("FILE:LINE:COL: not UTF-8 ...") for other bytes.

    Bytes are never replaced: a changed character would be hashed, compared or installed
    as something the file does not say. A byte-order mark is named too (TOML has none).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        raise DevkitError(f"{path}:1:1: starts with a byte-order mark: save it as UTF-8 without one and run again")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = data.count(b"\n", 0, exc.start) + 1, exc.start - data.rfind(b"\n", 0, exc.start)
        where = f"{path}:{line}:{column}"
        raise DevkitError(
            f"{where}: not UTF-8 (byte 0x{data[exc.start]:02x}): save it as UTF-8 and run again"
        ) from None


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


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for plain data; a list of tables is written as an array of tables."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        return tomlkit.dumps(data)
    except (TOMLKitError, TypeError, ValueError) as exc:
        raise DevkitError(f"this data cannot be written as TOML ({exc}); please report it to devkit") from None


def plain(value: object) -> object:
    """A value of a tomlkit document as plain Python data (tables, arrays and scalars alike)."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if callable(unwrap) else value
