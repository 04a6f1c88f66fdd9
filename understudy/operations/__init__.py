"""Behaviour: one module per resource family, one function per AWS operation, named after it.

`OPERATIONS` maps (botocore service name, operation name) to its handler. A modelled operation
absent here answers 501 NotImplementedException.
"""

from understudy.operations import (
    account,
    bundles,
    connection_aliases,
    directories,
    directory_service,
    standby,
    tags,
    workspaces,
)

_FAMILIES = {
    "workspaces": [account, bundles, tags, directories, workspaces, standby, connection_aliases],
    "ds": [directory_service],
}

OPERATIONS = {
    (service, name): handler
    for service, modules in _FAMILIES.items()
    for module in modules
    for name, handler in module.OPERATIONS.items()
}
