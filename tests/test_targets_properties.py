"""`targets.narrow` agrees with a plain reading of its rules on any list of FILES.

The reference below uses `os.path.abspath`, `os.stat`, `os.path.realpath` and
`os.path.relpath` for every name, as the rules read; `narrow` takes shortcuts (the working
folder read once, one `lstat` per file, each folder's real path looked up once). A fixed
tree holds every kind of entry a hook or a person can pass: files in and out of Python,
folders, links inside and outside the project, a dangling link, a link to a folder, a
pipe, names through `..` and `.`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devkit.checks import targets
from devkit.errors import DevkitError

NAMES = [
    "a.py", "b.txt", "pkg", "pkg/c.py", "pkg/", "./a.py", "pkg/../a.py", ".", "", "link_in.py", "link_out.py",
    "dangling.py", "linkdir", "linkdir/c.py", "fifo.py", "missing.py", "../outside.py", "nested/deeper/d.pyi",
    "nested", "notebook.ipynb", "a.py/x.py", "c.py", "../root/pkg/c.py",
]  # fmt: skip


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("narrow")
    root = top / "root"
    for name in ("a.py", "b.txt", "pkg/c.py", "nested/deeper/d.pyi", "notebook.ipynb"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("x = 1\n")
    (top / "outside.py").write_text("x = 1\n")
    (root / "link_in.py").symlink_to("a.py")
    (root / "link_out.py").symlink_to(top / "outside.py")
    (root / "dangling.py").symlink_to("nowhere.py")
    (root / "linkdir").symlink_to("pkg")
    os.mkfifo(root / "fifo.py")
    return root


def reference(root: str, names: Sequence[str]) -> list[str]:
    """FILES as the rules read, each rule with the standard library's plain tools."""
    kept = []
    for name in names:
        if not name:
            raise DevkitError("empty")
        path = os.path.abspath(name)
        if not inside(path, root):
            raise DevkitError("outside")
        try:
            mode = os.stat(path).st_mode
        except OSError:
            raise DevkitError("missing") from None
        if not inside(os.path.realpath(path), root):
            raise DevkitError("a link outside")
        if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
            raise DevkitError("not a file or folder")
        if stat.S_ISDIR(mode) or os.path.splitext(path)[1] in targets.PYTHON_SUFFIXES:
            kept.append(os.path.relpath(path, root))
    return kept


def inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top + os.sep)


def outcome(root: str, names: Sequence[str], narrow: bool) -> list[str] | str:
    """The kept paths, or the error and the name it stopped at."""
    reader = targets.narrow if narrow else reference
    try:
        return reader(root, names)
    except DevkitError:
        index = next(index for index in range(len(names)) if failed(reader, root, names[: index + 1]))
        return f"error at {names[index]!r}"


def failed(reader: Callable[[str, Sequence[str]], list[str]], root: str, names: Sequence[str]) -> bool:
    try:
        reader(root, names)
    except DevkitError:
        return True
    return False


@pytest.fixture
def inside_root(root: Path) -> Iterator[None]:
    here = os.getcwd()
    yield
    os.chdir(here)


@pytest.mark.usefixtures("inside_root")
@given(names=st.lists(st.sampled_from(NAMES), max_size=6), start=st.sampled_from(["", "pkg", "nested/deeper"]))
def test_narrow_keeps_and_refuses_what_the_plain_rules_do(root: Path, names: list[str], start: str) -> None:
    os.chdir(root / start)

    assert outcome(str(root), names, narrow=True) == outcome(str(root), names, narrow=False)


def test_the_tree_holds_every_outcome(root: Path, inside_root: None) -> None:
    os.chdir(root)
    refused = [name for name in NAMES if isinstance(outcome(str(root), [name], narrow=False), str)]

    assert set(refused) == {
        "", "link_out.py", "dangling.py", "fifo.py", "missing.py", "../outside.py", "a.py/x.py", "c.py",
    }  # fmt: skip
    assert targets.narrow(str(root), ["linkdir/c.py", "link_in.py", "pkg/", "b.txt"]) == [
        "linkdir/c.py",
        "link_in.py",
        "pkg",
    ]
