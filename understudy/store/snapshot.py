"""Whole-state snapshots for GET and PUT /_understudy/state: every row of every table, and the clock.

Tables are read from `schema.metadata`, so a table added by a later migration is exported and
imported without a change here. A snapshot is checked in full before anything is written, and the
import is one transaction: a refused snapshot leaves the state as it was.

The check is what keeps a bad snapshot from breaking the server after it is in: every value fits
its column on both backends (no NUL, which PostgreSQL refuses; integers within 32 bits; times
within the clock's range), every resource document carries its row's id and a state, every
transition and outage names something this server knows. What is derived from the documents is
recomputed, never taken from the file: the indexed columns, the quota counters and the claims ("at
most one" names); two resources claiming one name are refused.
"""

import re
import time
from collections.abc import Callable

from sqlalchemy import JSON, Float, Integer, String, delete, exc, func, insert, select, text

from understudy.domain.families import KINDS
from understudy.domain.outages import API_MODES
from understudy.domain.resources import column_values, connection_string_claim
from understudy.domain.scope import Scope
from understudy.domain.timing import CLOCK_MODES, LATEST, PROFILES
from understudy.store import schema
from understudy.store.database import Store, clock_now
from understudy.store.migrations import RESERVED, claim_rows, counter_rows, reservation_rows
from understudy.store.transaction import Tx

FORMAT = 1
_CLOCK_FIELDS = ("mode", "timing", "offset", "frozen_at")
_INT32 = (-(2**31), 2**31 - 1)  # PostgreSQL's INTEGER; SQLite would take more, and the two must agree
_DOC_INT = 2**53  # integers every JSON reader (the dashboard's JavaScript too) reads exactly
_DOC_DEPTH = 64
# A transition falls due after the clock's now by at most its duration (hours): a year's margin past the
# clock's last second lets a clock stopped there be exported and imported back.
_LATEST_DUE = LATEST + 366 * 86400


class SnapshotError(ValueError):
    """The snapshot cannot be imported; nothing was changed."""


def _tables() -> dict:
    """The tables a snapshot carries: all but the clock (a field of its own) and the migration record."""
    return {str(t.name): t for t in schema.metadata.sorted_tables if t not in (schema.clock, schema.schema_version)}


def _schema_version(conn) -> int:
    return conn.execute(select(func.max(schema.schema_version.c.version))).scalar() or 0


def export(store: Store) -> dict:
    with store.engine.begin() as conn:
        clock = conn.execute(select(schema.clock).where(schema.clock.c.id == 1)).mappings().one()
        tables = {}
        for name, table in _tables().items():
            rows = conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
            tables[name] = [{str(k): v for k, v in row.items()} for row in rows]
        return {
            "format": FORMAT,
            "schema_version": _schema_version(conn),
            "clock": {**{f: clock[f] for f in _CLOCK_FIELDS}, "now": clock_now(dict(clock))},
            "tables": tables,
        }


def import_(store: Store, snapshot: object, verify: Callable[[Tx], None] | None = None) -> dict:
    """Replaces all state with the snapshot's; answers what was imported (rows per table).

    `verify(tx)`, when given, reads everything back in each scope the snapshot holds, before the import
    commits (the gateway's `read_everything`); whatever it raises refuses the snapshot."""
    with store.engine.begin() as conn:
        tables = _checked(snapshot, _schema_version(conn))
        tables[schema.counters] = counter_rows(tables[schema.resources])
        tables[schema.claims] = _claims(tables[schema.resources], tables[schema.claims])
        _check_user_side(tables[schema.sessions], tables[schema.dns_records])
        clock = {f: snapshot["clock"][f] for f in _CLOCK_FIELDS}
        for table in tables:
            conn.execute(delete(table))
        conn.execute(delete(schema.clock))
        conn.execute(insert(schema.clock).values(id=1, **clock))
        try:
            for table, rows in tables.items():
                if rows:
                    conn.execute(insert(table), rows)
        except exc.DBAPIError as e:
            raise SnapshotError(f"the database refused the snapshot's rows: {e.orig}") from None
        if conn.dialect.name == "postgresql":
            _realign_sequences(conn, tables)
        if verify is not None:
            _read_back(conn, tables[schema.resources], clock, store.backend, verify)
    return {str(table.name): len(rows) for table, rows in tables.items()}


def _read_back(conn, resources: list[dict], clock: dict, backend: str, verify: Callable[[Tx], None]) -> None:
    """Runs `verify` in each scope the snapshot holds, in a savepoint rolled back afterwards."""
    now = clock_now(clock)
    for account_id, region in sorted({(r["account_id"], r["region"]) for r in resources}):
        savepoint = conn.begin_nested()
        try:
            verify(Tx(conn, Scope(account_id, region), now=now, timing=clock["timing"], backend=backend,
                      next_due=None))
        except Exception as e:
            raise SnapshotError(f"the resources of account {account_id} in {region} cannot be read back: "
                                f"{type(e).__name__}: {e}") from None
        finally:
            savepoint.rollback()


