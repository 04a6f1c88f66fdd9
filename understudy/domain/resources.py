"""How a kind of resource is stored: which fields the store indexes, and the names it holds alone.

A resource is stored as the dict AWS would describe it (keys as in the service model), plus
private keys starting with `_` that never reach the wire. Each kind names the fields that become
indexed columns, so every family shares one table and one code path. Each family declares its kinds in
families.py.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

GONE = "__GONE__"
"""The `to_state` of a transition that removes the resource (TERMINATED WorkSpaces vanish)."""


@dataclass(frozen=True)
class Kind:
    name: str
    id: str
    state: str | None = None
    directory_id: str | None = None
    user_name: str | None = None
    bundle_id: str | None = None
    label: str | None = None
    # Sub-counts kept beside the kind's total: (name, private key whose presence puts a doc in it).
    tallies: tuple[tuple[str, str], ...] = ()
    noun: str = ""  # how errors name it; the kind's name when empty
    # The names a document holds alone in its scope ("at most one" rules). The store keeps them in a table
    # whose primary key refuses a second holder, so the rule holds with many servers on one database.
    claims: Callable[[dict[str, Any]], list[str]] | None = None
    claims_change: bool = False  # whether an update can change them (else only insert and delete do)

    @property
    def called(self) -> str:
        return self.noun or self.name.replace("_", " ")

    def column_of(self, field: str) -> str:
        """The indexed column that holds `field` of this kind's documents: lookups name the field, not the column."""
        for column in _COLUMNS:
            if getattr(self, column) == field:
                return column
        raise KeyError(f"the store does not index {field} of {self.name}")


_COLUMNS = ("state", "directory_id", "user_name", "bundle_id", "label")


_LINK_HELD = ("PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT", "LINKED")
LEAVING = ("TERMINATING", "TERMINATED")  # a WorkSpace in these has given up its user and its standby place


def user_claim(directory_id: str, user_name: str) -> str:
    """One live WorkSpace per user and directory; user names compare without case [AWS].

    A standby does not hold its user's name [CHOSEN]: it stands in for a WorkSpace of another Region, and
    its directory's users may have WorkSpaces of their own there (as `understudy seed` makes them)."""
    return f"user/{directory_id}/{user_name.lower()}"


def standby_claim(primary_region: str, primary_id: str) -> str:
    """One live standby per primary in each Region."""
    return f"standby-of/{primary_region}/{primary_id}"


def connection_string_claim(connection_string: str) -> str:
    """One alias per connection string in an account's Region, compared as DNS names are: without case."""
    return f"connection-string/{connection_string.lower()}"


def directory_name_claim(name: str) -> str:
    """One WorkSpaces-managed directory per WorkspaceDirectoryName in an account's Region."""
    return f"directory-name/{name}"


def account_link_claim(other_account_id: str) -> str:
    """One pending or accepted link per pair of accounts, held in both accounts' scopes."""
    return f"account-link/{other_account_id}"


def workspace_claims(doc: dict[str, Any]) -> list[str]:
    primary = doc.get("_Primary")
    if doc.get("State") in LEAVING or "_MigratingTo" in doc:
        return []  # a migration's source has handed its user over to the target
    if isinstance(primary, dict):
        return [standby_claim(str(primary.get("Region")), str(primary.get("WorkspaceId")))]
    return [user_claim(str(doc.get("DirectoryId")), doc["UserName"])] if isinstance(doc.get("UserName"), str) else []


def alias_claims(doc: dict[str, Any]) -> list[str]:
    string = doc.get("ConnectionString")
    return [connection_string_claim(string)] if isinstance(string, str) else []


def directory_claims(doc: dict[str, Any]) -> list[str]:
    name = doc.get("WorkspaceDirectoryName")
    return [directory_name_claim(name)] if isinstance(name, str) else []


def account_link_claims(doc: dict[str, Any]) -> list[str]:
    return [account_link_claim(str(doc.get("_LinkedAccountId")))] if doc.get("AccountLinkStatus") in _LINK_HELD else []


def counter_names(kind: Kind, doc: dict[str, Any]) -> list[str]:
    """The counters a document counts in: its kind's, and each tally it belongs to (`workspace.standby`)."""
    return [kind.name] + [f"{kind.name}.{name}" for name, key in kind.tallies if key in doc]


def claims(kind: Kind, doc: dict[str, Any]) -> list[str]:
    """The names a document holds alone in its scope (see `Kind.claims`)."""
    return kind.claims(doc) if kind.claims else []


def column_values(kind: Kind, doc: dict[str, Any]) -> dict[str, Any]:
    """The indexed column values of a resource document."""
    return {
        "state": doc.get(kind.state) if kind.state else None,
        "directory_id": doc.get(kind.directory_id) if kind.directory_id else None,
        "user_name": doc.get(kind.user_name) if kind.user_name else None,
        "bundle_id": doc.get(kind.bundle_id) if kind.bundle_id else None,
        "label": doc.get(kind.label) if kind.label else None,
    }
