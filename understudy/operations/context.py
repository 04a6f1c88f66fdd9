"""What a handler receives besides its request: the scope-bound transaction and the settings.

Both are declared here as Protocols: the store's Tx and config's Settings satisfy them structurally, so
the operations import neither, and a type checker or an IDE can still follow `ctx.tx.get(...)`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from understudy.domain.errors import ResourceNotFoundException
from understudy.domain.families import KINDS, Timed
from understudy.domain.scope import Scope

Doc = dict[str, Any]  # a stored resource: its AWS fields, and private ones whose names start with "_"


class Transaction(Protocol):
    """One request's transaction: every read and write is keyed by its scope (account and Region)."""

    scope: Scope
    now: float
    timing: str

    def in_region(self, region: str) -> "Transaction": ...
    def shared_by(self, owner_account_id: str) -> "Transaction": ...
    def reserve(self, name: str, kind: str) -> str: ...
    def outage(self, region: str | None = None) -> dict | None: ...

    def get(self, kind: str, rid: str, *, for_update: bool = False) -> Doc | None: ...
    def get_many(self, kind: str, ids: list[str]) -> list[Doc]: ...
    def find(self, kind: str, *, after: str | None = None, limit: int | None = None,
             **filters: str | None) -> list[Doc]: ...
    def count(self, kind: str, **filters: str | None) -> int: ...
    def exists(self, kind: str, **filters: str | None) -> bool: ...
    def connections(self, workspace_ids: list[str]) -> dict[str, dict]: ...
    def total(self, kind: str, tally: str | None = None, *, for_quota: bool = False) -> int: ...
    def held(self, claim: str) -> bool: ...

    def insert(self, kind: str, doc: Doc) -> Doc: ...
    def update(self, kind: str, doc: Doc) -> Doc: ...
    def delete(self, kind: str, rid: str) -> None: ...

    def tags(self, rid: str) -> dict[str, str]: ...
    def put_tags(self, rid: str, tags: dict[str, str]) -> None: ...
    def delete_tags(self, rid: str, keys: list[str]) -> None: ...

    def schedule(self, kind: str, rid: str, from_state: str | None, to_state: str, delay: float) -> None: ...
    def cancel_transitions(self, kind: str, rid: str) -> None: ...


class SettingsView(Protocol):
    """The server settings a handler may read."""

    mrr_regions: tuple[str, ...]
    standby_provisioned_state: str

    def quota(self, name: str) -> int: ...
    def serves_region(self, region: str, service: str = "workspaces") -> bool: ...


@dataclass
class Context:
    tx: Transaction  # handlers reach data only through it
    settings: SettingsView

    @property
    def scope(self) -> Scope:
        return self.tx.scope

    @property
    def now(self) -> float:
        return self.tx.now

    def duration(self, timed: Timed) -> float:
        return timed.seconds(self.tx.timing)

    def quota(self, name: str) -> int:
        return self.settings.quota(name)

    def require(self, kind: str, rid: str) -> Doc:
        """The resource, read for update; ResourceNotFoundException naming it when it does not exist."""
        doc = self.tx.get(kind, rid, for_update=True)
        if doc is None:
            raise ResourceNotFoundException(f"The {KINDS[kind].called} {rid} could not be found.", resource_id=rid)
        return doc


Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]
"""One AWS operation: the parsed, validated request in, the response's members out."""
