"""Limits at the HTTP edge: body and header size (answered as AWS JSON errors) and slow connections.

Every request, to the AWS API and to the control plane, passes `Limits` before routing. A body over
MAX_BODY_BYTES answers 413 `RequestEntityTooLargeException` (AWS's common error for it); headers
over MAX_HEADER_BYTES answer 431. Above H11_MAX_HEADER_BYTES uvicorn itself refuses the request
(a plain-text 400) before any of our code runs: that bound keeps a hostile client's memory small.

uvicorn times out idle keep-alive connections but never a connection that connects and then sends
nothing or half a request (it arms its timer only after a response). `DeadlineH11Protocol` closes a
connection whose request has not fully arrived REQUEST_DEADLINE_SECONDS after it opened or after
its previous response.
"""

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from understudy.domain.errors import AwsError, RequestEntityTooLargeException, RequestHeaderFieldsTooLargeException
from understudy.protocol import serializer

# The largest WorkSpaces input is ImportClientBranding: up to 6 MB of logos (AWS's limit), about 8 MB
# as base64 in JSON. 16 MiB admits it with room to spare.
MAX_BODY_BYTES = 16 << 20
MAX_HEADER_BYTES = 16 << 10
H11_MAX_HEADER_BYTES = 64 << 10
KEEP_ALIVE_SECONDS = 5
REQUEST_DEADLINE_SECONDS = 10


class Limits:
    """ASGI middleware: refuses oversized headers and bodies; hands the app a body already read in full."""

    def __init__(self, app, max_body: int = MAX_BODY_BYTES, max_headers: int = MAX_HEADER_BYTES):
        self.app, self.max_body, self.max_headers = app, max_body, max_headers

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header_bytes = sum(len(k) + len(v) + 4 for k, v in scope["headers"])
        if header_bytes > self.max_headers:
            await reject(send, RequestHeaderFieldsTooLargeException(
                f"The request's headers are {header_bytes} bytes; Understudy accepts at most {self.max_headers}."))
            return
        length = dict(scope["headers"]).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.max_body:
            await reject(send, self._too_large())
            return
        body, more = bytearray(), True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_body:  # a chunked body has no content-length to refuse up front
                await reject(send, self._too_large())
                return
        await self.app(scope, _replay(bytes(body), receive), send)

    def _too_large(self) -> RequestEntityTooLargeException:
        return RequestEntityTooLargeException(f"Request body must be at most {self.max_body} bytes.")


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def reject(send, err: AwsError) -> None:
    """Answers an AWS error at the edge, before any app, and closes the connection."""
    headers = [(k.lower().encode(), v.encode()) for k, v in serializer.error_headers(err).items()]
    await send({"type": "http.response.start", "status": err.status, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": serializer.error_body(err)})


class DeadlineH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for each request to arrive whole (head and body)."""

    _deadline = None

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._arm()

    def on_response_complete(self) -> None:
        self._arm()  # first: a pipelined request that uvicorn handles inside the call below may cancel it
        super().on_response_complete()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED) and self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def connection_lost(self, exc) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_DEADLINE_SECONDS, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()
