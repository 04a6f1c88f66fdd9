"""The engine, its transactions, the clock row and the whole-state operations (reset, export, import).

SQLite runs in WAL mode; a request that writes runs in a `BEGIN IMMEDIATE` transaction, so a writer
never fails half-way on a lock upgrade, and a killed process loses nothing that was committed. Reads
run statement by statement on both backends (_Transaction). PostgreSQL is reached with psycopg 3 from
a `postgresql://` URL.
"""

import asyncio
import logging
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import orjson
import psycopg
import psycopg.types.json
from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, event, exc, func, insert, select, update
from sqlalchemy.pool import StaticPool

from understudy.domain.scope import Scope
from understudy.store import migrations, schema
from understudy.store.pipelined import PipelinedReads
from understudy.store.transaction import Tx, direct, fetch_one, is_conflict

log = logging.getLogger("understudy.lifecycle")


def _json_dumps(value: object) -> str:
    return orjson.dumps(value).decode()


def _engine(url: str) -> Engine:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if not url.startswith("sqlite"):
        # psycopg decodes the JSON it returns to the hot path's direct reads; orjson does it faster.
        psycopg.types.json.set_json_loads(orjson.loads)
        # No ping before each checkout, which is a round trip per request: a connection found dead (the
        # database restarted) is dropped and the request run again on a fresh one (Store._lost).
        return create_engine(url, json_serializer=_json_dumps, json_deserializer=orjson.loads)
    memory = url in ("sqlite://", "sqlite:///:memory:")
    if not memory:
        path = url.split("sqlite:///", 1)[1]
        if os.path.dirname(path):
            os.makedirs(os.path.dirname(path), exist_ok=True)
    engine = create_engine(
        url,
        json_serializer=_json_dumps,
        json_deserializer=orjson.loads,
        connect_args={"check_same_thread": False, "timeout": 30},
        # One connection for the process: a server runs every request and the worker on its event loop's
        # thread, one transaction at a time, so a pool would only add a checkout and a reset per request.
        # Transactions always end in commit or rollback, so nothing needs resetting on return.
        poolclass=StaticPool,
        pool_reset_on_return=None,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves, below
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a process kill
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        driver = conn.connection.driver_connection
        if not driver.in_transaction:  # a request's writes are begun on the driver already (_Transaction)
            # A read runs without a transaction until one of SQLAlchemy's statements needs one: deferred,
            # so it waits for no writer.
            driver.execute("BEGIN" if conn.info.get("reading") else "BEGIN IMMEDIATE")

    return engine


class Conflict(Exception):
    """Another transaction won a race (a unique row, a deadlock, a lock timeout): retry the request."""


_DB_ERRORS = (exc.DBAPIError, sqlite3.Error, psycopg.Error)


def _raise_conflict(e: BaseException) -> None:
    """Raises Conflict for a database error that means another transaction won a race (retry the request)."""
    if is_conflict(e):
        raise Conflict(str(e)) from e


class _Transaction:
    """Store.transaction's context manager. A class, not a generator, as it wraps every request: on SQLite it
    begins and ends the transaction on the driver itself, and SQLAlchemy joins it only if the request runs
    one of its statements, so a by-id read never pays for SQLAlchemy's transaction. On PostgreSQL a read
    runs on the held reader (Store._reading) and a write in a transaction on a connection from the pool.

    Without `writes`, each statement runs on its own (autocommit), on both backends: under READ COMMITTED
    PostgreSQL reads a snapshot per statement anyway, and a read spares BEGIN and COMMIT, a third of its
    time. SQLite, likewise, reads each statement's own snapshot and waits for no writer, unless the server
    runs the request in a batch whose reads share one (Store.share_reads); a statement of SQLAlchemy's in a
    read begins a deferred transaction, ended with the request."""

    __slots__ = ("_store", "_scope", "_writes", "_prefetch", "_context", "_followed", "_pg", "_driver", "_tx")

    def __init__(self, store: "Store", scope: Scope, writes: bool, prefetch: tuple[str, str] | None,
                 context: tuple | None, followed: tuple[tuple, tuple] | None):
        self._store, self._scope, self._writes = store, scope, writes
        self._prefetch, self._context, self._followed = prefetch, context, followed
        self._pg: Connection | None = None  # PostgreSQL: the held reader, or a writer's pooled connection

    def __enter__(self) -> Tx:
        store, writes, held = self._store, self._writes, self._store._held
        try:
            if held is None:
                conn = self._pg = store.engine.connect() if writes else store._reading()
            else:
                conn, driver = held, held.connection.driver_connection
                self._driver = driver
                if writes:
                    store._end_sharing(driver)  # a write takes the whole database: no batch's snapshot stays open
                    driver.execute("BEGIN IMMEDIATE")
                held.info["reading"] = not writes  # for _on_begin; every other use of the connection writes
            try:
                if held is None and writes:
                    conn.begin()
                self._tx = tx = self._open(conn)
            except BaseException as e:
                self._end(e)
                raise
        except _DB_ERRORS as e:
            _raise_conflict(e)
            raise
        return tx

    def __exit__(self, kind, e, traceback) -> None:
        try:
            self._end(e)
        except _DB_ERRORS as err:
            _raise_conflict(err)
            raise
        if e is None:
            for line in self._tx.applied:  # committed now
                log.info(line)
        elif isinstance(e, _DB_ERRORS):
            _raise_conflict(e)

    def _open(self, conn: Connection) -> Tx:
        store, scope = self._store, self._scope
        raw = direct(conn) if self._pg is not None else self._driver  # SQLite's: the driver's connection itself
        clock, prefetched = _context(raw, conn, scope, store.backend, self._prefetch, self._context)
        outage = {"region": scope.region, "api": clock["outage_api"]} if clock.get("outage_api") else None
        outages: dict[str, dict | None] = {}
        if self._followed is not None:
            (account_id, region, kind, rid), (doc, since, api) = self._followed
            prefetched[(account_id, region, kind, rid)] = doc
            outages[region] = {"region": region, "since": since, "api": api} if api is not None else None
        return Tx(conn, scope, now=clock_now(clock), timing=clock["timing"], backend=store.backend,
                  outage=outage, next_due=clock.get("next_due"), writes=self._writes, prefetched=prefetched,
                  outages=outages, raw=raw)

    def _end(self, e: BaseException | None) -> None:
        """Commits, or rolls back when `e` ended the transaction."""
        conn = self._pg
        if conn is not None:
            try:
                if e is None:
                    if conn.in_transaction():  # a reader's: SQLAlchemy's record; the server committed each statement
                        conn.commit()
                    return
                if isinstance(e, (psycopg.OperationalError, exc.OperationalError)):
                    self._store._lost(conn, e)
                if conn.in_transaction() and not conn.invalidated:
                    conn.rollback()
            finally:
                if self._writes:
                    conn.close()  # back to the pool; the reader is held
            return
        store, driver = self._store, self._driver
        held = store._held
        try:
            if held.in_transaction():  # SQLAlchemy's, and with it the driver's, a batch's shared snapshot included
                store._sharing = False
                ended = held
            else:  # a batch's shared snapshot, left open for the rest of the batch (Store.share_reads), or none
                ended = driver if driver.in_transaction and not store._sharing else None
            if ended is not None and e is not None:
                ended.rollback()
            elif ended is not None:
                ended.commit()
        finally:
            held.info["reading"] = False


class Store:
    def __init__(self, url: str):
        self.url = url
        self.engine = _engine(url)
        self.backend = self.engine.dialect.name
        # SQLite: the process's one connection, held open, so a request pays no checkout (see _engine).
        self._held = self.engine.connect() if self.backend == "sqlite" else None
        # PostgreSQL: reads run on one connection held in autocommit (_reading); writes take one from the pool.
        self._reader: Connection | None = None
        # SQLite: whether the held connection's open transaction is a batch's shared read snapshot (share_reads).
        self._sharing = False
        # PostgreSQL: the server's reads sent without blocking its event loop (read_apart).
        self._pipelined: PipelinedReads | None = None
        self.reads_apart = self.backend == "postgresql"

    def migrate(self, *, mode: str = "real", timing: str = "fast") -> int:
        with self.engine.begin() as conn:
            version = migrations.migrate(conn)
            if conn.execute(select(schema.clock.c.id)).first() is None:
                conn.execute(insert(schema.clock).values(id=1, mode=mode, timing=timing, offset=0.0,
                                                         frozen_at=time.time() if mode == "manual" else None))
        return version

    def close(self) -> None:
        if self._pipelined is not None:
            self._pipelined.close()
        for held in (self._held, self._reader):
            if held is not None:
                held.close()
        self.engine.dispose()

    def _reading(self) -> Connection:
        """PostgreSQL's reads, on a connection held in autocommit: no checkout, and no BEGIN or COMMIT sent.
        Like SQLite's one connection, it serves one request at a time: every request runs on the event loop.
        One found dead (invalidated by _lost) is replaced by the next read."""
        if self._reader is None or self._reader.invalidated:
            if self._reader is not None:
                self._reader.close()
            self._reader = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._reader

    def _lost(self, conn: Connection, e: Exception) -> None:
        """When an operational error came from a connection the database dropped: the connection and its
        pooled siblings, which died with it, are dropped, and Conflict has the request run again on fresh ones."""
        if conn.invalidated or conn.connection.driver_connection.closed:
            conn.invalidate()
            self.engine.dispose()
            raise Conflict(f"the database connection was lost: {e}") from e

    def read_apart(self, read: tuple[str, tuple], then: Callable[[tuple | None], None]) -> bool:
        """Sends a read request's first statement (`context_read`), or the one it goes on to (`follow_read`),
        without blocking the running event loop, where the store can (reads_apart: PostgreSQL); `then` gets
        its row when it arrives, for `transaction`'s `context` or `followed`, or None for the transaction to
        read it itself. False when not sent."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return False
        pipelined = self._pipelined
        if pipelined is None or pipelined.closed or pipelined.loop is not loop:
            if pipelined is not None:
                pipelined.close()
            pipelined = self._pipelined = PipelinedReads.open(
                self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                (_CONTEXT_SQL, _CONTEXT_AND_DOC_SQL, _FOLLOW_SQL), loop)
        return pipelined is not None and pipelined.send(*read, then)

    def share_reads(self, runs: Callable[[], None]) -> None:
        """Calls `runs`, the work of several requests the server answers together (protocol/server.py, "Batches"),
        with SQLite's reads in one read transaction rather than one each: a statement run on its own takes
        and drops the database's read lock, about 5 of the 12 us of a by-id read's one statement.

        Those requests arrived before it began, so each reads what was committed before it was sent, as it
        would alone. A request that writes ends it first (_Transaction), and the rest of the batch reads as
        usual. PostgreSQL's reads (a held connection in autocommit) are left as they are."""
        held = self._held
        if held is None or held.in_transaction() or (driver := held.connection.driver_connection).in_transaction:
            runs()
            return
        driver.execute("BEGIN")  # deferred: its snapshot is taken by the first read, and waits for no writer
        self._sharing = True
        try:
            runs()
        finally:
            self._end_sharing(driver)

    def _end_sharing(self, driver: sqlite3.Connection) -> None:
        if self._sharing:
            self._sharing = False
            if driver.in_transaction:
                driver.execute("COMMIT")  # it only read: ending it is all a commit does

    def transaction(self, scope: Scope, *, writes: bool = True, prefetch: tuple[str, str] | None = None,
                    context: tuple | None = None, followed: tuple[tuple, tuple] | None = None) -> _Transaction:
        """One transaction bound to a scope, as a context manager giving its Tx; a lost race surfaces as
        Conflict, after the rollback.

        Without `writes` it only reads: a write in it raises ReadOnly before running, and the caller
        runs the request again with `writes`. `prefetch` (a kind and an id of the scope) is read in the
        same statement as the request's context, and the Tx's first `get` of it takes that document: a
        by-id read then costs one statement, one round trip on PostgreSQL. `context` is that statement's
        row when it was read already (read_apart), for a transaction that only reads; `followed`, a
        resource's key (account, Region, kind, id) and the row of its `follow_read`, likewise."""
        return _Transaction(self, scope, writes, prefetch, None if writes else context,
                            followed if not writes else None)

    @contextmanager
    def global_transaction(self) -> Iterator[Tx]:
        """A transaction bound to no scope, for the lifecycle worker and the control plane."""
        with self.transaction(Scope("", "")) as tx:
            yield tx

    # The clock row: shared by every process on one database, so nothing is cached.
    def clock(self) -> dict:
        with self.engine.begin() as conn:
            row = _clock_row(conn)
        return {**row, "now": clock_now(row)}

    def set_clock(self, *, mode: str | None = None, timing: str | None = None,
                  advance: float = 0.0) -> dict:
        with self.engine.begin() as conn:
            row = _clock_row(conn)
            now = clock_now(row)
            values: dict = {}
            if timing is not None:
                values["timing"] = timing
            if mode is not None and mode != row["mode"]:
                values["mode"] = mode
                if mode == "manual":
                    values["frozen_at"] = now
                else:  # back to real: keep `now` continuous
                    values["offset"] = now - time.time()
                    values["frozen_at"] = None
                row = {**row, **values}
            if advance:
                if row["mode"] == "manual":
                    values["frozen_at"] = row["frozen_at"] + advance
                else:
                    values["offset"] = row["offset"] + advance
            if values:
                conn.execute(update(schema.clock).where(schema.clock.c.id == 1).values(**values))
            row = _clock_row(conn)
        return {**row, "now": clock_now(row)}

    # Simulated Region outages: global, like the clock.
    def outages(self) -> list[dict]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(schema.outages).order_by(schema.outages.c.region)).mappings()
            return [_plain(r) for r in rows]

    def start_outage(self, region: str, api: str) -> dict:
        with self.engine.begin() as conn:
            row = conn.execute(select(schema.outages).where(schema.outages.c.region == region)).mappings().first()
            if row is None:
                row = {"region": region, "since": clock_now(_clock_row(conn)), "api": api}
                conn.execute(insert(schema.outages).values(**row))
            elif row["api"] != api:
                conn.execute(update(schema.outages).where(schema.outages.c.region == region).values(api=api))
                row = {**row, "api": api}
        return _plain(row)

    def end_outage(self, region: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(schema.outages).where(schema.outages.c.region == region)).rowcount > 0

    def reset(self, scope: Scope | None = None) -> None:
        with self.engine.begin() as conn:
            if scope is None:
                conn.execute(delete(schema.outages))
                conn.execute(delete(schema.dns_records))  # DNS is global, as Route 53 is
            for table in (schema.resources, schema.tags, schema.transitions, schema.counters, schema.claims,
                          schema.sessions):
                stmt = delete(table)
                if scope is not None:
                    stmt = stmt.where(table.c.account_id == scope.account_id, table.c.region == scope.region)
                conn.execute(stmt)


