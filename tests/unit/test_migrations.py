"""The migrations, run on a fresh database, build exactly the tables of `schema.py`; and version 1 is frozen."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from tests.helpers import BACKENDS, fresh_pg_database
from understudy.store import migrations, schema


@contextmanager
def _engine(backend: str, path: Path):
    if backend == "postgresql":
        with fresh_pg_database() as url:
            engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
            try:
                yield engine
            finally:
                engine.dispose()
    else:
        engine = create_engine(f"sqlite:///{path}")
        try:
            yield engine
        finally:
            engine.dispose()


def _shape(engine) -> dict:
    """Every table's columns (name, type, nullable, default), primary key and indexes, as the database reports them."""
    found = inspect(engine)
    return {table: {
        "columns": [(c["name"], str(c["type"]), c["nullable"], str(c.get("default")))
                    for c in found.get_columns(table)],
        "primary_key": found.get_pk_constraint(table)["constrained_columns"],
        "indexes": sorted((i["name"], tuple(i["column_names"]), bool(i["unique"])) for i in found.get_indexes(table)),
    } for table in sorted(found.get_table_names())}


@pytest.mark.parametrize("backend", BACKENDS)
def test_migrating_a_fresh_database_gives_the_tables_of_schema_py(backend, tmp_path):
    with _engine(backend, tmp_path / "migrated.db") as migrated, _engine(backend, tmp_path / "created.db") as created:
        with migrated.begin() as conn:
            assert migrations.migrate(conn) == len(migrations.MIGRATIONS)
        with migrated.begin() as conn:  # a second start changes nothing
            assert migrations.migrate(conn) == len(migrations.MIGRATIONS)
        schema.metadata.create_all(created)
        assert _shape(migrated) == _shape(created)
        assert set(_shape(migrated)) == set(schema.metadata.tables)


def test_version_1_creates_the_tables_as_they_stood_then(tmp_path):
    """Version 1 is its own literal definition: what came later (the `failed` column, the directory-by-id index,
    the outages, counters and claims tables) only ever comes from later migrations."""
    with _engine("sqlite", tmp_path / "v1.db") as engine:
        with engine.begin() as conn:
            migrations.MIGRATIONS[0](conn)
        shape = _shape(engine)
    assert set(shape) == {"resources", "tags", "transitions", "clock"}
    assert [c[0] for c in shape["transitions"]["columns"]] == [
        "id", "account_id", "region", "kind", "resource_id", "from_state", "to_state", "due_at"]
    assert [i[0] for i in shape["resources"]["indexes"]] == [
        "ix_resources_bundle", "ix_resources_directory", "ix_resources_label"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_version_7_reserves_the_connection_strings_of_aliases_stored_before(backend, tmp_path, monkeypatch):
    """An alias stored before connection strings were reserved gets its reservation, held by its account, the
    string compared without case; migrating again adds nothing."""
    with _engine(backend, tmp_path / "v6.db") as engine:
        with monkeypatch.context() as before:  # a database as version 6 left it
            before.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:6])
            with engine.begin() as conn:
                assert migrations.migrate(conn) == 6
        with engine.begin() as conn:
            conn.execute(schema.resources.insert(), [
                {"account_id": account, "region": "us-east-1", "kind": "connection_alias", "id": alias,
                 "doc": {"AliasId": alias, "ConnectionString": string, "State": "CREATED"}}
                for account, alias, string in (("111122223333", "wsca-000000001", "Desk.Example.com"),
                                               ("444455556666", "wsca-000000002", "other.example.com"))])
        for _ in range(2):
            with engine.begin() as conn:
                assert migrations.migrate(conn) == len(migrations.MIGRATIONS)
        with engine.connect() as conn:
            c = schema.claims
            rows = conn.execute(c.select().where(c.c.account_id == migrations.RESERVED)).mappings().all()
    assert sorted((r["claim"], r["resource_id"]) for r in rows) == [
        ("connection-string/desk.example.com", "111122223333"), ("connection-string/other.example.com", "444455556666")]


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")
def test_version_8_lets_postgresql_store_strings_of_any_length_and_keeps_what_was_stored(tmp_path, monkeypatch):
    with _engine("postgresql", tmp_path / "v7.db") as engine:
        with monkeypatch.context() as before:  # a database as version 7 left it: VARCHAR columns
            before.setattr(migrations, "MIGRATIONS", migrations.MIGRATIONS[:7])
            with engine.begin() as conn:
                migrations.migrate(conn)
        row = {"account_id": "111122223333", "region": "us-east-1", "kind": "ip_group", "id": "wsipg-000000001",
               "label": "before", "doc": {"GroupId": "wsipg-000000001", "GroupName": "before"}}
        with engine.begin() as conn:
            conn.execute(schema.resources.insert(), [row])
        with engine.begin() as conn:
            assert migrations.migrate(conn) == len(migrations.MIGRATIONS)
        long = {**row, "id": "wsipg-000000002", "label": "x" * 1000, "region": "r" * 100}
        with engine.begin() as conn:
            conn.execute(schema.resources.insert(), [long])
        with engine.connect() as conn:
            stored = conn.execute(schema.resources.select().order_by(schema.resources.c.id)).mappings().all()
    assert [(r["label"], r["region"]) for r in stored] == [("before", "us-east-1"), ("x" * 1000, "r" * 100)]
