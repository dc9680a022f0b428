"""pypiserver on 127.0.0.1: a real package index that accepts uploads, for `devkit publish`."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serve_uploads(folder: Path) -> Iterator[str]:
    """pypiserver serving and accepting uploads into `folder`, no authentication; yields its root URL."""
    server = Path(sys.executable).parent / "pypi-server"
    port = _free_port()
    no_auth = ["-a", ".", "-P", "."]
    command: list[str | Path] = [
        server,
        "run",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        *no_auth,
        "--disable-fallback",
        folder,
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pypi-server exited with {process.returncode} before serving {url}")
        try:
            with urllib.request.urlopen(url + "simple/", timeout=2):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.1)
    raise AssertionError(f"pypi-server did not answer at {url} within 30 s")
