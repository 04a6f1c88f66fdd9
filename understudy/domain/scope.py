"""The account and Region a request acts in: the only key to stored data."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    account_id: str
    region: str
