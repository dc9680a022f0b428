"""The edits `devkit init` makes: planned in full first, then shown as diffs or written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from devkit.files import atomic


@dataclass(frozen=True)
class Edit:
    """A file's new text; `old` is None for a file `devkit init` creates, `new` None for one it removes."""

    path: Path
    old: str | None
    new: str | None

    def diff(self, root: Path) -> str:
        """The unified diff from the file as it is to the new text."""
        import difflib

        name = self.path.relative_to(root).as_posix()
        before = "/dev/null" if self.old is None else f"a/{name}"
        after = "/dev/null" if self.new is None else f"b/{name}"
        lines = difflib.unified_diff(
            (self.old or "").splitlines(keepends=True), (self.new or "").splitlines(keepends=True), before, after
        )
        return "".join(lines)


@dataclass
class Plan:
    """Every edit, and the lines that tell the user what `devkit init` changed or left alone."""

    root: Path
    edits: list[Edit] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def change(self, path: Path, new: str) -> None:
        """Record `path`'s new text, unless it is what the file already holds."""
        old = read(path)
        if old != new:
            self.edits.append(Edit(path, old, new))

    def remove(self, path: Path) -> None:
        """Record that `path` goes (after the edits recorded before it are written)."""
        old = read(path)
        if old is not None:
            self.edits.append(Edit(path, old, None))

    def write(self) -> None:
        """Write every edit in order, each file atomically; a removal after the writes before it."""
        for edit in self.edits:
            if edit.new is None:
                _unlink(edit.path)
            else:
                atomic.write_text(edit.path, edit.new)


def _unlink(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise atomic.failure(path, exc, what="remove") from None


def read(path: Path) -> str | None:
    """The text of `path`; None when it does not exist."""
    from devkit.errors import DevkitError

    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except UnicodeDecodeError:
        raise DevkitError(f"{path} is not UTF-8: save it as UTF-8 and run `devkit init` again") from None
    except OSError as exc:
        raise atomic.failure(path, exc, what="read") from None
