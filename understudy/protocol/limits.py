"""Limits at the HTTP edge: body and header size (answered as AWS JSON errors) and the bodies in flight.

Every request, to the AWS API and to the control plane, passes `Limits` before routing. A body over
its limit answers 413 `RequestEntityTooLargeException` (AWS's common error for it): MAX_BODY_BYTES
for an operation whose input carries files (ImportClientBranding's logos) and for the control
plane, AWS_BODY_BYTES for every other AWS operation. Headers over MAX_HEADER_BYTES answer 431.

The bodies being read or handled at once share IN_FLIGHT_BYTES, counted as their bytes arrive (a
declared length holds nothing until it is sent): a body that would take the total past it answers a
retryable 503 `ServiceUnavailableException` and its connection is closed, so many large uploads at
once cannot exhaust memory. Bodies allowed MAX_BODY_BYTES (uploads) and the others have a budget
each, so uploads never refuse the rest of the API. A head (request line and headers) over
MAX_HEAD_BYTES is refused by the protocol while it arrives (protocol/server.py), before any of our
code runs: that bound keeps a hostile client's memory small. The protocol also closes a connection
whose request has not fully arrived REQUEST_DEADLINE_SECONDS after it opened or after its previous
response, and one idle for KEEP_ALIVE_SECONDS after a response; one it ends after an answer, it reads
for at most LINGER_SECONDS more, so the client reads that answer.
"""

from collections.abc import Awaitable, Callable, MutableMapping
from functools import cache
from typing import Any

from botocore.model import Shape

from understudy.domain.errors import (
    AwsError,
    RequestEntityTooLargeException,
    RequestHeaderFieldsTooLargeException,
    ServiceUnavailableException,
)
from understudy.protocol import parser, serializer, spec

# The largest WorkSpaces input is ImportClientBranding: up to 6 MB of logos (AWS's limit), about 8 MB
# as base64 in JSON. 16 MiB admits it with room to spare.
MAX_BODY_BYTES = 16 << 20
# Every other input is small: 25 WorkSpaces with 50 tags each is about half a MiB. [CHOSEN]
AWS_BODY_BYTES = 1 << 20
# Two of the largest bodies at once, for uploads and, apart, for the other bodies. A body is held several
# times over while it is handled (the bytes read, the decoded JSON, the decoded logo), so 60 uploads of
# 16 MiB at once stay within about 300 MB (bench/README.md). [CHOSEN]
IN_FLIGHT_BYTES = 32 << 20
MAX_HEADER_BYTES = 16 << 10
MAX_HEAD_BYTES = 64 << 10
KEEP_ALIVE_SECONDS = 5
REQUEST_DEADLINE_SECONDS = 10
# After an answer that ends its connection, what the client still sends is read and dropped for at most this
# long (protocol/server.py, "Closing"). [CHOSEN]
LINGER_SECONDS = 5

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]


def body_limit(target: bytes | None) -> int:
    """The largest body an X-Amz-Target's operation takes: the full allowance only where the model's input
    carries a blob (a file), AWS_BODY_BYTES elsewhere; requests without a target are the control plane's."""
    if target is None:
        return MAX_BODY_BYTES
    try:
        service, op = parser.resolve_target(target.decode("latin-1"))
    except AwsError:
        return AWS_BODY_BYTES  # refused once read: an unknown operation needs no large body
    return _operation_limit(service, op.name)


@cache  # keyed by the model's operations, a bounded set, never by what a client sends
def _operation_limit(service: str, name: str) -> int:
    op = spec.operation_model(service, name)
    shape = op.input_shape if op is not None else None
    return MAX_BODY_BYTES if shape is not None and _carries_blob(shape, set()) else AWS_BODY_BYTES


def _carries_blob(shape: Shape, seen: set[str]) -> bool:
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "blob":
        return True
    children: list[Shape] = {"structure": lambda: list(shape.members.values()), "list": lambda: [shape.member],
                             "map": lambda: [shape.value]}.get(shape.type_name, list)()
    return any(_carries_blob(child, seen) for child in children)


