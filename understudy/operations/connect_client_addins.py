"""Amazon Connect client add-ins of a registered directory: create, describe, update, delete.

An add-in belongs to its directory registration, so it is kept on the directory's doc, under the private key
`_ConnectClientAddIns` (a list of the model's ConnectClientAddIn shape): it goes when the directory is
deregistered. [AWS] A directory has at most one Amazon Connect client add-in (CreateConnectClientAddIn doc).
"""

import uuid

from understudy.domain.errors import ResourceAlreadyExistsException, ResourceNotFoundException
from understudy.operations import paging
from understudy.operations.context import Context, Handler
from understudy.operations.directories import registered

_KEY = "_ConnectClientAddIns"
_PER_DIRECTORY = 1
# AWS documents no default MaxResults for DescribeConnectClientAddIns. [CHOSEN] 25, its largest.
_PAGE_SIZE = 25


def _add_in(directory: dict, add_in_id: str) -> dict:
    for add_in in directory.get(_KEY, []):
        if add_in["AddInId"] == add_in_id:
            return add_in
    raise ResourceNotFoundException(f"The client add-in {add_in_id} could not be found in directory "
                                    f"{directory['DirectoryId']}.", resource_id=add_in_id)


def create_connect_client_add_in(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["ResourceId"])
    add_ins = directory.get(_KEY, [])
    # [CHOSEN] The second add-in of a directory is refused as already existing, whatever its name: the one
    # Connect add-in a directory may have is there.
    if len(add_ins) >= _PER_DIRECTORY:
        raise ResourceAlreadyExistsException(f"The directory {directory['DirectoryId']} already has an Amazon "
                                             "Connect client add-in.")
    add_in = {"AddInId": str(uuid.uuid4()), "ResourceId": directory["DirectoryId"], "Name": request["Name"],
              "URL": request["URL"]}
    directory[_KEY] = add_ins + [add_in]
    ctx.tx.update("directory", directory)
    return {"AddInId": add_in["AddInId"]}


def describe_connect_client_add_ins(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["ResourceId"])
    after, limit = paging.decode_token(request.get("NextToken")), request.get("MaxResults", _PAGE_SIZE)
    add_ins = sorted((a for a in directory.get(_KEY, []) if after is None or a["AddInId"] > after),
                     key=lambda a: a["AddInId"])
    add_ins, token = paging.cut(add_ins, limit, "AddInId")
    return {"AddIns": add_ins, "NextToken": token}


def update_connect_client_add_in(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["ResourceId"])
    # [CHOSEN] Neither Name nor URL given: nothing changes.
    _add_in(directory, request["AddInId"]).update({k: request[k] for k in ("Name", "URL") if k in request})
    ctx.tx.update("directory", directory)
    return {}


def delete_connect_client_add_in(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["ResourceId"])
    # [CHOSEN] An unknown add-in is not found, as UpdateConnectClientAddIn reports it.
    gone = _add_in(directory, request["AddInId"])
    directory[_KEY] = [a for a in directory[_KEY] if a is not gone]
    ctx.tx.update("directory", directory)
    return {}


OPERATIONS: dict[str, Handler] = {
    "CreateConnectClientAddIn": create_connect_client_add_in,
    "DeleteConnectClientAddIn": delete_connect_client_add_in,
    "DescribeConnectClientAddIns": describe_connect_client_add_ins,
    "UpdateConnectClientAddIn": update_connect_client_add_in,
}
