"""Schema migrations, applied in order at start; the applied version is kept in `schema_version`.

Each migration is a function of a connection, and each is frozen: it creates its tables from its own
literal definition below, as they stood at that version, never from `schema.py`. So a change to
`schema.py` can never change what an old migration does; it needs a new migration that makes the same
change (tests/unit/test_migrations.py checks the migrated tables equal `schema.py`'s). A server refuses
a database newer than it knows.
"""

from collections import Counter

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    func,
    insert,
    inspect,
    select,
    text,
)

from understudy.domain.families import KINDS
from understudy.domain.resources import claims, connection_string_claim, counter_names

# Version 1: the tables as they stood then. Frozen: never edit, add a migration instead.
_V1 = MetaData()
_V1_RESOURCES = Table(
    "resources", _V1,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(31), primary_key=True),
    Column("kind", String(32), primary_key=True),
    Column("id", String(128), primary_key=True),
    Column("state", String(32)),
    Column("directory_id", String(70)),
    Column("user_name", String(70)),
    Column("bundle_id", String(70)),
    Column("label", String(255)),
    Column("doc", JSON, nullable=False),
    Index("ix_resources_directory", "account_id", "region", "kind", "directory_id", "user_name", "id"),
    Index("ix_resources_bundle", "account_id", "region", "kind", "bundle_id", "id"),
    Index("ix_resources_label", "account_id", "region", "kind", "label", "id"),
)
Table(
    "tags", _V1,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(31), primary_key=True),
    Column("resource_id", String(128), primary_key=True),
    Column("key", String(127), primary_key=True),
    Column("value", String(255), nullable=False),
)
Table(
    "transitions", _V1,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", String(12), nullable=False),
    Column("region", String(31), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("resource_id", String(128), nullable=False),
    Column("from_state", String(32)),
    Column("to_state", String(32), nullable=False),
    Column("due_at", Float, nullable=False),
    Index("ix_transitions_due", "due_at"),
    Index("ix_transitions_resource", "account_id", "region", "kind", "resource_id"),
)
Table(
    "clock", _V1,
    Column("id", Integer, primary_key=True),
    Column("mode", String(8), nullable=False),
    Column("timing", String(16), nullable=False),
    Column("offset", Float, nullable=False),
    Column("frozen_at", Float),
)
_SCHEMA_VERSION = Table("schema_version", _V1, Column("version", Integer, primary_key=True))

# Version 2. Frozen.
_V2 = MetaData()
Table(
    "outages", _V2,
    Column("region", String(31), primary_key=True),
    Column("since", Float, nullable=False),
    Column("api", String(16), nullable=False),
)

# Version 3. Frozen.
_V3 = MetaData()
Table(
    "counters", _V3,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(31), primary_key=True),
    Column("name", String(64), primary_key=True),
    Column("n", Integer, nullable=False),
)

# Version 5. Frozen.
_V5 = MetaData()
_V5_CLAIMS = Table(
    "claims", _V5,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(31), primary_key=True),
    Column("claim", String(400), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("resource_id", String(128), nullable=False),
    Index("ix_claims_resource", "account_id", "region", "kind", "resource_id"),
)

# Version 6. Frozen.
_V6 = MetaData()
Table(
    "sessions", _V6,
    Column("account_id", String(12), primary_key=True),
    Column("region", String(31), primary_key=True),
    Column("workspace_id", String(128), primary_key=True),
    Column("session_id", String(32), nullable=False),
    Column("user_name", String(70), nullable=False),
    Column("directory_id", String(70), nullable=False),
    Column("client", String(16), nullable=False),
    Column("source_ip", String(45), nullable=False),
    Column("since", Float, nullable=False),
    Column("ended_at", Float),
    Index("ix_sessions_session_id", "session_id", unique=True),
)
Table(
    "dns_records", _V6,
    Column("name", String(253), primary_key=True),
    Column("role", String(9), primary_key=True),
    Column("alias_id", String(128), nullable=False),
    Column("account_id", String(12), nullable=False),
    Column("region", String(31), nullable=False),
    Column("health_check", Integer, nullable=False),
)


def _v1_initial(conn: Connection) -> None:
    _V1.create_all(conn, tables=[t for t in _V1.sorted_tables if t is not _SCHEMA_VERSION], checkfirst=True)


def _v2_outages(conn: Connection) -> None:
    _V2.create_all(conn, checkfirst=True)


