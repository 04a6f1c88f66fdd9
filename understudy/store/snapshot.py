"""Whole-state snapshots for GET and PUT /_understudy/state: every row of every table, and the clock.

Tables are read from `schema.metadata`, so a table added by a later migration is exported and
imported without a change here. A snapshot is checked in full before anything is written, and the
import is one transaction: a refused snapshot leaves the state as it was.
"""

from sqlalchemy import JSON, Float, Integer, String, delete, exc, func, insert, select, text

from understudy.domain.timing import PROFILES
from understudy.store import schema
from understudy.store.database import Store, clock_now

FORMAT = 1
_CLOCK_FIELDS = ("mode", "timing", "offset", "frozen_at")
_CLOCK_MODES = ("real", "manual")  # lifecycle.clock.MODES; the store cannot import lifecycle (it imports us)


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


def import_(store: Store, snapshot: object) -> dict:
    """Replaces all state with the snapshot's; answers what was imported (rows per table)."""
    with store.engine.begin() as conn:
        tables = _checked(snapshot, _schema_version(conn))
        clock = {f: snapshot["clock"][f] for f in _CLOCK_FIELDS}
        for table in tables:
            conn.execute(delete(table))
        conn.execute(delete(schema.clock))
        conn.execute(insert(schema.clock).values(id=1, **clock))
        try:
            for table, rows in tables.items():
                if rows:
                    conn.execute(insert(table), rows)
        except exc.IntegrityError as e:
            raise SnapshotError(f"the snapshot's rows conflict: {e.orig}") from None
        if conn.dialect.name == "postgresql":
            _realign_sequences(conn, tables)
    return {str(table.name): len(rows) for table, rows in tables.items()}


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


def _check_clock(clock: object) -> None:
    if not isinstance(clock, dict):
        raise SnapshotError("clock must be an object with mode, timing, offset and frozen_at")
    if clock.get("mode") not in _CLOCK_MODES:
        raise SnapshotError(f"clock.mode must be one of {', '.join(_CLOCK_MODES)}")
    if clock.get("timing") not in PROFILES:
        raise SnapshotError(f"clock.timing must be one of {', '.join(PROFILES)}")
    if not _is_number(clock.get("offset")):
        raise SnapshotError("clock.offset must be a number")
    if not (clock.get("frozen_at") is None or _is_number(clock["frozen_at"])):
        raise SnapshotError("clock.frozen_at must be a number or null")
    if clock["mode"] == "manual" and clock.get("frozen_at") is None:
        raise SnapshotError("clock.frozen_at must be set when the clock is manual")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


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
    kind = column.type
    if isinstance(kind, String) and not (isinstance(value, str) and (kind.length is None or len(value) <= kind.length)):
        raise SnapshotError(f"{where}.{column.name} must be a string of at most {kind.length} characters")
    if isinstance(kind, Integer) and (isinstance(value, bool) or not isinstance(value, int)):
        raise SnapshotError(f"{where}.{column.name} must be an integer")
    if isinstance(kind, Float) and not _is_number(value):
        raise SnapshotError(f"{where}.{column.name} must be a number")
    if isinstance(kind, JSON) and not isinstance(value, dict):
        raise SnapshotError(f"{where}.{column.name} must be an object")
