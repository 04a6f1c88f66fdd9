"""One request's transaction, bound to its Scope: every read and write is keyed by it.

`in_region` is the one named door to another Region of the same account (standby WorkSpaces read
their primary through it); `shared_by` the one door to another account (resources AWS shares); `reserve`
the one name that reaches every account and Region (a name AWS reserves to one account for good).
"""

import logging
import sqlite3

import orjson
import psycopg
from sqlalchemy import Connection, and_, bindparam, delete, exc, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from understudy.domain.families import KINDS
from understudy.domain.resources import GONE, claims, column_values, counter_names
from understudy.domain.scope import Scope
from understudy.store import schema
from understudy.store.migrations import RESERVED

log = logging.getLogger("understudy.lifecycle")

RETRYABLE_SQLSTATES = ("40001", "40P01", "55P03")  # serialization failure, deadlock, lock not available


def is_conflict(e: BaseException) -> bool:
    """Whether an error means another transaction won a race (retry), not a broken request. The error may
    come through SQLAlchemy or, on the lean path's direct reads, from the driver itself."""
    if isinstance(e, exc.IntegrityError):
        return True
    driver_error = e.orig if isinstance(e, exc.DBAPIError) else e
    if isinstance(driver_error, sqlite3.OperationalError):
        return "database is locked" in str(driver_error)
    return isinstance(driver_error, psycopg.Error) and driver_error.sqlstate in RETRYABLE_SQLSTATES


def direct(conn: Connection):
    """What the hottest statements run on, past SQLAlchemy: SQLite's connection itself (its `execute` makes a
    cursor in C), or a psycopg cursor kept with the connection (making one costs a third of a by-id read)."""
    driver = conn.connection.driver_connection
    if isinstance(driver, sqlite3.Connection):
        return driver
    cursor = conn.info.get("direct")
    if cursor is None or cursor.connection is not driver or cursor.closed:
        cursor = conn.info["direct"] = driver.cursor()
    return cursor


_PG_SQL: dict[str, str] = {}  # a plain statement in psycopg's placeholders, keyed by the module constant


def fetch_one(raw, backend: str, sql: str, params: tuple) -> tuple | None:
    """One row of a plain statement written with `?` placeholders, run on `direct`'s object: prepared on the
    server once per connection on PostgreSQL."""
    if backend == "sqlite":
        return raw.execute(sql, params).fetchone()
    pg = _PG_SQL.get(sql) or _PG_SQL.setdefault(sql, sql.replace("?", "%s"))
    return raw.execute(pg, params, prepare=True).fetchone()


_R = schema.resources
_T = schema.tags
_X = schema.transitions
_C = schema.counters

# The hottest statements, built once with bind parameters: SQLAlchemy then reuses their compiled form.
_RESOURCE_KEY = and_(_R.c.account_id == bindparam("k_account"), _R.c.region == bindparam("k_region"),
                     _R.c.kind == bindparam("k_kind"), _R.c.id == bindparam("k_id"))
_GET = select(_R.c.doc).where(_RESOURCE_KEY)
_GET_FOR_UPDATE = _GET.with_for_update()
# _GET as plain SQL for the driver (fetch_one): SQLAlchemy's execution costs ten times the lookup itself. On
# SQLite the document is JSON text, decoded as the engine's json_deserializer would; on PostgreSQL the row is
# locked when read for update.
_GET_SQL = "SELECT doc FROM resources WHERE account_id = ? AND region = ? AND kind = ? AND id = ?"
_GET_SQL_FOR_UPDATE = _GET_SQL + " FOR UPDATE"
_OUTAGE_SQL = "SELECT region, since, api FROM outages WHERE region = ?"
_INSERT = insert(_R)
_UPDATE = update(_R).where(_RESOURCE_KEY)
_DELETE = delete(_R).where(_RESOURCE_KEY).returning(_R.c.doc)
_COUNTER_KEY = and_(_C.c.account_id == bindparam("k_account"), _C.c.region == bindparam("k_region"),
                    _C.c.name == bindparam("k_name"))
_TOTAL = select(_C.c.n).where(_COUNTER_KEY)
_TOTAL_FOR_UPDATE = _TOTAL.with_for_update()
_CL = schema.claims
_S = schema.sessions
_HELD = select(_CL.c.resource_id).where(_CL.c.account_id == bindparam("k_account"),
                                        _CL.c.region == bindparam("k_region"), _CL.c.claim == bindparam("k_claim"))