def _realign_sequences(conn, tables) -> None:
    """Imported ids were given explicitly, so PostgreSQL's serial counters must move past them."""
    for table in tables:
        pk = list(table.primary_key.columns)
        if len(pk) == 1 and isinstance(pk[0].type, Integer):
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{pk[0].name}'), "
                              f"COALESCE(MAX({pk[0].name}), 0) + 1, false) FROM {table.name}"))


def _checked(snapshot: object, current_version: int) -> dict:
    """The snapshot's rows by table, after checking its shape, versions, clock and every value."""
    if not isinstance(snapshot, dict):
        raise SnapshotError("a snapshot is a JSON object")
    if snapshot.get("format") != FORMAT:
        raise SnapshotError(f"format must be {FORMAT}")
    version = snapshot.get("schema_version")
    if version != current_version:  # older snapshots lack rows derived since, such as the quota counters
        raise SnapshotError(f"schema_version must be {current_version}, this server's")
    _check_clock(snapshot.get("clock"))
    given = snapshot.get("tables")
    if not isinstance(given, dict):
        raise SnapshotError("tables must be an object of table name to rows")
    known = _tables()
    unknown = set(given) - set(known)
    if unknown:
        raise SnapshotError(f"unknown table(s): {', '.join(sorted(unknown))}")
    missing = set(known) - set(given)
    if missing:
        raise SnapshotError(f"missing table(s): {', '.join(sorted(missing))}")
    return {table: _checked_rows(table, given[name]) for name, table in known.items()}


def _claims(resources: list[dict], given: list[dict]) -> list[dict]:
    """The claims the resources make, and the names reserved to one account for good: those the file holds
    (they outlive the resources that made them) and one for each connection alias it holds."""
    reserved = [row for row in given if (row["account_id"], row["region"]) == (RESERVED, RESERVED)]
    for row in reserved:
        if not re.fullmatch(r"[0-9]{12}", str(row["resource_id"])):
            raise SnapshotError(f"tables.claims: the name '{row['claim']}' is reserved to {row['resource_id']!s:.20}, "
                                "which is not an account id")
    reservations = reservation_rows(resources, reserved)
    owners = {row["claim"]: row["resource_id"] for row in reservations}
    for row in resources:
        string = row["doc"].get("ConnectionString") if row["kind"] == "connection_alias" else None
        if isinstance(string, str) and owners[connection_string_claim(string)] != row["account_id"]:
            raise SnapshotError(f"tables.resources: {row['id']} of {row['account_id']} uses the connection string "
                                f"'{string}', reserved to {owners[connection_string_claim(string)]}")
    rows, seen = claim_rows(resources) + reservations, {}
    for row in rows:
        key = (row["account_id"], row["region"], row["claim"])
        if key in seen:
            raise SnapshotError(f"tables.resources: {seen[key]} and {row['resource_id']} both claim "
                                f"'{row['claim']}' in {row['account_id']} {row['region']}")
        seen[key] = row["resource_id"]
    return rows


def _check_user_side(sessions: list[dict], records: list[dict]) -> None:
    """What the keys alone do not hold: one session id per session, and a simple DNS record alone in its name."""
    ids = [s["session_id"] for s in sessions]
    if len(set(ids)) != len(ids):
        raise SnapshotError("tables.sessions repeats a session_id")
    roles: dict[str, set] = {}
    for r in records:
        roles.setdefault(r["name"], set()).add(r["role"])
    mixed = sorted(name for name, held in roles.items() if "SIMPLE" in held and len(held) > 1)
    if mixed:
        raise SnapshotError(f"tables.dns_records: {mixed[0]} holds a simple record beside failover records")


def _check_clock(clock: object) -> None:
    if not isinstance(clock, dict):
        raise SnapshotError("clock must be an object with mode, timing, offset and frozen_at")
    if clock.get("mode") not in CLOCK_MODES:
        raise SnapshotError(f"clock.mode must be one of {', '.join(CLOCK_MODES)}")
    if clock.get("timing") not in PROFILES:
        raise SnapshotError(f"clock.timing must be one of {', '.join(PROFILES)}")
    if not _is_number(clock.get("offset")) or not _is_time(time.time() + clock["offset"]):
        raise SnapshotError(f"clock.offset must keep the clock's now from 0 to {LATEST:.0f}")
    if not (clock.get("frozen_at") is None or _is_time(clock["frozen_at"])):
        raise SnapshotError(f"clock.frozen_at must be null or a time from 0 to {LATEST:.0f}")
    if clock["mode"] == "manual" and clock.get("frozen_at") is None:
        raise SnapshotError("clock.frozen_at must be set when the clock is manual")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_time(value: object) -> bool:
    return _is_number(value) and 0 <= value <= LATEST


