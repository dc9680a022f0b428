"""The command line: parse, dispatch to a command module, turn DevkitError into exit 1 (2 for usage).

A `devkit sync` that finds `.venv` in sync is answered by `devkit.env.noop` before argparse
and the command modules are imported: it runs on every make target and every hook. So is
`devkit run STAGE [FILES...]`, which goes straight to its command (see `_dispatch`), and
from there to the stage's stored plan while it is current (`devkit.checks.plan`).
"""

from __future__ import annotations

import sys

from devkit import console
from devkit.errors import DevkitError, UsageError

TYPE_CHECKING = False  # typing itself costs milliseconds at start-up
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence
    from typing import NoReturn

EPILOG = "Exit codes: 0 success, 1 failure (the message says what to do next), 2 bad usage."


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("devkit-toolchain")
    except PackageNotFoundError:
        return "unknown (running from source)"


COMMANDS = (
    "sync",
    "export",
    "audit",
    "run",
    "stages",
    "config",
    "ci",
    "cache-key",
    "makefile",
    "version",
    "bump",
    "release",
    "publish",
    "image",
    "check",
    "upgrade",
    "doctor",
    "init",
)


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `command`, only that command's subparser (start-up costs per command)."""
    import argparse
    import importlib

    class _VersionAction(argparse.Action):
        """--version, which reads the installed metadata only when asked."""

        def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
            super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

        def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
            print(f"devkit {_version()}")
            parser.exit()

    parser = argparse.ArgumentParser(
        prog="devkit",
        description="One way to work: the same environment and checks in make, pre-commit and CI.",
        epilog=EPILOG,
    )
    parser.add_argument("--version", action=_VersionAction, help="print devkit's version and exit")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    for name in [command] if command in COMMANDS else COMMANDS:
        importlib.import_module(f"devkit.commands.{name.replace('-', '_')}").add_parser(subparsers)
    return parser


def _dispatch(arguments: list[str]) -> Callable[[], int]:
    """The command `arguments` ask for; the parser exits on bad usage and answers --help.

    `devkit run STAGE [FILES...]` (each commit runs it) skips argparse and the other
    commands: `devkit.commands.run.quick_words` reads it as the parser would.
    """
    if arguments[:1] == ["run"]:
        from devkit.commands import run

        words = run.quick_words(arguments[1:])
        if words is not None:
            return lambda: run.run_stage(*words)
    args = build_parser(arguments[0] if arguments else None).parse_args(arguments)
    return lambda: int(args.run(args))


# The commands every commit and make target runs: serving the process's own command line,
# they end it themselves (see `_leave`).
_LEAVING = frozenset({"run", "sync"})
_UNFLUSHED = 120  # Python's exit status when its standard streams cannot be flushed at exit


def main(argv: Sequence[str] | None = None) -> int:
    """devkit with `argv` (None: the process's command line); the exit code.

    For `run` and `sync` on the process's own command line, the process ends here (see
    `_leave`); called with `argv`, as tests and other code do, main always returns.
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    code = _main(arguments)
    if argv is None and arguments[:1] and arguments[0] in _LEAVING:
        _leave(code)
    return code


def _main(arguments: list[str]) -> int:
    if arguments[:1] == ["sync"]:
        from devkit.env import noop

        if noop.answer(arguments):
            return 0
    command = _dispatch(arguments)
    try:
        code = command()
    except UsageError as exc:
        console.error(str(exc))
        return 2
    except DevkitError as exc:
        console.error(str(exc))
        return 1
    except KeyboardInterrupt:
        # Every command writes its files whole or not at all; a sync marks .venv in sync last.
        console.error(
            "interrupted: no file is left half-written (a sync leaves .venv marked stale): run the command again"
        )
        return 130
    return code


def _leave(code: int) -> NoReturn:
    """End the process with `code` as Python's exit does, minus the interpreter's teardown.

    atexit handlers run and stdout and stderr are flushed; what is skipped is freeing
    every module and object one by one, a millisecond and a half of a hook that takes
    twenty. `run` and `sync` hold no file open when they return.
    """
    import atexit
    import os

    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader that went away
        code = code or _UNFLUSHED
    os._exit(code)
