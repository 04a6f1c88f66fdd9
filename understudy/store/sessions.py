"""The rows of the user's side of a failover: sessions and DNS records (docs/standby.md "The user's side:
sign-ins, DNS failover, AutoStop").

- `sessions`: a WorkSpace's last sign-in, keyed by the WorkSpace, so the database keeps "at most one
  session per WorkSpace" on any number of servers; a sign-in is one upsert on that key. The row stays
  after sign-out (`ended_at`), for LastKnownUserConnectionTimestamp.
- `dns_records`: a name's records, keyed (name, role), global as Route 53 is.

Each function runs in the caller's transaction (a `Tx`'s connection). lifecycle/sessions.py holds the
rules of when to call them; handlers read sessions only through `Tx.connections`.
"""

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from understudy.store import schema
from understudy.store.database import Store
from understudy.store.transaction import Tx

_S = schema.sessions
_D = schema.dns_records
_C = schema.counters

MAX_LISTED = 10_000  # the most sessions or DNS names one listing answers


def _plain(row) -> dict:
    return {str(k): v for k, v in row.items()}


# Sessions -----------------------------------------------------------------------------------------------
def connect(tx: Tx, row: dict) -> None:
    """The sign-in of `row` (account_id, region, workspace_id, session_id, user_name, directory_id, client,
    source_ip, since) replaces whatever session the WorkSpace had, in one statement on its primary key."""
    upsert = postgresql.insert if tx.backend == "postgresql" else sqlite.insert
    values = {**row, "ended_at": None}
    changed = {k: v for k, v in values.items() if k not in ("account_id", "region", "workspace_id")}
    tx.conn.execute(upsert(_S).values(**values).on_conflict_do_update(
        index_elements=[_S.c.account_id, _S.c.region, _S.c.workspace_id], set_=changed))


def by_id(tx: Tx, session_id: str, *, live_only: bool = True) -> dict | None:
    stmt = select(_S).where(_S.c.session_id == session_id)
    if live_only:
        stmt = stmt.where(_S.c.ended_at.is_(None))
    row = tx.conn.execute(stmt).mappings().first()
    return _plain(row) if row else None


def end(tx: Tx, session_id: str, at: float) -> bool:
    """Ends a live session; False when there is none of that id (never was, replaced, or ended)."""
    stmt = update(_S).where(_S.c.session_id == session_id, _S.c.ended_at.is_(None)).values(ended_at=at)
    return tx.conn.execute(stmt).rowcount > 0


def end_in_region(tx: Tx, region: str, at: float) -> list[dict]:
    """Ends every live session in a Region (its outage cuts the users off); answers the sessions ended."""
    live = [_plain(r) for r in tx.conn.execute(
        select(_S).where(_S.c.region == region, _S.c.ended_at.is_(None))).mappings()]
    if live:
        tx.conn.execute(update(_S).where(_S.c.region == region, _S.c.ended_at.is_(None)).values(ended_at=at))
    return live


def live(tx: Tx, limit: int = MAX_LISTED) -> list[dict]:
    stmt = (select(_S).where(_S.c.ended_at.is_(None))
            .order_by(_S.c.account_id, _S.c.region, _S.c.workspace_id).limit(limit))
    return [_plain(r) for r in tx.conn.execute(stmt).mappings()]


def live_everywhere(store: Store) -> dict[tuple[str, str, str], dict]:
    """Every live session by (account_id, region, workspace_id), for the operator's views."""
    with store.engine.begin() as conn:
        rows = conn.execute(select(_S).where(_S.c.ended_at.is_(None)).limit(MAX_LISTED)).mappings()
        return {(r["account_id"], r["region"], r["workspace_id"]): _plain(r) for r in rows}


AUTO_STOP_STEPS = (("AVAILABLE", "STOPPING"), ("STOPPING", "STOPPED"))


def cancel_auto_stop(tx: Tx, account_id: str, region: str, workspace_id: str) -> None:
    """Drops a WorkSpace's pending AutoStop (its AVAILABLE -> STOPPING -> STOPPED transitions), and nothing else
    it has pending (a migration's, say)."""
    x = schema.transitions
    steps = [(x.c.from_state == a) & (x.c.to_state == b) for a, b in AUTO_STOP_STEPS]
    tx.conn.execute(delete(x).where(x.c.account_id == account_id, x.c.region == region, x.c.kind == "workspace",
                                    x.c.resource_id == workspace_id, x.c.failed.is_(None), steps[0] | steps[1]))


# Where things are ---------------------------------------------------------------------------------------
def scopes_holding(tx: Tx, kind: str) -> list[tuple[str, str]]:
    """The (account_id, region) scopes that hold a resource of `kind`, from the quota counters: a lookup by a
    field that is not indexed (a directory's RegistrationCode, an alias by id alone) visits only these."""
    stmt = select(_C.c.account_id, _C.c.region).where(_C.c.name == kind, _C.c.n > 0).order_by(_C.c.account_id,
                                                                                                 _C.c.region)
    return [(a, r) for a, r in tx.conn.execute(stmt)]


def out_regions(tx: Tx) -> set[str]:
    return set(tx.conn.execute(select(schema.outages.c.region)).scalars())


# DNS ------------------------------------------------------------------------------------------------------
def dns_put(tx: Tx, name: str, records: list[dict]) -> None:
    """Replaces a name's records (rows of role, alias_id, account_id, region, health_check)."""
    tx.conn.execute(delete(_D).where(_D.c.name == name))
    tx.conn.execute(insert(_D), [{"name": name, **r} for r in records])


def dns_get(tx: Tx, name: str) -> list[dict]:
    return [_plain(r) for r in tx.conn.execute(select(_D).where(_D.c.name == name).order_by(_D.c.role)).mappings()]


def dns_all(tx: Tx, limit: int = MAX_LISTED) -> dict[str, list[dict]]:
    """Names in order, with their records (a name holds at most two, so 2 * limit rows cover `limit` names)."""
    found: dict[str, list[dict]] = {}
    for r in tx.conn.execute(select(_D).order_by(_D.c.name, _D.c.role).limit(2 * limit)).mappings():
        found.setdefault(r["name"], []).append(_plain(r))
    return dict(list(found.items())[:limit])


def dns_delete(tx: Tx, name: str) -> bool:
    return tx.conn.execute(delete(_D).where(_D.c.name == name)).rowcount > 0
