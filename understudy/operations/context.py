"""What a handler receives besides its request: the scope-bound transaction and the settings."""

from dataclasses import dataclass
from typing import Any

from understudy.domain import timing
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