def _plain(row) -> dict:
    """A row as a dict with plain `str` keys (SQLAlchemy's quoted names are a subclass JSON encoders refuse)."""
    return {str(k): v for k, v in row.items()}


_CLOCK = select(schema.clock).where(schema.clock.c.id == 1)
# What every request needs before its handler, in one statement: the clock, whether its Region is
# out, and when the next transition falls due (min over an index, so the scan is skipped when none is).
_CONTEXT = select(
    schema.clock,
    select(schema.outages.c.api).where(schema.outages.c.region == bindparam("region")).scalar_subquery()
    .label("outage_api"),
    select(func.min(schema.transitions.c.due_at)).where(schema.transitions.c.failed.is_(None)).scalar_subquery()
    .label("next_due"),
).where(schema.clock.c.id == 1)


# The same statement as plain SQL for SQLite's driver: SQLAlchemy's execution costs ten times the query.
_CONTEXT_SQL = ('SELECT mode, timing, "offset", frozen_at, (SELECT api FROM outages WHERE region = ?), '
                "(SELECT min(due_at) FROM transitions WHERE failed IS NULL) FROM clock WHERE id = 1")
_CONTEXT_FIELDS = ("mode", "timing", "offset", "frozen_at", "outage_api", "next_due")
# With one resource's document as its last column (Store.transaction's `prefetch`).
_CONTEXT_AND_DOC_SQL = _CONTEXT_SQL.replace(" FROM clock", ", (SELECT doc FROM resources WHERE account_id = ? AND "
                                            "region = ? AND kind = ? AND id = ?) FROM clock")


