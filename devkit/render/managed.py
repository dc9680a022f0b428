"""Which files are devkit's: it renders over its own files and never over anyone else's.

Every file devkit renders into a project begins with a header whose first line starts
with `MARK` ("# Rendered by `devkit ..."). A file without it was written by hand: devkit
stops instead of writing over it, unless the user forces the write.
"""

from __future__ import annotations

from pathlib import Path

from devkit.errors import DevkitError
from devkit.files import atomic

MARK = "# Rendered by `devkit "


def is_devkits(path: Path) -> bool:
    """True when devkit may write `path`: it is missing, empty, or begins with devkit's header."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(MARK.encode()))
    except FileNotFoundError:
        return True
    except OSError as exc:
        raise atomic.failure(path, exc, what="read") from None
    return not head or head == MARK.encode()


def write(path: Path, text: str, *, force: bool, command: str, advice: str) -> None:
    """Write `text` to `path` atomically, once `require_writable` allows it."""
    require_writable(path, force=force, command=command, advice=advice)
    atomic.write_text(path, text)


def require_writable(path: Path, *, force: bool, command: str, advice: str) -> None:
    """Stop unless devkit may write `path`: it is devkit's, or `force` says to replace it.

    `command` is what renders the file and `advice` says how to keep the user's content.
    A symbolic link that leads out of the file's folder is refused, even with `force`.
    """
    target = path.resolve()
    if not target.is_relative_to(path.parent.resolve()):
        raise DevkitError(
            f"{path} is a link to {target}, outside the project: devkit writes only the project's files; "
            f"replace the link with a file (`rm {path.name}`), then run `{command}` again"
        )
    if not force and not is_devkits(path):
        raise DevkitError(
            f"{path} was not written by devkit: {advice}, then run `{command}` again; "
            f"or run `{command} --force` to replace it"
        )


def difference(path: Path, wanted: str, command: str) -> str:
    """A unified diff from `path` to `wanted`; empty when they are the same.

    `command` is what renders the file, named in the error when a folder is in its place.
    """
    import difflib

    if path.is_dir():
        raise DevkitError(f"{path} is a folder, not a file devkit renders: move it away, then run `{command}`")
    current = path.read_bytes().decode("utf-8", errors="replace") if path.is_file() else ""
    if current == wanted:
        return ""
    lines = difflib.unified_diff(
        current.splitlines(keepends=True),
        wanted.splitlines(keepends=True),
        f"{path.name} (committed)",
        f"{path.name} (rendered)",
    )
    return "".join(lines)