def _checked_rows(table, rows: object) -> list[dict]:
    if not isinstance(rows, list):
        raise SnapshotError(f"tables.{table.name} must be a list of rows")
    keys = set()
    for i, row in enumerate(rows):
        where = f"tables.{table.name}[{i}]"
        if not isinstance(row, dict):
            raise SnapshotError(f"{where} must be an object")
        unknown = set(row) - set(table.columns.keys())
        if unknown:
            raise SnapshotError(f"{where} has unknown column(s): {', '.join(sorted(unknown))}")
        for column in table.columns:
            _check_value(where, column, row.get(column.name))
        _ROW_CHECKS.get(table.name, _no_more)(where, row)
        key = tuple(row[c.name] for c in table.primary_key.columns)
        if key in keys:
            raise SnapshotError(f"{where} repeats the key {list(key)}")
        keys.add(key)
    return rows


def _check_value(where: str, column, value: object) -> None:
    if value is None:
        if not column.nullable:
            raise SnapshotError(f"{where}.{column.name} is required")
        return
    kind, where = column.type, f"{where}.{column.name}"
    if isinstance(kind, String) and not isinstance(value, str):  # of any length: TEXT on PostgreSQL (schema._chars)
        raise SnapshotError(f"{where} must be a string")
    if isinstance(kind, Integer) and (isinstance(value, bool) or not isinstance(value, int)
                                      or not _INT32[0] <= value <= _INT32[1]):
        raise SnapshotError(f"{where} must be an integer of at most 32 bits")
    if isinstance(kind, Float) and not (_is_number(value) and abs(value) <= _LATEST_DUE):
        raise SnapshotError(f"{where} must be a number within ±{_LATEST_DUE:.0f}")
    if isinstance(kind, JSON) and not isinstance(value, dict):
        raise SnapshotError(f"{where} must be an object")
    _check_plain(where, value)


def _check_plain(where: str, value: object) -> None:
    """Strings without NUL, integers JSON readers agree on, nesting of at most 64: walked without recursion."""
    stack = [(where, value, 0)]
    while stack:
        path, v, depth = stack.pop()
        if depth > _DOC_DEPTH:
            raise SnapshotError(f"{path} nests deeper than {_DOC_DEPTH} levels")
        if isinstance(v, str) and "\x00" in v:
            raise SnapshotError(f"{path} holds a NUL character")
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > _DOC_INT:
            raise SnapshotError(f"{path} is an integer beyond ±2^53")
        if isinstance(v, dict):
            for k, child in v.items():
                if "\x00" in k:
                    raise SnapshotError(f"{path} has a key holding a NUL character")
                stack.append((f"{path}.{k}", child, depth + 1))
        elif isinstance(v, list):
            stack.extend((f"{path}[{i}]", child, depth + 1) for i, child in enumerate(v))


def _resource(where: str, row: dict) -> None:
    """A resource's document must carry the row's id; its indexed columns are taken from the document, as
    `Tx.insert` and `Tx.update` write them, so a document edited by hand needs no column edited with it."""
    kind = KINDS.get(row["kind"])
    if kind is None:
        raise SnapshotError(f"{where}.kind must be one of {', '.join(KINDS)}")
    doc = row["doc"]
    if doc.get(kind.id) != row["id"]:
        raise SnapshotError(f"{where}.doc.{kind.id} must be the row's id, {row['id']!r}")
    row.update(column_values(kind, doc))
    for column in _INDEXED:
        _check_value(where, schema.resources.c[column], row[column])
    if kind.state and not isinstance(doc.get(kind.state), str):
        raise SnapshotError(f"{where}.doc.{kind.state} must be a string: every {kind.called} has a state")


def _transition(where: str, row: dict) -> None:
    if row["kind"] not in KINDS:
        raise SnapshotError(f"{where}.kind must be one of {', '.join(KINDS)}")
    if not (_is_number(row["due_at"]) and 0 <= row["due_at"] <= _LATEST_DUE):
        raise SnapshotError(f"{where}.due_at must be a time from 0 to {_LATEST_DUE:.0f}")


def _outage(where: str, row: dict) -> None:
    if row["api"] not in API_MODES:
        raise SnapshotError(f"{where}.api must be one of {', '.join(API_MODES)}")
    if not _is_time(row["since"]):
        raise SnapshotError(f"{where}.since must be a time from 0 to {LATEST:.0f}")


def _counter(where: str, row: dict) -> None:
    if row["n"] < 0:
        raise SnapshotError(f"{where}.n must be zero or more")


def _session(where: str, row: dict) -> None:
    if not _is_time(row["since"]) or not (row["ended_at"] is None or _is_time(row["ended_at"])):
        raise SnapshotError(f"{where}.since and ended_at must be times from 0 to {LATEST:.0f} (ended_at may be null)")


_DNS_ROLES = ("PRIMARY", "SECONDARY", "SIMPLE")


def _dns_record(where: str, row: dict) -> None:
    if row["role"] not in _DNS_ROLES:
        raise SnapshotError(f"{where}.role must be one of {', '.join(_DNS_ROLES)}")
    if row["health_check"] not in (0, 1):
        raise SnapshotError(f"{where}.health_check must be 0 or 1")


def _no_more(where: str, row: dict) -> None:
    pass


_INDEXED = ("state", "directory_id", "user_name", "bundle_id", "label")
_ROW_CHECKS = {"resources": _resource, "transitions": _transition, "outages": _outage, "counters": _counter,
               "sessions": _session, "dns_records": _dns_record}
