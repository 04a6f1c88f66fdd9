"""The tables. Every resource key starts with (account_id, region)."""

from sqlalchemy import JSON, Column, Float, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.types import TypeEngine


def _chars(length: int) -> TypeEngine:
    """A string column: VARCHAR(length) on SQLite, which never enforces the length, and TEXT on PostgreSQL,
    which would refuse a longer value with an error, a 500 to a request whose input the model leaves
    unbounded (a 256-character IP group name; migration 8)."""
    return String(length).with_variant(Text(), "postgresql")


metadata = MetaData()

resources = Table(
    "resources",
    metadata,
    Column("account_id", _chars(12), primary_key=True),
    Column("region", _chars(31), primary_key=True),
    Column("kind", _chars(32), primary_key=True),
    Column("id", _chars(128), primary_key=True),
    Column("state", _chars(32)),
    Column("directory_id", _chars(70)),
    Column("user_name", _chars(70)),
    Column("bundle_id", _chars(70)),
    Column("label", _chars(255)),
    Column("doc", JSON, nullable=False),
    Index("ix_resources_directory", "account_id", "region", "kind", "directory_id", "user_name", "id"),
    Index("ix_resources_directory_id", "account_id", "region", "kind", "directory_id", "id"),
    Index("ix_resources_bundle", "account_id", "region", "kind", "bundle_id", "id"),
    Index("ix_resources_label", "account_id", "region", "kind", "label", "id"),
)

tags = Table(
    "tags",
    metadata,
    Column("account_id", _chars(12), primary_key=True),
    Column("region", _chars(31), primary_key=True),
    Column("resource_id", _chars(128), primary_key=True),
    Column("key", _chars(127), primary_key=True),
    Column("value", _chars(255), nullable=False),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account_id", _chars(12), nullable=False),
    Column("region", _chars(31), nullable=False),
    Column("kind", _chars(32), nullable=False),
    Column("resource_id", _chars(128), nullable=False),
    Column("from_state", _chars(32)),
    Column("to_state", _chars(32), nullable=False),
    Column("due_at", Float, nullable=False),
    # Why applying it failed, for a transition the lifecycle engine set aside; NULL while it is pending.
    Column("failed", _chars(255)),
    Index("ix_transitions_due", "due_at"),
    Index("ix_transitions_resource", "account_id", "region", "kind", "resource_id"),
)

clock = Table(
    "clock",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("mode", _chars(8), nullable=False),
    Column("timing", _chars(16), nullable=False),
    Column("offset", Float, nullable=False),
    Column("frozen_at", Float),
)

outages = Table(
    "outages",
    metadata,
    Column("region", _chars(31), primary_key=True),
    Column("since", Float, nullable=False),
    Column("api", _chars(16), nullable=False),
)

counters = Table(
    "counters",
    metadata,
    Column("account_id", _chars(12), primary_key=True),
    Column("region", _chars(31), primary_key=True),
    Column("name", _chars(64), primary_key=True),
    Column("n", Integer, nullable=False),
)

# The names a resource holds alone in its scope (domain.resources.claims): the primary key is the rule.
claims = Table(
    "claims",
    metadata,
    Column("account_id", _chars(12), primary_key=True),
    Column("region", _chars(31), primary_key=True),
    Column("claim", _chars(400), primary_key=True),
    Column("kind", _chars(32), nullable=False),
    Column("resource_id", _chars(128), nullable=False),
    Index("ix_claims_resource", "account_id", "region", "kind", "resource_id"),
)

# The user's side (docs/standby.md "The user's side: sign-ins, DNS failover, AutoStop"). A WorkSpace's
# last sign-in: live while `ended_at` is NULL. The primary key is the rule "at most one session per
# WorkSpace"; a row stays after sign-out, for LastKnownUserConnectionTimestamp.
sessions = Table(
    "sessions",
    metadata,
    Column("account_id", _chars(12), primary_key=True),
    Column("region", _chars(31), primary_key=True),
    Column("workspace_id", _chars(128), primary_key=True),
    Column("session_id", _chars(32), nullable=False),
    Column("user_name", _chars(70), nullable=False),
    Column("directory_id", _chars(70), nullable=False),
    Column("client", _chars(16), nullable=False),
    Column("source_ip", _chars(45), nullable=False),
    Column("since", Float, nullable=False),
    Column("ended_at", Float),
    Index("ix_sessions_session_id", "session_id", unique=True),
)

# Understudy's stand-in for DNS: global, as Route 53 is. One row per record; the primary key keeps one
# record per failover role (PRIMARY, SECONDARY, or SIMPLE) of a name.
dns_records = Table(
    "dns_records",
    metadata,
    Column("name", _chars(253), primary_key=True),
    Column("role", _chars(9), primary_key=True),
    Column("alias_id", _chars(128), nullable=False),
    Column("account_id", _chars(12), nullable=False),
    Column("region", _chars(31), nullable=False),
    Column("health_check", Integer, nullable=False),
)

schema_version = Table("schema_version", metadata, Column("version", Integer, primary_key=True))
