"""Understudy inside another Python process: a real server on a free port, in a background thread.

`serve_in_thread()` is for code outside pytest (scripts, notebooks, other test runners); the pytest
plugin builds on it. The server is the same app as `understudy serve`, on uvicorn, state in memory
unless a database is given.
"""

import json
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass, replace

import uvicorn

from understudy.app import create_app
from understudy.config import Settings
from understudy.protocol.server import SERVER_OPTIONS


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class RunningServer:
    url: str
    settings: Settings
    _server: uvicorn.Server
    _thread: threading.Thread

    def admin(self, method: str, path: str, body: dict | None = None) -> dict:
        """Calls the control plane; an error status raises urllib's HTTPError."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + "/_understudy" + path, data=data, method=method,
                                         headers={"content-type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            return json.loads(r.read())

    def advance(self, seconds: float) -> dict:
        """Moves the clock and answers once every transition now due has been applied."""
        return self.admin("POST", "/clock", {"advance_seconds": seconds})

    def reset(self) -> None:
        self.admin("POST", "/reset", {})

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)


def serve_in_thread(settings: Settings | None = None, **overrides) -> RunningServer:
    """Starts a server (by default: in-memory state, manual clock, instant timing) and returns once it answers.

    `overrides` are Settings fields, e.g. `serve_in_thread(timing="fast", quota_overrides={"workspaces": 5})`.
    """
    base = settings or Settings(db="sqlite://", clock="manual", timing="instant")
    settings = replace(base, port=overrides.pop("port", None) or _free_port(), **overrides)
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host=settings.host, port=settings.port,
                                           log_level="warning", access_log=False, **SERVER_OPTIONS))
    thread = threading.Thread(target=server.run, name="understudy", daemon=True)
    thread.start()
    url = f"http://{settings.host}:{settings.port}"
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the Understudy server did not start")
        time.sleep(0.01)
    return RunningServer(url, settings, server, thread)