Reply = Callable[[int, dict[str, str], bytes], None]


class Limits:
    """ASGI middleware: refuses oversized headers and bodies; hands the app a body already read in full."""

    def __init__(self, app: App, max_headers: int = MAX_HEADER_BYTES, in_flight: int = IN_FLIGHT_BYTES,
                 answer: Callable[[list[tuple[bytes, bytes]], bytes, Reply], None] | None = None,
                 together: Callable[[Callable[[], None]], None] | None = None):
        """`answer` is the AWS API as a plain call (the request's headers, with lower-case names, its whole
        body, and a `Reply` that gets the answer's status, headers and body, then or later; it never raises),
        which the server's protocol may call directly for a plain `POST /` that `admit` takes
        (protocol/server.py). `together`, if given, is called with a function that makes several such calls
        in a row, and calls it: the store's reads of a batch (Store.share_reads)."""
        self.app, self.max_headers, self.budget, self.answer = app, max_headers, in_flight, answer
        self.together = together
        # Bytes of the bodies arrived and not yet done with, in this process, by budget (a body's limit).
        self.in_flight = {MAX_BODY_BYTES: 0, AWS_BODY_BYTES: 0}

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.admit(scope["path"], scope["headers"])
        if isinstance(limit, AwsError):
            await reject(send, limit)
            return
        held = 0
        try:
            arrived, more = bytearray(), True
            while more:
                message = await receive()
                if message["type"] == "http.disconnect":
                    return
                arrived += message.get("body", b"")
                more = message.get("more_body", False)
                if len(arrived) > limit:  # a chunked body has no content-length to refuse up front
                    await reject(send, _too_large(limit))
                    return
                if not self.reserve(limit, len(arrived) - held):
                    await reject(send, self.busy(limit))
                    return
                held = len(arrived)
            body = bytes(arrived)
            del arrived  # one copy of the body is held while the app runs, not two
            await self.app(scope, _replay(body, receive), send)
        finally:
            self.release(limit, held)

    def admit(self, path: str, headers: list[tuple[bytes, bytes]]) -> int | AwsError:
        """Checks a request's head: the limit of its body (which names its budget for `reserve`), or the error
        that refuses it before its body is read."""
        header_bytes = sum(len(k) + len(v) + 4 for k, v in headers)
        if header_bytes > self.max_headers:
            return RequestHeaderFieldsTooLargeException(
                f"The request's headers are {header_bytes} bytes; Understudy accepts at most {self.max_headers}.")
        named = dict(headers)
        limit = body_limit(named.get(b"x-amz-target")) if path == "/" else MAX_BODY_BYTES
        length = named.get(b"content-length", b"0")
        if not length.isdigit() or int(length) > limit:
            return _too_large(limit)
        return limit

    def reserve(self, limit: int, n: int) -> bool:
        """Counts n more bytes of a body of this limit as held; False (nothing counted) past the budget."""
        if self.in_flight[limit] + n > self.budget:
            return False
        self.in_flight[limit] += n
        return True

    def release(self, limit: int, n: int) -> None:
        self.in_flight[limit] -= n

    def busy(self, limit: int) -> ServiceUnavailableException:
        return ServiceUnavailableException(f"Understudy is reading {self.in_flight[limit]} bytes of other requests' "
                                           "bodies already; retry shortly.")


def _too_large(limit: int) -> RequestEntityTooLargeException:
    return RequestEntityTooLargeException(f"Request body must be at most {limit} bytes.")


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def reject(send: Send, err: AwsError) -> None:
    """Answers an AWS error at the edge, before any app, and closes the connection."""
    headers = [(k.lower().encode(), v.encode()) for k, v in serializer.refusal_headers(err).items()]
    await send({"type": "http.response.start", "status": err.status, "headers": [*headers, (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": serializer.error_body(err)})
