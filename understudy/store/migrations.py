"""Schema migrations, applied in order at start; the applied version is kept in `schema_version`.

Each migration is a function of a connection. The first creates the tables of `schema.py` as they
stood then; later ones alter them. A server refuses a database newer than it knows.
"""

from sqlalchemy import Connection, func, select, text

from understudy.store import schema


def _v1_initial(conn: Connection) -> None:
    for table in (schema.resources, schema.tags, schema.transitions, schema.clock):
        table.create(conn, checkfirst=True)


def _v2_outages(conn: Connection) -> None:
    schema.outages.create(conn, checkfirst=True)


MIGRATIONS = [_v1_initial, _v2_outages]


def migrate(conn: Connection) -> int:
    """Brings the schema up to date; returns the version now applied.

    On PostgreSQL an advisory lock makes servers and workers starting together migrate one at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4599)"))
    schema.schema_version.create(conn, checkfirst=True)
    current = conn.execute(select(func.max(schema.schema_version.c.version))).scalar() or 0
    if current > len(MIGRATIONS):
        raise RuntimeError(f"the database is at schema version {current}, newer than this Understudy knows")
    for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
        step(conn)
        conn.execute(schema.schema_version.insert().values(version=version))
    return len(MIGRATIONS)
