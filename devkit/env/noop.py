"""The no-op check of `devkit sync`, on the cheapest modules of the standard library.

A `devkit sync` whose stamp matches is the common case (every make target, every hook
runs one), so it is answered before argparse, pathlib or any devkit record is imported:
read the two key files and the stamp, compare, done. Any argument this module does not
know sends the call down the full path, which gives the same answer more slowly.
"""

from __future__ import annotations

import json
import os
import sys

from devkit.env import cache_key
from devkit.env.names import canonical
from devkit.env.root import nearest

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    from collections.abc import Callable

STAMP = "devkit-stamp.json"
FORMAT = 2
_LOCKS = ("poetry.lock", "uv.lock")
_LISTS = {"--only": "only", "--with": "with_groups", "--without": "without", "--extras": "extras", "-E": "extras"}
_REQUEST_LISTS = ("only", "with_groups", "without", "extras")
_FLAGS = {"--no-root": ("root", False), "--all-extras": ("all_extras", True)}
_INSTALLERS = ("uv", "poetry")
_STAMP_STRINGS = ("key", "python", "installer", "installer_version")


def request_from_argv(argv: list[str]) -> dict[str, object] | None:
    """The stamp's request for `devkit sync ARGS`, or None when the full parser is needed."""
    if not argv or argv[0] != "sync":
        return None
    lists: dict[str, set[str]] = {key: set() for key in _REQUEST_LISTS}
    request: dict[str, object] = {"root": True, "all_extras": False, "installer": "", "quiet": False}
    words = iter(argv[1:])
    for word in words:
        name, equals, value = word.partition("=")
        if equals and not name.startswith("--"):
            return None  # argparse reads `-E=x` as the value "=x"
        if name in _LISTS or name == "--installer":
            value = value if equals else next(words, "")
            if not value or value.startswith("-"):
                return None
            if name == "--installer":
                if value not in _INSTALLERS:
                    return None
                request["installer"] = value
            else:
                lists[_LISTS[name]].update(canonical(part) for part in value.replace(",", " ").split())
        elif word in _FLAGS:
            key, flag = _FLAGS[word]
            request[key] = flag
        elif word in ("-q", "--quiet"):
            request["quiet"] = True
        else:
            return None
    return {**{key: sorted(names) for key, names in lists.items()}, **request}


def read_stamp(root: str) -> dict[str, object] | None:
    """The stamp of `ROOT/.venv` as stored, or None when there is no well-formed one."""
    place = os.path.join(root, ".venv", STAMP)
    if not os.path.isfile(place):  # a directory or a pipe is no stamp, and open() could block on a pipe
        return None
    try:
        with open(place, "rb") as handle:
            stamp = json.load(handle)
    except (OSError, ValueError, RecursionError):
        return None
    return stamp if well_formed(stamp) else None


def well_formed(stamp: object) -> bool:
    """Whether `stamp` has every key a finished sync writes, each of its type."""
    if not isinstance(stamp, dict) or type(stamp.get("format")) is not int or stamp["format"] != FORMAT:
        return False
    if not all(isinstance(stamp.get(key), str) for key in _STAMP_STRINGS) or not _strings(stamp.get("groups")):
        return False
    return _request_ok(stamp.get("request")) and _request_ok(stamp.get("selection"))


def _request_ok(request: object) -> bool:
    if not isinstance(request, dict) or sorted(request) != sorted((*_REQUEST_LISTS, "root", "all_extras", "installer")):
        return False
    lists_ok = all(_strings(request[key]) for key in _REQUEST_LISTS)
    flags_ok = isinstance(request["root"], bool) and isinstance(request["all_extras"], bool)
    return lists_ok and flags_ok and isinstance(request["installer"], str)


def _strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def staleness(
    root: str,
    lock_name: str,
    request: dict[str, object],
    key: str,
    selection: Callable[[], dict[str, object]] | None = None,
) -> str | None:
    """Why `ROOT/.venv` is not in sync for `request` and `key`, or None when it is.

    A request other than the stamp's is still in sync when `selection` (the request on
    top of the project's defaults, computed only then) is the selection the stamp records.
    """
    venv = os.path.join(root, ".venv")
    stamp = read_stamp(root)
    if stamp is None:
        return ".venv was not built by a finished `devkit sync`"
    if stamp.get("key") != key:
        return f"{lock_name} or pyproject.toml changed since the last sync"
    if stamp.get("request") != request and (selection is None or stamp.get("selection") != selection()):
        groups = stamp.get("groups")
        groups = ", ".join(map(str, groups)) if isinstance(groups, list) else "unknown groups"
        return f"the last sync installed other groups, extras or options ({groups} with {stamp.get('installer')})"
    if not os.path.exists(os.path.join(venv, "bin", "python")):
        return "the Python that .venv was built with is gone"
    return None


def key_of(root: str, lock_name: str) -> str:
    """The environment's key: the cache key digest of the lock and pyproject.toml."""
    return cache_key.digest([os.path.join(root, lock_name), os.path.join(root, "pyproject.toml")])


def answer(argv: list[str]) -> bool:
    """True when this is a `devkit sync` and `.venv` is already in sync (it printed so)."""
    request = request_from_argv(argv)
    if request is None:
        return False
    quiet = request.pop("quiet")
    top = nearest(os.getcwd())
    if top is None:
        return False
    locks = [name for name in _LOCKS if os.path.isfile(os.path.join(top, name))]
    if len(locks) != 1 or staleness(top, locks[0], request, key_of(top, locks[0])) is not None:
        return False
    if not quiet:
        print(f"devkit: .venv is in sync with {locks[0]}", file=sys.stderr)
    return True
