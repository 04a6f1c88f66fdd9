"""Persistence: the only package that imports SQLAlchemy. SQLite by default, PostgreSQL by URL."""

from understudy.store.database import Conflict, Store, context_doc, context_read, follow_read
from understudy.store.transaction import ReadOnly, Tx

__all__ = ["Conflict", "ReadOnly", "Store", "Tx", "context_doc", "context_read", "follow_read"]
