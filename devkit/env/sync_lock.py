"""One sync at a time per project: a second one waits, then finds the work done."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devkit import console


@contextmanager
def exclusive(path: Path, *, quiet: bool = False) -> Iterator[None]:
    """Hold an exclusive lock on `path`, waiting (with a message) while another holder has it."""
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        from devkit.files import atomic

        raise atomic.failure(path, exc, what="open the sync lock") from None
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not quiet:
                console.info("another devkit sync is running in this project; waiting for it to finish")
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)
