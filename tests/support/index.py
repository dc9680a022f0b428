"""A throwaway PEP 503 "simple" package index served from a folder of wheels.

``serve_index(wheelhouse)`` starts a threaded ``http.server`` on 127.0.0.1 (a
free port) and yields a ``RunningIndex`` whose ``url`` ends in ``/simple/``.
Pages are generated per request from the files present in the folder at that
moment, so wheels added after start are visible at once:

* ``/simple/`` lists every project (PEP 503 normalized names);
* ``/simple/<name>/`` links each file as ``../../files/<file>#sha256=<hex>``
  with ``data-requires-python`` (HTML-escaped) read from the wheel METADATA;
* ``/files/<file>`` serves the file itself (after ``RunningIndex.slow`` seconds, if set).

``RunningIndex.watch()`` names the projects whose page or files are requested in a block.

Only wheels (``*.whl``) are indexed.
"""

from __future__ import annotations

import email.parser
import hashlib
import html
import re
import threading
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

_HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class RunningIndex:
    """A started index: ``url`` is the simple-index root, e.g. ``http://127.0.0.1:PORT/simple/``."""

    url: str
    wheelhouse: Path
    server: _IndexServer

    @contextmanager
    def slow(self, seconds: float) -> Iterator[None]:
        """Delay every file download by `seconds` inside the block (pages stay fast)."""
        self.server.delay = seconds
        try:
            yield
        finally:
            self.server.delay = 0.0

    @contextmanager
    def watch(self) -> Iterator[set[str]]:
        """A set that fills, inside the block, with the projects whose page or files are requested."""
        asked: set[str] = set()
        with self.server.lock:
            self.server.watchers.append(asked)
        try:
            yield asked
        finally:
            with self.server.lock:
                self.server.watchers.remove(asked)


@dataclass(frozen=True)
class _Dist:
    filename: str
    project: str
    sha256: str
    requires_python: str | None


def normalize_project(name: str) -> str:
    """Return the PEP 503 normalized form of a project name (``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _requires_python(wheel: Path) -> str | None:
    with zipfile.ZipFile(wheel) as archive:
        for member in archive.namelist():
            parts = member.split("/")
            if len(parts) == 2 and parts[0].endswith(".dist-info") and parts[1] == "METADATA":
                text = archive.read(member).decode("utf-8")
                return email.parser.Parser().parsestr(text, headersonly=True).get("Requires-Python")
    return None


_SEEN: dict[tuple[Path, int, int], _Dist] = {}
_SEEN_LOCK = threading.Lock()


def _scan(wheelhouse: Path) -> list[_Dist]:
    """Every wheel in the folder; a file is hashed and read once per (size, mtime)."""
    dists = []
    for path in sorted(wheelhouse.glob("*.whl")):
        status = path.stat()
        key = (path, status.st_size, status.st_mtime_ns)
        with _SEEN_LOCK:
            if key not in _SEEN:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                project = normalize_project(path.name.split("-", 1)[0])
                _SEEN[key] = _Dist(path.name, project, digest, _requires_python(path))
            dists.append(_SEEN[key])
    return dists


def _page(title: str, links: list[str]) -> bytes:
    body = "\n".join(f"    {link}<br/>" for link in links)
    text = (
        "<!DOCTYPE html>\n<html>\n  <head>\n"
        '    <meta name="pypi:repository-version" content="1.0">\n'
        f"    <title>{html.escape(title)}</title>\n  </head>\n  <body>\n"
        f"{body}\n  </body>\n</html>\n"
    )
    return text.encode("utf-8")


def _root_page(dists: list[_Dist]) -> bytes:
    projects = sorted({dist.project for dist in dists})
    links = [f'<a href="{html.escape(p)}/">{html.escape(p)}</a>' for p in projects]
    return _page("Simple index", links)


def _file_link(dist: _Dist) -> str:
    href = html.escape(f"../../files/{dist.filename}#sha256={dist.sha256}")
    attrs = f'href="{href}"'
    if dist.requires_python is not None:
        attrs += f' data-requires-python="{html.escape(dist.requires_python)}"'
    return f"<a {attrs}>{html.escape(dist.filename)}</a>"


def _project_page(project: str, dists: list[_Dist]) -> bytes | None:
    mine = [dist for dist in dists if dist.project == project]
    if not mine:
        return None
    return _page(f"Links for {project}", [_file_link(dist) for dist in mine])


class _Handler(BaseHTTPRequestHandler):
    """Answers GET and HEAD for the index; ``server.wheelhouse`` is the folder."""

    server: _IndexServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        """Serve a page or a file, with its body."""
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        """Serve a page or a file, headers only."""
        self._respond(send_body=False)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet: no access log."""

    def _respond(self, *, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        self._note(path)
        if path == "/simple":
            self._redirect("/simple/")
        elif path == "/simple/":
            self._send(_root_page(_scan(self.server.wheelhouse)), _HTML_TYPE, send_body)
        elif path.startswith("/simple/"):
            self._project(path.removeprefix("/simple/"), send_body)
        elif path.startswith("/files/"):
            self._file(path.removeprefix("/files/"), send_body)
        else:
            self._not_found(send_body)

    def _note(self, path: str) -> None:
        """Tell the watchers which project a page or file request is for."""
        if path.startswith("/simple/") and path != "/simple/":
            name = path.removeprefix("/simple/").split("/")[0]
        elif path.startswith("/files/"):
            name = path.removeprefix("/files/").split("-")[0]
        else:
            return
        with self.server.lock:
            for watcher in self.server.watchers:
                watcher.add(normalize_project(name))

    def _project(self, rest: str, send_body: bool) -> None:
        name = rest.rstrip("/")
        if "/" in name or not name:
            self._not_found(send_body)
        elif name != normalize_project(name) or not rest.endswith("/"):
            self._redirect(f"/simple/{normalize_project(name)}/")
        else:
            page = _project_page(name, _scan(self.server.wheelhouse))
            if page is None:
                self._not_found(send_body)
            else:
                self._send(page, _HTML_TYPE, send_body)

    def _file(self, filename: str, send_body: bool) -> None:
        target = self.server.wheelhouse / filename
        if "/" in filename or filename.startswith(".") or not target.is_file():
            self._not_found(send_body)
        else:
            time.sleep(self.server.delay)
            self._send(target.read_bytes(), "application/octet-stream", send_body)

    def _send(self, body: bytes, content_type: str, send_body: bool, status: HTTPStatus = HTTPStatus.OK) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _not_found(self, send_body: bool) -> None:
        self._send(b"not found\n", "text/plain; charset=utf-8", send_body, HTTPStatus.NOT_FOUND)


class _IndexServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, wheelhouse: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.wheelhouse = wheelhouse
        self.delay = 0.0
        self.lock = threading.Lock()
        self.watchers: list[set[str]] = []


@contextmanager
def serve_index(wheelhouse: Path) -> Iterator[RunningIndex]:
    """Serve *wheelhouse* as a PEP 503 index on 127.0.0.1 until the block exits."""
    server = _IndexServer(wheelhouse.resolve())
    thread = threading.Thread(target=server.serve_forever, name="test-index", daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        yield RunningIndex(url=f"http://127.0.0.1:{port}/simple/", wheelhouse=wheelhouse, server=server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
