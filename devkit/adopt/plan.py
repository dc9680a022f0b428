"""The edits `devkit init` makes: planned in full first, then shown as diffs or written."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from devkit.files import atomic


@dataclass(frozen=True)
class Edit:
    """A file's new text; `old` is None for a file `devkit init` creates."""

    path: Path
    old: str | None
    new: str

    def diff(self, root: Path) -> str:
        """The unified diff from the file as it is to the new text."""
        import difflib

        name = self.path.relative_to(root).as_posix()
        before = "/dev/null" if self.old is None else f"a/{name}"
        lines = difflib.unified_diff(
            (self.old or "").splitlines(keepends=True), self.new.splitlines(keepends=True), before, f"b/{name}"
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

    def write(self) -> None:
        """Write every edit, each file atomically."""
        for edit in self.edits:
            atomic.write_text(edit.path, edit.new)


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
