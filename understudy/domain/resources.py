"""The kinds of stored resource, and which fields of each one the store indexes.

A resource is stored as the dict AWS would describe it (keys as in the service model), plus
private keys starting with `_` that never reach the wire. Each kind names the fields that become
indexed columns, so every family shares one table and one code path.
"""

from dataclasses import dataclass

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


KINDS = {
    k.name: k
    for k in (
        Kind("account", id="_Id"),
        Kind("ds_directory", id="DirectoryId", state="Stage", label="Name"),
        Kind("directory", id="DirectoryId", state="State", label="DirectoryName"),
        Kind("bundle", id="BundleId", state="State", label="Name"),
        Kind(
            "workspace",
            id="WorkspaceId",
            state="State",
            directory_id="DirectoryId",
            user_name="UserName",
            bundle_id="BundleId",
            label="WorkspaceName",
        ),
        Kind("connection_alias", id="AliasId", state="State", directory_id="_AssociatedDirectory",
             label="ConnectionString"),
        # A connection alias shared with this account, kept in the grantee's scope: the alias itself
        # stays with `_Owner` and is read through Tx.shared_by.
        Kind("alias_share", id="AliasId", directory_id="_AssociatedDirectory"),
        Kind("ip_group", id="groupId", label="groupName"),
        Kind("image", id="ImageId", state="State", label="Name"),
        Kind("pool", id="PoolId", state="State", directory_id="DirectoryId", bundle_id="BundleId", label="PoolName"),
    )
}


def column_values(kind: Kind, doc: dict) -> dict:
    """The indexed column values of a resource document."""
    return {
        "state": doc.get(kind.state) if kind.state else None,
        "directory_id": doc.get(kind.directory_id) if kind.directory_id else None,
        "user_name": doc.get(kind.user_name) if kind.user_name else None,
        "bundle_id": doc.get(kind.bundle_id) if kind.bundle_id else None,
        "label": doc.get(kind.label) if kind.label else None,
    }
