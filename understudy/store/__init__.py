"""Persistence: the only package that imports SQLAlchemy. SQLite by default, PostgreSQL by URL."""

from understudy.store.database import Store
from understudy.store.transaction import Tx

__all__ = ["Store", "Tx"]
