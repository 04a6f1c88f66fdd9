"""PostgreSQL reads sent without blocking the event loop: the statement a read request starts with (its
context, and for a by-id read its document too) and what a by-id read goes on to read (a standby pair's
other side), for many requests at once on one connection in libpq's pipeline mode.

A request waiting on its row costs the server nothing meanwhile: the event loop answers other requests, and
results arrive in the order the statements were sent. Only the server's direct path uses it (gateway.answer);
every other read blocks on the Store's own connections, as before. A connection that fails hands each waiting
request None, which makes its transaction read the context itself, and the Store opens a new one for the next.
"""

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Iterable

import psycopg
from psycopg import pq
from psycopg.adapt import Transformer

log = logging.getLogger("understudy.store")

_SYNC = pq.ExecStatus.PIPELINE_SYNC
_ROWS = pq.ExecStatus.TUPLES_OK
_ERROR = pq.ExecStatus.FATAL_ERROR


class PipelinedReads:
    def __init__(self, url: str, statements: Iterable[str], loop: asyncio.AbstractEventLoop):
        """`statements` are written with `?` placeholders, as store.transaction.fetch_one takes them; each
        is prepared once on the connection, which is opened now (blocking, once per connection)."""
        self.loop, self.closed = loop, False
        self._conn = psycopg.connect(url, autocommit=True)
        pg = self._pg = self._conn.pgconn
        self._names: dict[str, bytes] = {}
        for sql in statements:
            name = b"understudy_read_%d" % len(self._names)
            prepared = pg.prepare(name, _numbered(sql).encode())
            if prepared.status != pq.ExecStatus.COMMAND_OK:
                message = prepared.error_message.decode(errors="replace")
                self._conn.close()
                raise psycopg.OperationalError(f"could not prepare a pipelined read: {message}")
            self._names[sql] = name
        pg.nonblocking = 1
        pg.enter_pipeline_mode()
        self._rows = Transformer(self._conn)  # psycopg's own loaders: rows read as its cursors read them
        self._waiting: deque[list] = deque()  # [then, its result so far], in the order sent
        self._fd = pg.socket
        self._writing = False  # libpq holds statements the socket could not take yet
        loop.add_reader(self._fd, self._readable)

    @classmethod
    def open(cls, url: str, statements: Iterable[str], loop: asyncio.AbstractEventLoop) -> "PipelinedReads | None":
        """A new connection's reads, or None when it cannot open (the reads then block, as every other does)."""
        try:
            return cls(url, statements, loop)
        except psycopg.Error as e:
            log.warning("no pipelined reads (%s): reads wait on the event loop until a connection opens", e)
            return None

    def send(self, sql: str, params: tuple[str, ...], then: Callable[[tuple | None], None]) -> bool:
        """Sends one statement; `then` is called with its first row (None: no row, or not read here) once it
        arrives. False when the connection has failed: then nothing was sent and `then` is never called."""
        if self.closed:
            return False
        try:
            self._pg.send_query_prepared(self._names[sql], [p.encode() for p in params])
            # Its sync point goes with it: a statement PostgreSQL has run holds its locks (on `clock`, say)
            # until its sync arrives, and a migration's ALTER queued behind them would then hold up every
            # other connection's statements, the server's own blocking ones included, for good.
            self._pg.pipeline_sync()
            self._flush()
        except psycopg.Error as e:
            self._fail(e)
            return False
        self._waiting.append([then, None])
        return True

    def close(self) -> None:
        """Closes the connection; what still waits is handed None (it reads its context itself)."""
        if self.closed:
            return
        self.closed = True
        if not self.loop.is_closed():
            self.loop.remove_reader(self._fd)
            if self._writing:
                self.loop.remove_writer(self._fd)
        self._conn.close()
        waiting, self._waiting = self._waiting, deque()
        for then, _ in waiting:
            self._call(then, None)

    def _flush(self) -> None:
        """What libpq could not send at once waits in its buffer until the socket can take it."""
        unsent = self._pg.flush()
        if unsent and not self._writing:
            self.loop.add_writer(self._fd, self._writable)
        elif not unsent and self._writing:
            self.loop.remove_writer(self._fd)
        self._writing = bool(unsent)

    def _writable(self) -> None:
        try:
            self._flush()
        except psycopg.Error as e:
            self._fail(e)

    def _readable(self) -> None:
        pg, done = self._pg, []
        try:
            pg.consume_input()
            ends = 0  # libpq ends each statement's results with None; two in a row would mean nothing is due
            while self._waiting and not pg.is_busy() and ends < 2:
                result = pg.get_result()
                if result is None:
                    ends += 1
                    if self._waiting[0][1] is not None:
                        done.append(self._waiting.popleft())
                elif result.status != _SYNC:  # a sync point's own result follows its statement's: nothing to take
                    ends = 0
                    self._waiting[0][1] = result
            if self._writing:
                self._flush()
        except psycopg.Error as e:
            self._fail(e)
        for then, result in done:  # after the results are taken: a request's own failure cannot strand another's
            self._call(then, self._row(result))
        failed = next((r for _, r in done if r.status == _ERROR), None)
        if failed is not None and not self.closed:  # a statement that fails here (its plan outdated by a
            # migration, say) would fail again: a fresh connection prepares it anew
            self._fail(psycopg.DatabaseError(failed.error_message.decode(errors="replace")))

    def _row(self, result: pq.abc.PGresult | None) -> tuple | None:
        if result is None or result.status != _ROWS or not result.ntuples:
            return None  # an error: the request's transaction reads the statement again and meets it itself
        self._rows.set_pgresult(result)
        return self._rows.load_row(0, tuple)

    def _call(self, then: Callable[[tuple | None], None], row: tuple | None) -> None:
        try:
            then(row)
        except Exception:
            log.exception("a request failed after its pipelined read")

    def _fail(self, e: Exception) -> None:
        log.warning("the pipelined reads' connection failed (%s); the next read opens another", e)
        self.close()


def _numbered(sql: str) -> str:
    """`?` placeholders as PostgreSQL numbers them ($1, $2, ...); the statements hold no literal `?`."""
    parts = sql.split("?")
    return "".join(part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1))
