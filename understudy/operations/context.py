"""What a handler receives besides its request: the scope-bound transaction and the settings."""

from dataclasses import dataclass
from typing import Any

from understudy.domain import timing
from understudy.domain.errors import ResourceNotFoundException
from understudy.domain.resources import KINDS
from understudy.domain.scope import Scope


@dataclass
class Context:
    tx: Any  # understudy.store.Tx: handlers reach data only through it
    settings: Any  # understudy.config.Settings

    @property
    def scope(self) -> Scope:
        return self.tx.scope

    @property
    def now(self) -> float:
        return self.tx.now

    def duration(self, name: str) -> float:
        return timing.duration(name, self.tx.timing)

    def quota(self, name: str) -> int:
        return self.settings.quota(name)

    def require(self, kind: str, rid: str) -> dict:
        """The resource, read for update; ResourceNotFoundException naming it when it does not exist."""
        doc = self.tx.get(kind, rid, for_update=True)
        if doc is None:
            raise ResourceNotFoundException(f"The {KINDS[kind].called} {rid} could not be found.", resource_id=rid)
        return doc
