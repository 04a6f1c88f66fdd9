"""The HTTP protocol `understudy serve` runs on: uvicorn's httptools protocol (llhttp on uvloop), with
the bounds it lacks and a direct path for the AWS API.

- **Deadlines.** uvicorn times out idle keep-alive connections but never one that connects and then
  sends nothing or half a request (it arms its timer only after a response). A connection whose request
  has not fully arrived REQUEST_DEADLINE_SECONDS after it opened or after its previous response is closed:
  one that sent nothing more, silently; one with half a request, after a 408 in AWS's format ("Closing").
  A request has begun from its first byte (llhttp's message begin), also when it came in one read with the
  request before it: uvicorn's keep-alive timer, armed after that one's answer, does not cut it short.
- **Head size.** A request's head over MAX_HEAD_BYTES gets a 431 in AWS's format while it arrives, and
  the connection is closed, before the head is kept any longer.
- **The direct path.** A plain `POST /` (a declared length that `Limits.admit` takes, no `Origin`, no
  `Expect`) is answered on the protocol itself: its body is gathered as it arrives, counted against
  the bodies' budget (past it, a 503 and the connection closed, as on the ASGI path), and the app's
  `answer` (the gateway) runs when it is whole, and the response is written in one piece. It skips the
  ASGI task, the middleware and uvicorn's response writer, which cost about as much as the gateway's
  whole work on a by-id read (bench/README.md). Every other request, including those the limits
  refuse, takes the ASGI path, which answers them.
- **Closing.** When an answer ends its connection (a refusal, or `Connection: close`), the server sends it,
  then its end of the stream, and reads and drops what the client still sends, until the client closes or
  LINGER_SECONDS pass. Closed at once with a body still arriving, the socket would answer the client's next
  bytes with a reset, which discards the answer before a client that writes its whole body first (Python's
  http.client, and requests on it) reads it. This covers uvicorn's closes of the ASGI path too: its
  request cycle is given a transport whose `close` is this one.
- **Turns.** One client must not hold the event loop: each read from a connection gets at most one
  direct answer, and none while the connection's unread answers fill its write buffer. Requests
  pipelined behind it take the ASGI path, one task each, which waits for the client to read, and
  reading from the connection stops while any of them wait (uvicorn would read on after every answer,
  queueing without bound).
- **Batches.** The direct requests that become whole during one turn of the event loop are answered
  together, in one callback after the loop has read from every ready connection: first each one's
  gateway, one after another (inside the app's `together`: on SQLite, in one read snapshot), then every
  answer's write. Interleaving each request's Python with its socket reads and writes left the CPU's
  caches cold for the next one: grouped, a by-id read costs about half the CPU under load
  (bench/README.md). An answer that waits on the store (gateway.answer) is written in the batch of the
  turn its row arrives in.
"""

import asyncio
import weakref
from collections.abc import Callable
from functools import partial

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol, RequestResponseCycle

from understudy.domain.errors import (
    AwsError,
    RequestHeaderFieldsTooLargeException,
    RequestTimeoutException,
    SerializationException,
)
from understudy.protocol import serializer
from understudy.protocol.limits import (
    KEEP_ALIVE_SECONDS,
    LINGER_SECONDS,
    MAX_HEAD_BYTES,
    REQUEST_DEADLINE_SECONDS,
    Limits,
)


class _NobodyWaits:
    """uvicorn sets its current request's `message_event` when more of the body arrives or the client goes;
    nothing awaits a direct answer's, so it is a no-op rather than an asyncio.Event made per request."""

    def set(self) -> None:
        return None


class _Awaited:
    """A direct answer not yet written (queued in a batch, or waiting on the store), where uvicorn looks for
    the request being answered: requests pipelined behind it queue until it is written, a shutdown lets it
    finish and then closes the connection, and a lost connection marks it, so it is not written."""

    __slots__ = ("keep_alive", "response_complete", "disconnected", "replied")
    message_event = _NobodyWaits()

    def __init__(self, keep_alive: bool):
        self.keep_alive, self.response_complete, self.disconnected, self.replied = keep_alive, False, False, False


class _Batch:
    """One event loop's direct requests and answers of the current turn ("Batches"), run in one callback."""

    def __init__(self, loop: asyncio.AbstractEventLoop, together: Callable[[Callable[[], None]], None] | None):
        self._loop, self._scheduled, self._together = loop, False, together
        self._runs: list[Callable[[], None]] = []
        self._writes: list[Callable[[], None]] = []

    def run(self, answer: Callable[[], None]) -> None:
        self._schedule()
        self._runs.append(answer)

    def write(self, write: Callable[[], None]) -> None:
        self._schedule()
        self._writes.append(write)

    def _schedule(self) -> None:
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self._flush)

    def _flush(self) -> None:
        while self._runs or self._writes:  # the answers' writes come after every request's work
            runs, self._runs = self._runs, []
            if len(runs) > 1 and self._together is not None:
                self._each([partial(self._together, partial(self._each, runs))])  # its own failure is reported too
            else:
                self._each(runs)
            writes, self._writes = self._writes, []
            self._each(writes)
        self._scheduled = False

    def _each(self, steps: list[Callable[[], None]]) -> None:
        for step in steps:
            try:
                step()
            except Exception as e:  # one request's failure leaves the rest of the batch to run
                self._loop.call_exception_handler({"message": "a direct answer failed", "exception": e})


