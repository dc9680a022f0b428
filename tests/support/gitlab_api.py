"""A stand-in for the one GitLab API call a release makes, served on 127.0.0.1.

GitLab cannot run here; everything else the release tests use is real. The double answers
`GET /api/v4/projects/ID/repository/commits/SHA/merge_requests` from `merge_requests`
(SHA -> the list GitLab would return), checks the `PRIVATE-TOKEN` header, and records every
request it gets.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PROJECT_ID = "42"
TOKEN = "glpat-release-token"
_PATH = re.compile(rf"/api/v4/projects/{PROJECT_ID}/repository/commits/([0-9a-f]+)/merge_requests")


@dataclass
class GitLab:
    """The double's state: its answers, a forced status, and the requests seen."""

    url: str = ""
    merge_requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    status: HTTPStatus = HTTPStatus.OK
    requests: list[str] = field(default_factory=list)

    def merged(self, sha: str, iid: int, *labels: str) -> None:
        """Commit `sha` came in with the merged request `iid` carrying `labels`."""
        self.merge_requests[sha] = [{"iid": iid, "state": "merged", "labels": list(labels)}]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        state = self.server.state
        state.requests.append(self.path)
        match = _PATH.fullmatch(self.path)
        if self.headers.get("PRIVATE-TOKEN") != TOKEN:
            self._send(HTTPStatus.UNAUTHORIZED, {"message": "401 Unauthorized"})
        elif match is None:
            self._send(HTTPStatus.NOT_FOUND, {"message": "404 Not found"})
        else:
            self._send(state.status, state.merge_requests.get(match[1], []))

    def _send(self, status: HTTPStatus, data: object) -> None:
        body = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """No access log in the test output."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, state: GitLab) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state


@contextmanager
def serve() -> Iterator[GitLab]:
    """Run the double until the block exits; its `url` is what `$CI_API_V4_URL` holds."""
    state = GitLab()
    server = _Server(state)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    thread = threading.Thread(target=server.serve_forever, name="gitlab-api", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
