"""Schema migrations, applied in order at start; the applied version is kept in `schema_version`.

Each migration is a function of a connection. The first creates the tables of `schema.py` as they
stood then; later ones alter them. A server refuses a database newer than it knows.
"""

from collections import Counter

from sqlalchemy import Connection, Index, func, insert, inspect, select, text

from understudy.domain.resources import KINDS, claims, counter_names
from understudy.store import schema


def _v1_initial(conn: Connection) -> None:
    for table in (schema.resources, schema.tags, schema.transitions, schema.clock):
        table.create(conn, checkfirst=True)


def _v2_outages(conn: Connection) -> None:
    schema.outages.create(conn, checkfirst=True)


def _v3_counters(conn: Connection) -> None:
    """Counts per kind (and tally) kept as rows, so quotas never count a million rows; and the index
    that pages one directory's resources by id."""
    schema.counters.create(conn, checkfirst=True)
    r = schema.resources
    Index("ix_resources_directory_id", r.c.account_id, r.c.region, r.c.kind, r.c.directory_id, r.c.id).create(
        conn, checkfirst=True)
    rows = conn.execute(select(r.c.account_id, r.c.region, r.c.kind, r.c.doc)).mappings()
    counts = counter_rows(rows)
    if counts:
        conn.execute(insert(schema.counters), counts)


def claim_rows(resources) -> list[dict]:
    """The claim rows a set of resource rows gives: what `Tx.insert` would have claimed, row by row."""
    return [{"account_id": row["account_id"], "region": row["region"], "claim": claim, "kind": row["kind"],
             "resource_id": row["id"]}
            for row in resources for claim in claims(KINDS[row["kind"]], row["doc"])]


def counter_rows(resources) -> list[dict]:
    """The counter rows a set of resource rows gives: what `Tx.insert` would have counted, row by row."""
    counts: Counter = Counter()
    for row in resources:
        for name in counter_names(KINDS[row["kind"]], row["doc"]):
            counts[(row["account_id"], row["region"], name)] += 1
    return [{"account_id": a, "region": g, "name": n, "n": c} for (a, g, n), c in counts.items()]


def _v4_failed_transitions(conn: Connection) -> None:
    """A transition that fails to apply is set aside with its reason instead of failing every request."""
    if "failed" not in {c["name"] for c in inspect(conn).get_columns("transitions")}:
        conn.execute(text("ALTER TABLE transitions ADD COLUMN failed VARCHAR(255)"))


def _v5_claims(conn: Connection) -> None:
    """"At most one" rules as a table with a primary key, filled from the resources already stored."""
    schema.claims.create(conn, checkfirst=True)
    r = schema.resources
    rows = claim_rows(conn.execute(select(r.c.account_id, r.c.region, r.c.kind, r.c.id, r.c.doc)).mappings())
    held = {}
    for row in rows:  # a database written before the rule was kept may break it: the first holder keeps the name
        held.setdefault((row["account_id"], row["region"], row["claim"]), row)
    if held:
        conn.execute(insert(schema.claims), list(held.values()))


MIGRATIONS = [_v1_initial, _v2_outages, _v3_counters, _v4_failed_transitions, _v5_claims]


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
