"""The one exception for expected failures: its message is what the user reads."""

from __future__ import annotations


class DevkitError(Exception):
    """An expected failure: printed as one line on stderr, exit code 1, no traceback.

    The message says what went wrong and what to do next.
    """


class StaleError(DevkitError):
    """The environment is out of date where a check was asked for (exit code 1 as well)."""


class UsageError(DevkitError):
    """The command line asks for something that does not exist, such as an unknown group (exit code 2)."""
