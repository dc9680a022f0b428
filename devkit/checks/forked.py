"""mypy started in a fork of devkit's own interpreter, not in a new one.

A warm lint stage is mostly mypy, and a tenth of mypy is Python starting up: the
interpreter, `site` and .venv's path files, before mypy's first import. devkit has paid
all of that already, in the same interpreter mypy's console script names, so it forks
itself and runs the script in the child, which sees what a new process would:

- the arguments, working folder, environment and descriptors `parallel` gives a spawned
  tool (nothing of devkit's open but the three standard ones);
- the `sys.path` Python builds for the script (its folder first, symlinks followed),
  `__main__` a module of its own, and the interpreter's flags and `site` as they were
  for devkit, which is why this is done only when devkit itself was started as a plain
  script (`sys.orig_argv` holds no interpreter option) with no PYTHONHOME.

The child also collects garbage as mypy's build does (`GC_THRESHOLDS`, which mypy sets
only once its build begins) from its first import on, with devkit's own objects frozen
out of the collector's way: a warm mypy spends milliseconds importing, and the default
thresholds have the collector walk everything those imports create, again and again.
Collection changes no result, only when memory is reclaimed.

Only tools in `TOOLS`: mypy reads the project's sources and imports none of them, and
ends through `os._exit` (its "fast exit") once its output is flushed, so nothing of
devkit's (atexit handlers, module teardown) runs in the child either way. Any other
tool, or a script another interpreter runs, is spawned as before.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from types import CodeType
    from typing import NoReturn, TypeAlias

    Streams: TypeAlias = Sequence[tuple[int, str | int]]  # as for os.posix_spawn: descriptor, and a path or descriptor

TOOLS = frozenset({"mypy"})
GC_THRESHOLDS = (200_000, 30, 30)  # mypy's own, set by mypy.build when its build begins
_FAILED = 1  # the status of a Python process that ended on an uncaught exception


def start(words: Sequence[str], cwd: str, env: Mapping[str, str], streams: Streams) -> int | None:
    """The pid of `words` running in a fork of this interpreter, or None when it must be spawned.

    `streams` are the descriptors the child gets: the path opened read-only or the
    descriptor put at each.
    """
    code = _script(words[0])
    if code is None:
        return None
    sys.stdout.flush()  # what devkit printed must not be printed again by the child
    sys.stderr.flush()
    try:
        pid = os.fork()
    except OSError:  # no room for another process: spawning says why, as for any tool
        return None
    if pid == 0:
        _run(code, words, cwd, env, streams)
    return pid


def _script(path: str) -> CodeType | None:
    """The compiled console script at `path` when it may run in a fork of this interpreter, else None."""
    if os.path.basename(path) not in TOOLS or sys.orig_argv[1:] != sys.argv or "PYTHONHOME" in os.environ:
        return None
    if not os.access(path, os.X_OK):  # a script the system would not run: spawning it says why
        return None
    try:
        with open(path, "rb") as file:
            source = file.read()
    except OSError:
        return None
    if source.partition(b"\n")[0] != b"#!" + os.fsencode(sys.executable):
        return None
    try:
        return compile(source, path, "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return None


def _run(code: CodeType, words: Sequence[str], cwd: str, env: Mapping[str, str], streams: Streams) -> NoReturn:
    """In the child: become the script's process, run it, and end there whatever happens."""
    status = _FAILED
    try:
        import gc

        gc.freeze()
        gc.set_threshold(*GC_THRESHOLDS)
        _settle(words, cwd, env, streams)
        main = type(sys)("__main__")
        main.__file__ = words[0]
        sys.modules["__main__"] = main
        exec(code, main.__dict__)  # the tool's own console script, as Python would run it
        status = 0
    except SystemExit as exit_:
        status = _status(exit_.code)
    except BaseException:  # printed as Python prints an uncaught exception
        sys.excepthook(*sys.exc_info())
    finally:
        import contextlib

        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing left to say it on
                stream.flush()
        os._exit(status)


def _settle(words: Sequence[str], cwd: str, env: Mapping[str, str], streams: Streams) -> None:
    """Give the child the descriptors, folder, environment, arguments and sys.path of a new process."""
    for target, source in streams:
        if isinstance(source, str):
            opened = os.open(source, os.O_RDONLY)
            os.dup2(opened, target)
            os.close(opened)
        else:
            os.dup2(source, target)
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(env)
    sys.argv[:] = words
    sys.path[0] = os.path.dirname(_followed(words[0]))


def _followed(path: str) -> str:
    """`path` with its own symbolic links followed, as Python does for the folder of the script it runs."""
    while os.path.islink(path):
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return path


def _status(code: object) -> int:
    """The exit status SystemExit(`code`) gives, printing a message as Python does."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return _FAILED
