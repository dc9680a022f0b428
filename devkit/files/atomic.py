"""Every file devkit writes, written atomically: a reader sees the old file or the whole new one.

The text goes to a hidden temporary file in the target's folder, is flushed to disk and
then renamed over the target (`os.replace`). On any failure the temporary file is
removed and the target is left exactly as it was; an OSError becomes a one-line
DevkitError that names the path, the cause and what to do.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from devkit.errors import DevkitError

_NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
_DENIED = (errno.EACCES, errno.EPERM)


def write_text(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically, keeping an existing file's mode."""
    write_bytes(path, text.encode())


def write_text_if_changed(path: Path, text: str) -> bool:
    """Write `text` to `path` atomically unless it already holds exactly that; True when written.

    An unchanged file keeps its modification time, so what keys on it (a Docker layer, make) stays.
    """
    try:
        if path.is_file() and path.read_bytes() == text.encode():
            return False
    except OSError as exc:
        raise failure(path, exc, what="read") from None
    write_text(path, text)
    return True


def write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically, keeping an existing file's mode.

    A symbolic link stays one: the file it points to is replaced.
    """
    import tempfile  # imported here: costs ~10 ms, and the no-op paths write nothing

    path = path.resolve() if path.is_symlink() else path
    mode = _mode(path)
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise failure(path, exc) from None
    try:
        _fill(handle, data, mode)
        os.replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):  # the first failure is the one to report
            os.unlink(temporary)
        if isinstance(exc, OSError):
            raise failure(path, exc) from None
        raise


def make_folder(path: Path) -> None:
    """Create the folder `path` (its parent must exist); fine when it is already there."""
    try:
        path.mkdir(exist_ok=True)
    except OSError as exc:
        raise failure(path, exc, what="create the folder") from None


def failure(path: Path, exc: OSError, what: str = "write") -> DevkitError:
    """The one-line error for an OSError met while writing (or reading) `path`: cause and what to do."""
    folder = path.parent
    if exc.errno in _NO_SPACE:
        return DevkitError(f"cannot {what} {path}: no space left on the device: free some space and run again")
    if exc.errno in _DENIED:
        culprit = f"{path} is not readable" if what == "read" else f"the folder {folder} is not writable"
        return DevkitError(
            f"cannot {what} {path}: permission denied: {culprit} for this user; "
            "run devkit as its owner or fix its permissions"
        )
    if exc.errno == errno.EROFS:
        return DevkitError(
            f"cannot {what} {path}: {folder} is on a read-only file system: run devkit on a writable copy"
        )
    if exc.errno == errno.EEXIST:
        return DevkitError(f"cannot {what} {path}: a file or a broken link is in its place: move it away and run again")
    if exc.errno == errno.EISDIR:
        return DevkitError(f"cannot {what} {path}: it is a folder: move it away and run again")
    reason = exc.strerror or str(exc)
    return DevkitError(f"cannot {what} {path}: {reason}: fix that and run again")


def _mode(path: Path) -> int:
    """The mode the written file gets: the existing file's, else what umask gives a new file."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fill(handle: int, data: bytes, mode: int) -> None:
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fchmod(stream.fileno(), mode)
        os.fsync(stream.fileno())
