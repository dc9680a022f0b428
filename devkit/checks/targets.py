"""FILES of `devkit run`: the paths a file-based tool checks instead of the whole project.

On the commit path (a hook passes every staged file), so the standard library's cheapest
modules only.
"""

from __future__ import annotations

import errno
import os
import stat

from devkit.errors import DevkitError

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

PYTHON_SUFFIXES = (".py", ".pyi", ".ipynb")


def narrow(root: str, files: Sequence[str]) -> list[str]:
    """FILES as paths relative to the project root: folders and Python files.

    Other files are skipped (a hook may pass any staged file). A path that does not exist
    or lies outside the project, itself or through a symbolic link, is an error: a check
    that looked at nothing must not pass, and `format` must not rewrite another project.
    A commit hook passes every staged file (all of them with `--all-files`), so each costs
    one `lstat`: the working folder is read once and the real path of each folder looked
    up once.
    """
    here, inside, real_folders, kept = os.getcwd(), root.rstrip(os.sep) + os.sep, dict[str, str](), []
    for name in files:
        path, mode = _checked(root, here, name, real_folders)
        if stat.S_ISDIR(mode) or os.path.splitext(path)[1] in PYTHON_SUFFIXES:
            kept.append("." if path == root else path[len(inside) :].replace(os.sep, "/"))
    return kept


_MISSING = (errno.ENOENT, errno.ENOTDIR, errno.ELOOP)


def _checked(top: str, here: str, name: str, real_folders: dict[str, str]) -> tuple[str, int]:
    """The absolute path of FILE `name` (given from `here`), a file or folder inside `top`, and its mode."""
    shown = name if name.isprintable() else repr(name)
    if not name:
        raise DevkitError("an empty path in FILES: give files or folders (`.` for the whole project)")
    path = os.path.normpath(os.path.join(here, name))  # os.path.abspath, without a getcwd per file
    if not _inside(path, top):
        raise DevkitError(f"{shown} is outside the project {top}: give paths inside it")
    mode = _mode(path, shown, here, os.lstat)
    folder, base = os.path.split(path)
    if folder not in real_folders:
        real_folders[folder] = os.path.realpath(folder)
    real = os.path.join(real_folders[folder], base)
    if stat.S_ISLNK(mode):
        mode, real = _mode(path, shown, here, os.stat), os.path.realpath(real)
    if not _inside(real, top):
        raise DevkitError(f"{shown} is a link to {real}, outside the project {top}: give paths inside it")
    if not stat.S_ISDIR(mode) and not stat.S_ISREG(mode):
        raise DevkitError(f"{shown} is not a file or a folder (a pipe, socket or device): give Python files")
    return path, mode


def _mode(path: str, shown: str, here: str, look: Callable[[str], os.stat_result]) -> int:
    """The mode `look` (os.stat or os.lstat) finds at `path`; a one-line error when there is nothing."""
    try:
        return look(path).st_mode
    except OSError as exc:
        if exc.errno in _MISSING:
            raise DevkitError(f"{shown} does not exist (in {here}): check the path") from None
        raise DevkitError(f"{shown}: {exc.strerror}: check the path") from None  # a name too long, ...


def _inside(path: str, top: str) -> bool:
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)
