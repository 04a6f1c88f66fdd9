"""The kinds of stored resource, and which fields of each one the store indexes.

A resource is stored as the dict AWS would describe it (keys as in the service model), plus
private keys starting with `_` that never reach the wire. Each kind names the fields that become
indexed columns, so every family shares one table and one code path.
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


def _workspace_claims(doc: dict[str, Any]) -> list[str]:
    primary = doc.get("_Primary")
    if doc.get("State") in LEAVING:
        return []
    if isinstance(primary, dict):
        return [standby_claim(str(primary.get("Region")), str(primary.get("WorkspaceId")))]
    return [user_claim(str(doc.get("DirectoryId")), doc["UserName"])] if isinstance(doc.get("UserName"), str) else []


def _alias_claims(doc: dict[str, Any]) -> list[str]:
    string = doc.get("ConnectionString")
    return [connection_string_claim(string)] if isinstance(string, str) else []


def _directory_claims(doc: dict[str, Any]) -> list[str]:
    name = doc.get("WorkspaceDirectoryName")
    return [directory_name_claim(name)] if isinstance(name, str) else []


def _account_link_claims(doc: dict[str, Any]) -> list[str]:
    return [account_link_claim(str(doc.get("_LinkedAccountId")))] if doc.get("AccountLinkStatus") in _LINK_HELD else []


KINDS = {
    k.name: k
    for k in (
        Kind("account", id="_Id"),
        Kind("ds_directory", id="DirectoryId", state="Stage", label="Name"),
        Kind("directory", id="DirectoryId", state="State", label="DirectoryName", claims=_directory_claims),
        Kind("bundle", id="BundleId", state="State", label="Name"),
        Kind(
            "workspace",
            id="WorkspaceId",
            state="State",
            directory_id="DirectoryId",
            user_name="UserName",
            bundle_id="BundleId",
            label="WorkspaceName",
            tallies=(("standby", "_Primary"),),
            noun="WorkSpace",
            claims=_workspace_claims,
            claims_change=True,
        ),
        Kind("connection_alias", id="AliasId", state="State", directory_id="_AssociatedDirectory",
             label="ConnectionString", claims=_alias_claims),
        # A connection alias shared with this account, kept in the grantee's scope: the alias itself
        # stays with `_Owner` and is read through Tx.shared_by.
        Kind("alias_share", id="AliasId", directory_id="_AssociatedDirectory"),
        Kind("ip_group", id="groupId", label="groupName", noun="IP access control group"),
        # A directory's client branding, one doc per directory, for the registration named by `_RegistrationCode`.
        Kind("client_branding", id="_DirectoryId"),
        # A successful ModifyAccount; `_Id` counts down, so id order is newest first.
        Kind("account_modification", id="_Id", state="ModificationState"),
        Kind("image", id="ImageId", state="State", label="Name"),
        # An image shared with this account, kept in the grantee's scope: the image itself stays with
        # `_Owner` and is read through Tx.shared_by.
        Kind("image_share", id="ImageId"),
        Kind("pool", id="PoolId", state="State", directory_id="DirectoryId", bundle_id="BundleId", label="PoolName"),
        # An application associated with a WorkSpace; `_Id` is "<WorkspaceId>/<ApplicationId>".
        Kind("application_association", id="_Id", state="State", label="WorkspaceId"),
        # An account link, kept in both accounts' scopes (the other side written through Tx.shared_by). Its
        # status is not an indexed state: PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT is longer than the state column.
        Kind("account_link", id="AccountLinkId", label="_LinkedAccountId", claims=_account_link_claims,
             claims_change=True),
    )
}


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
