"""Behaviour: one module per resource family, one function per AWS operation, named after it.

`OPERATIONS` maps (botocore service name, operation name) to its handler. A modelled operation
absent here answers 501 NotImplementedException.
"""

from understudy.operations import (
    account,
    account_links,
    applications,
    bundles,
    client_branding,
    connect_client_addins,
    connection_aliases,
    custom_bundles,
    directories,
    directory_service,
    directory_settings,
    images,
    ip_groups,
    pools,
    standby,
    tags,
    workspaces,
)

_FAMILIES = {
    "workspaces": [account, bundles, tags, directories, workspaces, standby, connection_aliases,
                   ip_groups, directory_settings, client_branding, connect_client_addins,
                   pools, applications, account_links, images, custom_bundles],
    "ds": [directory_service],
}

OPERATIONS = {
    (service, name): handler
    for service, modules in _FAMILIES.items()
    for module in modules
    for name, handler in module.OPERATIONS.items()
}

# Reads that usually name one WorkSpace: the gateway reads its document in the statement that reads the
# request's context (Store.transaction's `prefetch`), so a by-id read is one statement, one round trip on
# PostgreSQL. The handler's own `get` of that id takes it; any other read is the handler's, as always.
# The third member, given the document, names the one other resource the handler goes on to read, which
# PostgreSQL's server path reads ahead too (gateway._run): DescribeWorkspaces shows a pair's other side.
BY_ID = {
    ("workspaces", "DescribeWorkspaces"): ("workspace", "WorkspaceIds", standby.other_side),
    ("workspaces", "DescribeWorkspacesConnectionStatus"): ("workspace", "WorkspaceIds", None),
    ("workspaces", "DescribeWorkspaceSnapshots"): ("workspace", "WorkspaceId", None),
}