_CLAIMS_OF = select(_CL.c.claim).where(_CL.c.account_id == bindparam("k_account"),
                                       _CL.c.region == bindparam("k_region"), _CL.c.kind == bindparam("k_kind"),
                                       _CL.c.resource_id == bindparam("k_id"))
_UNCLAIM = delete(_CL).where(_CL.c.account_id == bindparam("k_account"), _CL.c.region == bindparam("k_region"),
                             _CL.c.kind == bindparam("k_kind"), _CL.c.resource_id == bindparam("k_id"))
_GET_MANY = select(_R.c.doc).where(_R.c.account_id == bindparam("k_account"), _R.c.region == bindparam("k_region"),
                                   _R.c.kind == bindparam("k_kind"),
                                   _R.c.id.in_(bindparam("k_ids", expanding=True))).order_by(_R.c.id)
_DUE = (select(_X).where(_X.c.due_at <= bindparam("now"), _X.c.failed.is_(None)).order_by(_X.c.due_at, _X.c.id)
        .limit(500))
_DUE_CLAIMED = _DUE.with_for_update(skip_locked=True)
_BUMP = update(_C).where(_COUNTER_KEY).values(n=_C.c.n + bindparam("delta"))




class ReadOnly(Exception):
    """A write was tried in a transaction opened for reads only; nothing was written, so the request is run
    again in a transaction that writes (see Store.transaction)."""