def _v3_counters(conn: Connection) -> None:
    """Counts per kind (and tally) kept as rows, so quotas never count a million rows; and the index
    that pages one directory's resources by id."""
    _V3.create_all(conn, checkfirst=True)
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_resources_directory_id "
                      "ON resources (account_id, region, kind, directory_id, id)"))
    r = _V1_RESOURCES
    rows = conn.execute(select(r.c.account_id, r.c.region, r.c.kind, r.c.doc)).mappings()
    counts = counter_rows(rows)
    if counts:
        conn.execute(insert(_V3.tables["counters"]), counts)


def claim_rows(resources) -> list[dict]:
    """The claim rows a set of resource rows gives: what `Tx.insert` would have claimed, row by row."""
    return [{"account_id": row["account_id"], "region": row["region"], "claim": claim, "kind": row["kind"],
             "resource_id": row["id"]}
            for row in resources for claim in claims(KINDS[row["kind"]], row["doc"])]


RESERVED = "*"  # the account and Region of names reserved to one account everywhere (Tx.reserve)


def reservation_rows(resources, reserved=()) -> list[dict]:
    """The names reserved to one account for good: those already `reserved` (claim rows of the `RESERVED`
    scope), and a connection string for each alias in `resources` whose string nobody holds yet: the first
    holder keeps a name."""
    held = {row["claim"]: row for row in reserved}
    for row in resources:
        if row["kind"] == "connection_alias" and isinstance(row["doc"].get("ConnectionString"), str):
            claim = connection_string_claim(row["doc"]["ConnectionString"])
            held.setdefault(claim, {"account_id": RESERVED, "region": RESERVED, "claim": claim,
                                    "kind": "connection_alias", "resource_id": row["account_id"]})
    return list(held.values())


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
    _V5.create_all(conn, checkfirst=True)
    r = _V1_RESOURCES
    rows = claim_rows(conn.execute(select(r.c.account_id, r.c.region, r.c.kind, r.c.id, r.c.doc)).mappings())
    held = {}
    for row in rows:  # a database written before the rule was kept may break it: the first holder keeps the name
        held.setdefault((row["account_id"], row["region"], row["claim"]), row)
    if held:
        conn.execute(insert(_V5_CLAIMS), list(held.values()))


def _v6_sessions_and_dns(conn: Connection) -> None:
    """Users' sessions on WorkSpaces (at most one per WorkSpace: the primary key) and DNS names' records."""
    _V6.create_all(conn, checkfirst=True)


def _v7_reserved_connection_strings(conn: Connection) -> None:
    """A connection string is reserved to the account that made it: a reservation for each alias stored before."""
    r, c = _V1_RESOURCES, _V5_CLAIMS
    reserved = conn.execute(select(c).where(c.c.account_id == RESERVED, c.c.region == RESERVED)).mappings().all()
    aliases = conn.execute(select(r.c.account_id, r.c.region, r.c.kind, r.c.id, r.c.doc)
                           .where(r.c.kind == "connection_alias")).mappings()
    new = [row for row in reservation_rows(aliases, reserved) if row not in reserved]
    if new:
        conn.execute(insert(c), new)


def _v8_text_on_postgresql(conn: Connection) -> None:
    """PostgreSQL's string columns become TEXT: a value over a VARCHAR's length failed its request with a 500
    (schema._chars). SQLite never enforced the lengths, so it keeps its columns; on PostgreSQL a VARCHAR
    becomes TEXT without rewriting the table or its indexes."""
    if conn.dialect.name != "postgresql":
        return
    columns = conn.execute(text(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND data_type = 'character varying' AND table_name = ANY(:tables) ORDER BY table_name, column_name"),
        {"tables": _V8_TABLES}).all()
    for table, column in columns:
        conn.execute(text(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" TYPE TEXT'))


# The tables of versions 1 to 7, every one whose columns migration 8 turns to TEXT.
_V8_TABLES = ["resources", "tags", "transitions", "clock", "outages", "counters", "claims", "sessions", "dns_records"]

MIGRATIONS = [_v1_initial, _v2_outages, _v3_counters, _v4_failed_transitions, _v5_claims, _v6_sessions_and_dns,
              _v7_reserved_connection_strings, _v8_text_on_postgresql]


def migrate(conn: Connection) -> int:
    """Brings the schema up to date; returns the version now applied.

    On PostgreSQL an advisory lock makes servers and workers starting together migrate one at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(4599)"))
    _SCHEMA_VERSION.create(conn, checkfirst=True)
    current = conn.execute(select(func.max(_SCHEMA_VERSION.c.version))).scalar() or 0
    if current > len(MIGRATIONS):
        raise RuntimeError(f"the database is at schema version {current}, newer than this Understudy knows")
    for version, step in enumerate(MIGRATIONS[current:], start=current + 1):
        step(conn)
        conn.execute(_SCHEMA_VERSION.insert().values(version=version))
    return len(MIGRATIONS)