class _ClosingGently:
    """The connection's transport as the ASGI path's request cycle holds it: its `close` lingers ("Closing")."""

    __slots__ = ("_transport", "close")

    def __init__(self, transport: asyncio.Transport, close: Callable[[], None]):
        self._transport, self.close = transport, close

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._transport, name)


_BATCHES: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Batch]" = weakref.WeakKeyDictionary()


class EdgeProtocol(HttpToolsProtocol):
    _deadline: asyncio.TimerHandle | None = None
    _head: int | None = 0  # bytes of the current request's head so far; None once the head is whole
    _requests = 0  # requests that have arrived whole on this connection
    _begun = False  # whether the next request has begun to arrive (llhttp read its first byte) and is not whole
    _direct: bytearray | None = None  # the body of a request on the direct path, while it arrives
    _limit = 0  # its limit, which names its budget in Limits
    _held = 0  # the bytes of it Limits counts as held
    _ignoring = False  # refused while its body arrived: what follows on the connection, which is closing, is not read
    _keep_alive = True
    _answered = False  # whether a direct answer was given during the current read (data_received)
    _running: RequestResponseCycle | None = None  # the request uvicorn's ASGI path answers now
    _lingering = False  # its answer sent and its end of the stream closed: what arrives is dropped ("Closing")

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._batch = _BATCHES.get(self.loop) or _BATCHES.setdefault(
            self.loop, _Batch(self.loop, self.app.together if isinstance(self.app, Limits) else None))
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._lingering:
            return
        requests, started = self._requests, self._head is not None
        self._answered = False
        super().data_received(data)
        if started and self._head is not None and self._requests == requests and not self.transport.is_closing():
            self._head += len(data)  # the head was not whole before this chunk nor after it: all of it is head
            if self._head > MAX_HEAD_BYTES:
                self._refuse_head()

    def on_message_begin(self) -> None:
        self._begun = True
        super().on_message_begin()

    def on_headers_complete(self) -> None:
        self._head = None
        if not self._ignoring and not self._take_directly():
            super().on_headers_complete()
            if self.cycle is not None:  # uvicorn's cycle for this request, which closes the connection it ends
                self.cycle.transport = _ClosingGently(self.transport, self._linger)  # type: ignore[assignment]

    def on_body(self, body: bytes) -> None:
        if self._ignoring:
            return
        if self._direct is None:
            super().on_body(body)
        elif self.app.reserve(self._limit, len(body)):
            self._held += len(body)
            self._direct += body  # at most the declared length, which Limits admitted: llhttp frames by it
        else:
            self._refuse_directly()

    def on_message_complete(self) -> None:
        if self._ignoring:
            return
        self._head = 0  # what comes next on the connection is the next request's head
        self._requests += 1
        self._begun = False
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None
        if self._direct is None:
            super().on_message_complete()
        else:
            self._answer_directly()

    def on_response_complete(self) -> None:
        if self._lingering:  # the connection ends with this answer ("Closing"): nothing pipelined is answered
            return
        self._arm()  # first: a pipelined request that uvicorn handles inside the call below may cancel it
        super().on_response_complete()
        if self.pipeline and not self.transport.is_closing():
            self.flow.pause_reading()  # uvicorn resumed reading: not while requests still queue (Turns)
        if self._begun:  # the next request has begun: its deadline governs, not uvicorn's keep-alive timer
            self._unset_keepalive_if_required()

    def _start_asgi_task(self, cycle: RequestResponseCycle, app) -> None:  # type: ignore[no-untyped-def]
        self._running = cycle
        super()._start_asgi_task(cycle, app)

    def connection_lost(self, exc: Exception | None) -> None:
        # uvicorn marks only the last request it parsed as disconnected: with requests pipelined, the one
        # being answered would write to the closed transport (a traceback in the log) once it may write again.
        for cycle in (self._running, *(queued for queued, _ in self.pipeline)):
            if cycle is not None:
                cycle.disconnected = True
        if self._deadline is not None:
            self._deadline.cancel()
        if self._direct is not None:  # gone before its body was whole: what it held comes back
            self._direct = None
            self.app.release(self._limit, self._held)
        super().connection_lost(exc)

    def _take_directly(self) -> bool:
        """Whether this request takes the direct path; if so, its body is gathered here, counted as it arrives."""
        app = self.app
        if (not isinstance(app, Limits) or app.answer is None or self._answered or self.flow.write_paused
                or self.url != b"/" or self.expect_100_continue
                or self.parser.get_method() != b"POST" or self.parser.should_upgrade()
                or self.limit_concurrency is not None or (self.cycle is not None and not self.cycle.response_complete)
                or any(name == b"origin" or name == b"transfer-encoding" for name, _ in self.headers)):
            return False
        limit = app.admit("/", self.headers)
        if not isinstance(limit, int):
            return False  # refused: the ASGI path answers why
        self._limit, self._held = limit, 0
        self._keep_alive = self.parser.should_keep_alive() and self.parser.get_http_version() == "1.1"
        self._direct = bytearray()
        return True

    def _answer_directly(self) -> None:
        """Queues the request for this turn's batch. Until its answer is written it stands as uvicorn's
        current request, so what is pipelined behind it queues, and the connection is not read."""
        body, self._direct, self._answered = bytes(self._direct or b""), None, True
        awaited, limit, held, headers = _Awaited(self._keep_alive), self._limit, self._held, self.headers
        self.cycle = awaited  # type: ignore[assignment]
        self.flow.pause_reading()

        def reply(status: int, headers: dict[str, str], answer: bytes) -> None:
            awaited.replied = True
            self.app.release(limit, held)
            self._batch.write(lambda: self._finish(awaited, status, headers, answer))

        def run() -> None:
            try:
                self.app.answer(headers, body, reply)
            except BaseException:
                if not awaited.replied:
                    self.app.release(limit, held)
                self.transport.close()
                raise

        self._batch.run(run)

    def _finish(self, awaited: _Awaited, status: int, headers: dict[str, str], answer: bytes) -> None:
        awaited.response_complete = True
        if awaited.disconnected or self.transport.is_closing():  # the client went while it waited
            return
        self._keep_alive = awaited.keep_alive  # a shutdown meanwhile asks for the connection to close
        self._write(status, headers, answer)
        self.on_response_complete()

    def _refuse_directly(self) -> None:
        self.app.release(self._limit, self._held)
        self._direct, self._ignoring = None, True
        self._refuse(self.app.busy(self._limit))

    def _write(self, status: int, headers: dict[str, str], body: bytes) -> None:
        """Writes a whole response in one piece; without keep-alive it says so and closes the connection."""
        head = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            head += [name, b": ", value, b"\r\n"]
        for key, text in headers.items():
            head += [key.lower().encode(), b": ", text.encode(), b"\r\n"]
        head.append(b"content-length: %d\r\n" % len(body))
        if not self._keep_alive:
            head.append(b"connection: close\r\n")
        head += [b"\r\n", body]
        self.transport.write(b"".join(head))
        if not self._keep_alive:
            self._linger()

    def _arm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(REQUEST_DEADLINE_SECONDS, self._expire)

    def _linger(self) -> None:
        """Ends the connection after its last answer ("Closing"): the answer and the end of the stream are sent,
        what the client still sends is dropped, and the connection closes when the client closes its end or
        LINGER_SECONDS after this."""
        transport = self.transport
        if transport.is_closing() or self._lingering:
            return
        self._lingering = True
        transport.write_eof()
        self.flow.resume_reading()  # read on, to drop it
        if self._deadline is not None:
            self._deadline.cancel()
        self._deadline = self.loop.call_later(LINGER_SECONDS, self._expire)

    def _expire(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle if self.cycle is not None and not self.cycle.response_complete else None
        if self._lingering or not self._begun or getattr(cycle, "response_started", False):
            # lingered long enough, no request begun, or an answer already under way: nothing to add to it
            self.transport.close()
            return
        if self._direct is not None:  # what its body held so far comes back
            self.app.release(self._limit, self._held)
            self._direct = None
        if cycle is not None:  # the ASGI path's request, its app waiting for the rest of the body: it is gone
            cycle.disconnected = True
            cycle.message_event.set()
        self._ignoring = True
        self._refuse(RequestTimeoutException(f"The request did not fully arrive within {REQUEST_DEADLINE_SECONDS} s."))

    def send_400_response(self, msg: str) -> None:
        """A request llhttp cannot parse (a request line, a Content-Length or a header it refuses): uvicorn would
        answer plain text; this answers AWS's JSON error, and ends the connection ("Closing"), as uvicorn closes it."""
        self._refuse(SerializationException(f"The request is not valid HTTP/1.1: {msg}"))

    def _refuse_head(self) -> None:
        self._refuse(RequestHeaderFieldsTooLargeException(f"The request's head is over {MAX_HEAD_BYTES} bytes."))

    def _refuse(self, err: AwsError) -> None:
        """Answers an AWS error at the edge and ends the connection ("Closing")."""
        self._keep_alive = False
        self._write(err.status, serializer.refusal_headers(err), serializer.error_body(err))


# No proxy headers: Understudy answers its clients directly, and X-Forwarded-* must not rename them.
SERVER_OPTIONS = {"http": EdgeProtocol, "loop": "uvloop", "timeout_keep_alive": KEEP_ALIVE_SECONDS,
                  "proxy_headers": False}
"""How `understudy serve` and `serve_in_thread` run uvicorn: llhttp and uvloop, the stack's fastest."""
