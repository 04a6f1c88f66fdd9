"""Understudy inside the process, with no server and no socket: `understudy.mock()`.

boto3's `workspaces` and `ds` clients keep AWS's endpoint; botocore's `before-send` event hands each
prepared request to the same gateway `understudy serve` runs, and the answer comes back as the HTTP
response botocore would have read. Handlers are registered for those two services only, and for them
more specifically than a catch-all `before-send` (such as moto's `mock_aws`), so the two nest: moto
answers the other services, Understudy answers WorkSpaces and Directory Service.

    @understudy.mock()
    def test_standby():
        west = boto3.client("workspaces", region_name="us-west-2")    # no endpoint_url
        ...

State is in memory, the clock manual and timing `instant` unless told otherwise; the handle has the
pytest fixture's methods (`advance`, `outage`, `end_outage`, `sign_in`, `sign_out`, `set_dns`,
`reset`, `client`).
"""

import contextlib
import io
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import boto3
import botocore.handlers
from botocore.awsrequest import AWSResponse

from understudy import gateway
from understudy.app import prepare
from understudy.config import Settings
from understudy.domain import signins
from understudy.lifecycle import clock, outages, sessions
from understudy.store import Store

# botocore's service ids, as its events name them.
_EVENTS = ("before-send.workspaces", "before-send.directory-service")
_ACCOUNT = "123456789012"
_ANSWERED = "https://answered.understudy.invalid/"


class RawBody(io.BytesIO):
    """The raw body botocore reads a response from (also the tests' in-process server's)."""

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.getvalue()


class MockedUnderstudy:
    """What `understudy.mock()` gives: the state behind the intercepted clients, and the control plane."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = prepare(settings, Store(settings.db))
        self._lock = threading.Lock()  # one in-memory connection: requests take turns
        self.active = True  # a session made inside the block keeps the handler; once the block ends it passes

    def client(self, service: str = "workspaces", region: str = "us-east-1", account: str = _ACCOUNT):
        return boto3.client(service, region_name=region, aws_access_key_id=account,
                            aws_secret_access_key="understudy")

    def advance(self, seconds: float) -> dict:
        """Moves the clock; answers once every transition now due has been applied."""
        with self._lock:
            return clock.change(self.store, advance_seconds=seconds)

    def outage(self, region: str, api: str = "unavailable") -> dict:
        with self._lock:
            return outages.start(self.store, region, api)

    def end_outage(self, region: str) -> bool:
        with self._lock:
            return outages.end(self.store, region)

    def reset(self) -> None:
        with self._lock:
            self.store.reset()

    def sign_in(self, user: str, code: str, **kw: str) -> dict:
        """A user's sign-in, as the fixture's (docs/control-plane.md "Sign-ins and DNS")."""
        attempt = signins.parse_sign_in({"registration_code": code, "user": user, **kw})
        with self._lock:
            return sessions.sign_in(self.store, attempt)

    def sign_out(self, session_id: str) -> dict | None:
        with self._lock:
            return sessions.sign_out(self.store, session_id)

    def set_dns(self, name: str, primary: str, secondary: str | None = None, **kw: bool) -> dict:
        records = signins.parse_records([
            {"alias_id": alias, "failover": role, "health_check": kw.get(f"{role.lower()}_health_check", True)}
            for role, alias in (("PRIMARY", primary), ("SECONDARY", secondary)) if alias])
        with self._lock:
            return sessions.put_name(self.store, signins.dns_name(name), records)

    def answer(self, request: Any, **_: Any) -> AWSResponse | None:
        """The `before-send` handler: the prepared request through the gateway, as a response."""
        if not self.active:
            return None
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body.read() if hasattr(body, "read") else body
        headers = [(k.encode("latin-1"), (v if isinstance(v, bytes) else str(v).encode("latin-1")))
                   for k, v in request.headers.items()]
        with self._lock:
            r = gateway.handle(self.settings, self.store, headers, urlsplit(request.url).query, body)
        response = AWSResponse(request.url, r.status, r.headers, RawBody(r.body))
        # botocore calls every `before-send` handler and keeps the first answer, ours; a catch-all handler
        # after it (moto's) would still try the request and fail on an operation it lacks. Pointed at a
        # name that is no service's, the request is nobody else's business.
        request.url = _ANSWERED
        return response


class mock(contextlib.ContextDecorator):
    """A context manager and decorator: while it is active, boto3's WorkSpaces and Directory Service clients
    (made before or during it) are answered in this process. `settings` as for `serve_in_thread`."""

    def __init__(self, settings: Settings | None = None, **overrides: Any):
        base = settings or Settings(db="sqlite://", clock="manual", timing="instant")
        self._settings = replace(base, **overrides)
        self._undo: list[Callable[[], None]] = []

    def __enter__(self) -> MockedUnderstudy:
        handle = MockedUnderstudy(self._settings)
        # Sessions made from now on take the handler from botocore's built-ins; boto3's default session, if it
        # exists already, gets it directly. First in line, ahead of any catch-all handler.
        for event in _EVENTS:
            entry = (event, handle.answer)
            botocore.handlers.BUILTIN_HANDLERS.insert(0, entry)
            self._undo.append(lambda entry=entry: botocore.handlers.BUILTIN_HANDLERS.remove(entry))
            if boto3.DEFAULT_SESSION is not None:
                events = boto3.DEFAULT_SESSION._session.get_component("event_emitter")
                events.register_first(event, handle.answer)
                self._undo.append(lambda events=events, event=event: events.unregister(event, handle.answer))
        # Clients sign their requests, so they need credentials; a test that set none gets the default account's.
        # One attempt per call, unless chosen: an expected 503 (an outage) then costs no retries and backoff.
        for name, value in (("AWS_ACCESS_KEY_ID", _ACCOUNT), ("AWS_SECRET_ACCESS_KEY", "understudy"),
                            ("AWS_MAX_ATTEMPTS", "1")):
            if name not in os.environ:
                os.environ[name] = value
                self._undo.append(lambda n=name: os.environ.pop(n, None))
        self._undo.append(lambda: setattr(handle, "active", False))
        return handle

    def __exit__(self, *exc: object) -> None:
        while self._undo:
            self._undo.pop()()
