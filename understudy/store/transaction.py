"""One request's transaction, bound to its Scope: every read and write is keyed by it.

`in_region` is the one named door to another Region of the same account (standby WorkSpaces read
their primary through it); `shared_by` the one door to another account (resources AWS shares).
"""

import logging

from sqlalchemy import Connection, and_, delete, func, insert, select, update

from understudy.domain.resources import GONE, KINDS, column_values
from understudy.domain.scope import Scope
from understudy.store import schema

log = logging.getLogger("understudy.lifecycle")

_R = schema.resources
_T = schema.tags
_X = schema.transitions


class Tx:
    def __init__(self, conn: Connection, scope: Scope, *, now: float, timing: str, backend: str):
        self.conn = conn
        self.scope = scope
        self.now = now
        self.timing = timing
        self.backend = backend
        self._outages: dict[str, dict | None] = {}

    def outage(self, region: str | None = None) -> dict | None:
        """The simulated outage of a Region (this Tx's by default), read once per transaction."""
        region = region or self.scope.region
        if region not in self._outages:
            row = self.conn.execute(select(schema.outages).where(schema.outages.c.region == region)).mappings().first()
            self._outages[region] = dict(row) if row else None
        return self._outages[region]

    def in_region(self, region: str) -> "Tx":
        """The same transaction and account, in another Region: the only Region crossing."""
        return Tx(self.conn, Scope(self.scope.account_id, region), now=self.now, timing=self.timing,
                  backend=self.backend)

    def shared_by(self, owner_account_id: str) -> "Tx":
        """The same transaction and Region in another account: the only door between accounts.

        Used only for what AWS itself shares between accounts: a connection alias shared by
        UpdateConnectionAliasPermission, an image shared by UpdateWorkspaceImagePermission, and
        account link invitations. Each side reads or writes exactly the shared record through it.
        """
        return Tx(self.conn, Scope(owner_account_id, self.scope.region), now=self.now, timing=self.timing,
                  backend=self.backend)

    def _key(self, table):
        return and_(table.c.account_id == self.scope.account_id, table.c.region == self.scope.region)

    # Resources -------------------------------------------------------------------------------
    def get(self, kind: str, rid: str, *, for_update: bool = False) -> dict | None:
        stmt = select(_R.c.doc).where(self._key(_R), _R.c.kind == kind, _R.c.id == rid)
        if for_update and self.backend == "postgresql":
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).scalar()

    def get_many(self, kind: str, ids: list[str]) -> list[dict]:
        stmt = select(_R.c.doc).where(self._key(_R), _R.c.kind == kind, _R.c.id.in_(ids)).order_by(_R.c.id)
        return list(self.conn.execute(stmt).scalars())

    def insert(self, kind: str, doc: dict) -> dict:
        k = KINDS[kind]
        self.conn.execute(insert(_R).values(account_id=self.scope.account_id, region=self.scope.region,
                                            kind=kind, id=doc[k.id], doc=doc, **column_values(k, doc)))
        return doc

    def update(self, kind: str, doc: dict) -> dict:
        k = KINDS[kind]
        self.conn.execute(update(_R).where(self._key(_R), _R.c.kind == kind, _R.c.id == doc[k.id])
                          .values(doc=doc, **column_values(k, doc)))
        return doc

    def delete(self, kind: str, rid: str) -> None:
        self.conn.execute(delete(_R).where(self._key(_R), _R.c.kind == kind, _R.c.id == rid))
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid))
        self.cancel_transitions(kind, rid)

    def _filtered(self, stmt, kind: str, filters: dict):
        stmt = stmt.where(self._key(_R), _R.c.kind == kind)
        for column, value in filters.items():
            if value is not None:
                stmt = stmt.where(_R.c[column] == value)
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

    def count(self, kind: str, **filters: str | None) -> int:
        return self.conn.execute(self._filtered(select(func.count()).select_from(_R), kind, filters)).scalar()

    # Tags ------------------------------------------------------------------------------------
    def tags(self, rid: str) -> dict[str, str]:
        rows = self.conn.execute(select(_T.c.key, _T.c.value).where(self._key(_T), _T.c.resource_id == rid)
                                 .order_by(_T.c.key))
        return {k: v for k, v in rows}

    def put_tags(self, rid: str, tags: dict[str, str]) -> None:
        if not tags:
            return
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid, _T.c.key.in_(list(tags))))
        self.conn.execute(insert(_T), [
            {"account_id": self.scope.account_id, "region": self.scope.region, "resource_id": rid,
             "key": k, "value": v} for k, v in tags.items()
        ])

    def delete_tags(self, rid: str, keys: list[str]) -> None:
        self.conn.execute(delete(_T).where(self._key(_T), _T.c.resource_id == rid, _T.c.key.in_(keys)))

    # Timed transitions ----------------------------------------------------------------------
    def schedule(self, kind: str, rid: str, from_state: str | None, to_state: str, delay: float) -> None:
        """At now + delay, move the resource from `from_state` to `to_state` (GONE removes it)."""
        self.conn.execute(insert(_X).values(account_id=self.scope.account_id, region=self.scope.region,
                                            kind=kind, resource_id=rid, from_state=from_state,
                                            to_state=to_state, due_at=self.now + delay))

    def cancel_transitions(self, kind: str, rid: str) -> None:
        self.conn.execute(delete(_X).where(self._key(_X), _X.c.kind == kind, _X.c.resource_id == rid))

    def apply_due(self, limit: int = 500) -> int:
        """Applies every transition due by `now`, each as compare-and-set on the resource's state.

        Transitions of every scope are applied (the scope of this Tx does not matter); on PostgreSQL
        rows are claimed with SKIP LOCKED, so several workers never apply one twice.
        """
        stmt = select(_X).where(_X.c.due_at <= self.now).order_by(_X.c.due_at, _X.c.id).limit(limit)
        if self.backend == "postgresql":
            stmt = stmt.with_for_update(skip_locked=True)
        rows = self.conn.execute(stmt).mappings().all()
        for row in rows:
            self.conn.execute(delete(_X).where(_X.c.id == row["id"]))
            scoped = Tx(self.conn, Scope(row["account_id"], row["region"]), now=self.now,
                        timing=self.timing, backend=self.backend)
            scoped._apply(row)
        return len(rows)

    def _apply(self, row) -> None:
        kind = KINDS[row["kind"]]
        doc = self.get(row["kind"], row["resource_id"], for_update=True)
        won = doc is not None and (row["from_state"] is None or doc.get(kind.state) == row["from_state"])
        log.info("transition=%s %s %s %s->%s %s", row["id"], row["kind"], row["resource_id"], row["from_state"],
                 row["to_state"], "applied" if won else "skipped")
        if not won:
            return  # compare-and-set lost: something else moved the resource first
        if row["to_state"] == GONE:
            self.delete(row["kind"], row["resource_id"])
            return
        doc[kind.state] = row["to_state"]
        self.update(row["kind"], doc)