class Tx:
    def __init__(self, conn: Connection, scope: Scope, *, now: float, timing: str, backend: str,
                 outage: dict | None = None, next_due: float | None = -1.0, writes: bool = True,
                 outages: dict[str, dict | None] | None = None, prefetched: dict | None = None, raw=None):
        """`outage` is the scope's Region's, when already read; `next_due` the earliest due time of any
        transition (None: there is none; the default -1 means unknown, so apply_due looks). Without
        `writes`, every write raises ReadOnly before it runs. `outages` is the Regions' outages read so
        far, shared by the Txs of one transaction; `prefetched` maps an (account, Region, kind, id) read with the
        request's context (Store.transaction's `prefetch`) to its document or None. `raw` is `direct(conn)`, when
        the caller has it."""
        self.conn = conn
        self.writes = writes
        # For the statements run on every request (see _GET_SQL).
        self._raw = direct(conn) if raw is None else raw
        self.scope = scope
        self.now = now
        self.timing = timing
        self.backend = backend
        self._outages: dict[str, dict | None] = {} if outages is None else outages
        if next_due != -1.0:
            self._outages[scope.region] = outage
        self._next_due = next_due
        self._prefetched = prefetched or {}
        # What apply_due did, logged by the store once the transaction commits: an attempt that is
        # rolled back and retried must not show a transition as applied twice.
        self.applied: list[str] = []

    def outage(self, region: str | None = None) -> dict | None:
        """The simulated outage of a Region (this Tx's by default), read once per transaction."""
        region = region or self.scope.region
        if region not in self._outages:
            row = fetch_one(self._raw, self.backend, _OUTAGE_SQL, (region,))
            self._outages[region] = dict(zip(("region", "since", "api"), row, strict=True)) if row else None
        return self._outages[region]

    def in_region(self, region: str) -> "Tx":
        """The same transaction and account, in another Region: the only Region crossing."""
        return Tx(self.conn, Scope(self.scope.account_id, region), now=self.now, timing=self.timing,
                  backend=self.backend, writes=self.writes, outages=self._outages, prefetched=self._prefetched,
                  raw=self._raw)

    def shared_by(self, owner_account_id: str) -> "Tx":
        """The same transaction and Region in another account: the only door between accounts.

        Used only for what AWS itself shares between accounts: a connection alias shared by
        UpdateConnectionAliasPermission, an image shared by UpdateWorkspaceImagePermission, and
        account link invitations. Each side reads or writes exactly the shared record through it.
        """
        return Tx(self.conn, Scope(owner_account_id, self.scope.region), now=self.now, timing=self.timing,
                  backend=self.backend, writes=self.writes, outages=self._outages, raw=self._raw)

    def reserve(self, name: str, kind: str) -> str:
        """Reserves `name` to this account in every account and Region, for good, unless another account holds
        it; returns the account that holds it (this one when it was free or already its own).

        The one lookup across all accounts, for a name AWS reserves to the account that first used it (a
        connection alias's connection string). It is a claim of the global scope (`RESERVED`, `RESERVED`) whose
        holder is the account, so the claims table's primary key keeps it: of two accounts reserving a name at
        once, on one database or many servers, one inserts and the other finds it held. A reservation outlives
        the resources that made it; only a reset of everything ends it.
        """
        self._writing()
        upsert = postgresql.insert if self.backend == "postgresql" else sqlite.insert
        self.conn.execute(upsert(_CL).values(account_id=RESERVED, region=RESERVED, claim=name, kind=kind,
                                             resource_id=self.scope.account_id).on_conflict_do_nothing())
        return self.conn.execute(_HELD, {"k_account": RESERVED, "k_region": RESERVED, "k_claim": name}).scalar_one()

    def _writing(self) -> None:
        if not self.writes:
            raise ReadOnly("a write in a transaction opened for reads")

    def _key(self, table):
        return and_(table.c.account_id == self.scope.account_id, table.c.region == self.scope.region)

    def _params(self, kind: str, rid: str) -> dict:
        return {"k_account": self.scope.account_id, "k_region": self.scope.region, "k_kind": kind, "k_id": rid}

    # Resources -------------------------------------------------------------------------------
    def get(self, kind: str, rid: str, *, for_update: bool = False) -> dict | None:
        key = (self.scope.account_id, self.scope.region, kind, rid)
        if for_update:
            self._writing()
        elif key in self._prefetched:
            return self._prefetched.pop(key)  # read with the context; a second get reads it again
        # SQLite's writers hold the whole database (BEGIN IMMEDIATE): a row lock is PostgreSQL's alone.
        sql = _GET_SQL_FOR_UPDATE if for_update and self.backend == "postgresql" else _GET_SQL
        row = fetch_one(self._raw, self.backend, sql, key)
        if row is None:
            return None
        return orjson.loads(row[0]) if isinstance(row[0], str) else row[0]

    def get_many(self, kind: str, ids: list[str]) -> list[dict]:
        if len(ids) == 1:  # the common by-id call takes the prepared single-row statement
            found = self.get(kind, ids[0])
            return [found] if found is not None else []
        params = {"k_account": self.scope.account_id, "k_region": self.scope.region, "k_kind": kind, "k_ids": ids}
        return list(self.conn.execute(_GET_MANY, params).scalars())

    def insert(self, kind: str, doc: dict) -> dict:
        """Stores a new resource. A name it claims that another holds is a lost race (Conflict): the request
        is run again and its handler, seeing the holder, refuses with AWS's error."""
        self._writing()
        k = KINDS[kind]
        self.conn.execute(_INSERT, {"account_id": self.scope.account_id, "region": self.scope.region, "kind": kind,
                                    "id": doc[k.id], "doc": doc, **column_values(k, doc)})
        self._claim(kind, doc[k.id], claims(k, doc))
        self._bump(counter_names(k, doc), 1)
        return doc

    def update(self, kind: str, doc: dict) -> dict:
        self._writing()
        k = KINDS[kind]
        self.conn.execute(_UPDATE, {**self._params(kind, doc[k.id]), "doc": doc, **column_values(k, doc)})
        if k.claims_change:
            self._reclaim(kind, doc[k.id], set(claims(k, doc)))
        return doc

    def _reclaim(self, kind: str, rid: str, wanted: set[str]) -> None:
        """Gives up the names a resource no longer holds and takes new ones, touching none that stay: rewriting
        a kept name would make a concurrent claimant of it and this transaction wait for each other."""
        held = set(self.conn.execute(_CLAIMS_OF, self._params(kind, rid)).scalars())
        if held - wanted:
            self.conn.execute(delete(_CL).where(self._key(_CL), _CL.c.claim.in_(sorted(held - wanted))))
        self._claim(kind, rid, sorted(wanted - held))

    def delete(self, kind: str, rid: str) -> None:
        self._writing()
        gone = self.conn.execute(_DELETE, self._params(kind, rid)).scalar()
        if gone is not None:
            self._bump(counter_names(KINDS[kind], gone), -1)
        if KINDS[kind].claims:
            self.conn.execute(_UNCLAIM, self._params(kind, rid))
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid))
        self.cancel_transitions(kind, rid)

    def _claim(self, kind: str, rid: str, names: list[str]) -> None:
        if names:
            self.conn.execute(insert(_CL), [{"account_id": self.scope.account_id, "region": self.scope.region,
                                             "claim": name, "kind": kind, "resource_id": rid} for name in names])

    def held(self, claim: str) -> bool:
        """Whether a resource of this scope holds the name (built by one of domain.resources' *_claim)."""
        key = {"k_account": self.scope.account_id, "k_region": self.scope.region, "k_claim": claim}
        return self.conn.execute(_HELD, key).first() is not None

    def _bump(self, names: list[str], delta: int) -> None:
        """Adds delta to each counter; the first bump of a counter creates its row (once per scope and name)."""
        for name in names:
            key = {"k_account": self.scope.account_id, "k_region": self.scope.region, "k_name": name}
            if self.conn.execute(_BUMP, {**key, "delta": delta}).rowcount == 0:
                upsert = postgresql.insert if self.backend == "postgresql" else sqlite.insert
                stmt = upsert(_C).values(account_id=self.scope.account_id, region=self.scope.region, name=name, n=delta)
                self.conn.execute(stmt.on_conflict_do_update(
                    index_elements=[_C.c.account_id, _C.c.region, _C.c.name], set_={"n": _C.c.n + delta}))

    def total(self, kind: str, tally: str | None = None, *, for_quota: bool = False) -> int:
        """How many resources of a kind (or of one of its tallies) the scope holds, from a counter row.

        `for_quota` holds the counter row until the transaction ends, so two requests checking one "at
        most N" quota at once take turns, and the second sees the first's resources. (SQLite's writers
        take turns already: BEGIN IMMEDIATE.)"""
        key = {"k_account": self.scope.account_id, "k_region": self.scope.region,
               "k_name": f"{kind}.{tally}" if tally else kind}
        if for_quota:
            self._writing()
        if for_quota and self.backend == "postgresql":
            self.conn.execute(postgresql.insert(_C).values(account_id=key["k_account"], region=key["k_region"],
                                                           name=key["k_name"], n=0).on_conflict_do_nothing())
            return self.conn.execute(_TOTAL_FOR_UPDATE, key).scalar()
        return self.conn.execute(_TOTAL, key).scalar() or 0

    def _filtered(self, stmt, kind: str, filters: dict):
        """`filters` name the documents' fields (`WorkspaceId=...`); each is one of the kind's indexed columns."""
        stmt = stmt.where(self._key(_R), _R.c.kind == kind)
        for field, value in filters.items():
            if value is not None:
                stmt = stmt.where(_R.c[KINDS[kind].column_of(field)] == value)
        return stmt

    def find(self, kind: str, *, after: str | None = None, limit: int | None = None,
             **filters: str | None) -> list[dict]:
        """Resources of a kind in id order, optionally from a cursor: pages never use offsets."""
        stmt = self._filtered(select(_R.c.doc), kind, filters).order_by(_R.c.id)
        if after is not None:
            stmt = stmt.where(_R.c.id > after)
        if limit is not None:
            stmt = stmt.limit(limit)
        return list(self.conn.execute(stmt).scalars())

    def find_user(self, kind: str, directory_id: str, user_name: str, limit: int = 25) -> list[dict]:
        """The resources of a directory held by a user, whose names compare without case [AWS]: a range of
        the (directory, user) index, its user names compared in the index itself."""
        stmt = (select(_R.c.doc).where(self._key(_R), _R.c.kind == kind, _R.c.directory_id == directory_id,
                                       func.lower(_R.c.user_name) == user_name.lower())
                .order_by(_R.c.id).limit(limit))
        return list(self.conn.execute(stmt).scalars())

    def connections(self, workspace_ids: list[str]) -> dict[str, dict]:
        """The last sign-in of each of these WorkSpaces that has had one: `since`, and `ended_at` (None while
        the user is connected). Written by the control plane's sign-ins (store/sessions.py)."""
        if not workspace_ids:
            return {}
        stmt = select(_S.c.workspace_id, _S.c.since, _S.c.ended_at, _S.c.user_name).where(
            self._key(_S), _S.c.workspace_id.in_(workspace_ids))
        return {r["workspace_id"]: dict(r) for r in self.conn.execute(stmt).mappings()}

    def count(self, kind: str, **filters: str | None) -> int:
        """Counts matching rows: for a filtered, small set; `total` counts a whole kind."""
        return self.conn.execute(self._filtered(select(func.count()).select_from(_R), kind, filters)).scalar()

    def exists(self, kind: str, **filters: str | None) -> bool:
        return self.conn.execute(self._filtered(select(_R.c.id), kind, filters).limit(1)).first() is not None

    # Tags ------------------------------------------------------------------------------------
    def tags(self, rid: str) -> dict[str, str]:
        rows = self.conn.execute(select(_T.c.key, _T.c.value).where(self._key(_T), _T.c.resource_id == rid)
                                 .order_by(_T.c.key))
        return {k: v for k, v in rows}

    def put_tags(self, rid: str, tags: dict[str, str]) -> None:
        self._writing()
        if not tags:
            return
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid, _T.c.key.in_(list(tags))))
        self.conn.execute(insert(_T), [
            {"account_id": self.scope.account_id, "region": self.scope.region, "resource_id": rid,
             "key": k, "value": v} for k, v in tags.items()
        ])

    def delete_tags(self, rid: str, keys: list[str]) -> None:
        self._writing()
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid, _T.c.key.in_(keys)))

    # Timed transitions ----------------------------------------------------------------------
    def schedule(self, kind: str, rid: str, from_state: str | None, to_state: str, delay: float) -> None:
        """At now + delay, move the resource from `from_state` to `to_state` (GONE removes it)."""
        self._writing()
        self.conn.execute(insert(_X).values(account_id=self.scope.account_id, region=self.scope.region,
                                            kind=kind, resource_id=rid, from_state=from_state,
                                            to_state=to_state, due_at=self.now + delay))

    def cancel_transitions(self, kind: str, rid: str) -> None:
        self._writing()
        self.conn.execute(delete(_X).where(self._key(_X), _X.c.kind == kind, _X.c.resource_id == rid))

    def apply_due(self) -> int:
        """Applies up to 500 transitions due by `now`, each as compare-and-set on the resource's state.

        Transitions of every scope are applied (the scope of this Tx does not matter); on PostgreSQL
        rows are claimed with SKIP LOCKED, so several workers never apply one twice.
        """
        if self._next_due is None or self._next_due > self.now:
            return 0
        self._writing()
        stmt = _DUE_CLAIMED if self.backend == "postgresql" else _DUE
        rows = self.conn.execute(stmt, {"now": self.now}).mappings().all()
        if rows:
            self.conn.execute(delete(_X).where(_X.c.id.in_([row["id"] for row in rows])))
        for row in rows:
            scoped = Tx(self.conn, Scope(row["account_id"], row["region"]), now=self.now,
                        timing=self.timing, backend=self.backend)
            try:
                with self.conn.begin_nested():
                    won = scoped._apply(row)
                self.applied.append(f"transition={row['id']} {row['kind']} {row['resource_id']} "
                                    f"{row['from_state']}->{row['to_state']} {'applied' if won else 'skipped'}")
            except Exception as e:
                if is_conflict(e):
                    raise  # a lost race: the request is retried, and the transition with it
                self._set_aside(row, e)
        return len(rows)

    def _set_aside(self, row, error: Exception) -> None:
        """Keeps a transition that cannot be applied, marked with why, so it fails no request again.

        Transitions of every scope are applied by whichever request comes first: one broken transition
        (an imported snapshot's, or a bug's) must not fail the requests of other accounts."""
        log.exception("transition=%s %s %s could not be applied; set aside", row["id"], row["kind"],
                      row["resource_id"], exc_info=error)
        self.conn.execute(insert(_X).values(**{**row, "failed": f"{type(error).__name__}: {error}"[:255]}))

    def _apply(self, row) -> bool:
        """Applies one transition; False when compare-and-set lost: something else moved the resource first."""
        kind = KINDS[row["kind"]]
        doc = self.get(row["kind"], row["resource_id"], for_update=True)
        if doc is None or (row["from_state"] is not None and doc.get(kind.state) != row["from_state"]):
            return False
        if row["to_state"] == GONE:
            self.delete(row["kind"], row["resource_id"])
        else:
            doc[kind.state] = row["to_state"]
            self.update(row["kind"], doc)
        return True