def context_read(scope: Scope, prefetch: tuple[str, str] | None) -> tuple[str, tuple]:
    """The statement a request starts with and its parameters: the clock, the Region's outage and the next
    due time; with `prefetch`, that resource's document as its last column."""
    if prefetch is None:
        return _CONTEXT_SQL, (scope.region,)
    return _CONTEXT_AND_DOC_SQL, (scope.region, scope.account_id, scope.region, *prefetch)


def context_doc(row: tuple) -> dict | None:
    """The prefetched document in a row of context_read (its last column)."""
    doc = row[-1]
    return orjson.loads(doc) if isinstance(doc, str) else doc  # SQLite keeps JSON text; psycopg decodes it


# One more resource and its Region's outage, which a read goes on to need (gateway: a standby pair's other
# side), as one statement sent ahead like the context (read_apart) on PostgreSQL.
_FOLLOW_SQL = ("SELECT (SELECT doc FROM resources WHERE account_id = ? AND region = ? AND kind = ? AND id = ?), "
               "o.since, o.api FROM (SELECT 1) AS one LEFT JOIN outages AS o ON o.region = ?")


def follow_read(account_id: str, region: str, kind: str, rid: str) -> tuple[str, tuple]:
    return _FOLLOW_SQL, (account_id, region, kind, rid, region)


def _context(raw, conn: Connection, scope: Scope, backend: str, prefetch: tuple[str, str] | None,
             row: tuple | None = None) -> tuple[dict, dict]:
    """The row of context_read, sent to the driver (`raw`, see transaction.direct; prepared on PostgreSQL)
    unless `row` was read already, as the clock and the document of `prefetch`, keyed as Tx.get looks it up."""
    if row is None:
        row = fetch_one(raw, backend, *context_read(scope, prefetch))
    if row is None:
        return _clock_row(conn), {}
    if prefetch is None:
        return dict(zip(_CONTEXT_FIELDS, row, strict=True)), {}
    key = (scope.account_id, scope.region, *prefetch)
    return dict(zip(_CONTEXT_FIELDS, row[:-1], strict=True)), {key: context_doc(row)}


def _clock_row(conn) -> dict:
    row = conn.execute(_CLOCK).mappings().first()
    if row is None:
        return {"id": 1, "mode": "real", "timing": "fast", "offset": 0.0, "frozen_at": None}
    return dict(row)


def clock_now(row: dict) -> float:
    if row["mode"] == "manual" and row["frozen_at"] is not None:
        return row["frozen_at"]
    return time.time() + row["offset"]
