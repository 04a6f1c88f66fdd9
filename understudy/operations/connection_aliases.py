"""Connection aliases for cross-Region redirection: create, describe, associate with a directory,
disassociate, delete, and share with one other account (UpdateConnectionAliasPermission,
DescribeConnectionAliasPermissions).

An alias is stored as kind `connection_alias`, the model's ConnectionAlias shape, in its owner's scope,
with `_AssociatedDirectory` (the indexed directory of its one association) and `_SharedWith` (the
account it is shared with). Sharing also writes a kind `alias_share` record (`AliasId`, `_Owner`, and
`_AssociatedDirectory` of the grantee's own association) into the grantee's scope: it is how the
grantee lists what is shared with it; the alias itself is read through `tx.shared_by(owner)`.

Rules [AWS] https://docs.aws.amazon.com/workspaces/latest/adminguide/cross-region-redirection.html
and the model's operation docs; our choices: docs/standby.md "Connection aliases".
"""

import hashlib

from understudy.domain import families
from understudy.domain.errors import (
    AccessDeniedException,
    InvalidParameterValuesException,
    InvalidResourceStateException,
    ResourceAlreadyExistsException,
    ResourceAssociatedException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
    directory_not_found,
)
from understudy.domain.resources import GONE, connection_string_claim
from understudy.operations import paging
from understudy.operations.context import Context, Handler
from understudy.operations.tags import as_dict, tag_problem

_KIND = "connection_alias"
_SHARE = "alias_share"
# AWS documents no default Limit for DescribeConnectionAliases. [CHOSEN] 25, its largest Limit.
_PAGE_SIZE = 25


def _not_found(alias_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The connection alias {alias_id} could not be found.", resource_id=alias_id)


def _shared(ctx: Context, share: dict, *, for_update: bool = False):
    """(the owner's Tx, the alias) behind a share record, if the owner still shares it with the caller."""
    owner_tx = ctx.tx.shared_by(share["_Owner"])
    doc = owner_tx.get(_KIND, share["AliasId"], for_update=for_update)
    if doc is None or doc.get("_SharedWith") != ctx.scope.account_id:
        return None
    return owner_tx, doc


def _resolve(ctx: Context, alias_id: str, *, for_update: bool = False):
    """(the owner's Tx, the alias) for the caller's own alias or one shared with it, else None."""
    doc = ctx.tx.get(_KIND, alias_id, for_update=for_update)
    if doc is not None:
        return ctx.tx, doc
    share = ctx.tx.get(_SHARE, alias_id)
    return _shared(ctx, share, for_update=for_update) if share else None


def _alias(ctx: Context, alias_id: str):
    found = _resolve(ctx, alias_id, for_update=True)
    if found is None:
        raise _not_found(alias_id)
    return found


def _owned(ctx: Context, alias_id: str, *, for_update: bool = True) -> dict:
    """The caller's own alias. A grantee can see a shared alias, but only its owner may delete or share it
    [AWS, DeleteConnectionAlias doc]; [CHOSEN] the grantee gets AccessDeniedException, an error all these
    operations declare."""
    found = _resolve(ctx, alias_id, for_update=for_update)
    if found is None:
        raise _not_found(alias_id)
    owner_tx, doc = found
    if owner_tx is not ctx.tx:
        raise AccessDeniedException(f"Only the owner of the connection alias {alias_id} can do this.")
    return doc


def _association(doc: dict) -> dict | None:
    return (doc.get("Associations") or [None])[0]


def _mark_share(grantee_tx, alias_id: str, directory_id: str | None) -> None:
    """Records on the grantee's share the directory it associated the alias with, for DescribeConnectionAliases."""
    share = grantee_tx.get(_SHARE, alias_id, for_update=True)
    share["_AssociatedDirectory"] = directory_id
    grantee_tx.update(_SHARE, share)


def create_connection_alias(ctx: Context, request: dict) -> dict:
    string = request["ConnectionString"]
    problem = tag_problem(request.get("Tags", []))
    if problem:
        raise InvalidParameterValuesException(problem)
    # The same string is created once in each Region, which pairs the aliases for redirection [AWS];
    # twice in one Region and account is refused [CHOSEN, docs/standby.md "Connection aliases"], comparing as DNS
    # names do, without case.
    if ctx.tx.held(connection_string_claim(string)):
        raise ResourceAlreadyExistsException(f"A connection alias for {string} already exists in this Region.")
    # [AWS, model] The string is then reserved to this account for good, in every Region, even once all its
    # aliases are deleted: "You cannot recreate the same connection string with a different account" (doc of
    # ConnectionString). Another account's create is refused with the error of a string in use
    # [CHOSEN, docs/evidence.md "Connection strings"]; tx.reserve is the one door to that reservation.
    holder = ctx.tx.reserve(connection_string_claim(string), _KIND)
    if holder != ctx.scope.account_id:
        raise ResourceAlreadyExistsException(f"The connection string {string} is reserved to another account.")
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("connection_aliases"):
        raise ResourceLimitExceededException("You have reached the maximum number of connection aliases in this "
                                             f"Region ({ctx.quota('connection_aliases')}).")
    doc = {"AliasId": families.CONNECTION_ALIAS.new_id(), "ConnectionString": string, "State": "CREATING",
           "OwnerAccountId": ctx.scope.account_id, "_CreatedAt": ctx.now}
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(doc["AliasId"], as_dict(request.get("Tags", [])))
    ctx.tx.schedule(_KIND, doc["AliasId"], "CREATING", "CREATED", ctx.duration(families.ALIAS_CREATE))
    return {"AliasId": doc["AliasId"]}


def _page(ctx: Context, limit: int, next_token: str | None, resource_id: str | None) -> tuple[list[dict], str | None]:
    """One id-ordered page over the caller's own aliases and those shared with it, merged by id."""
    after = paging.decode_token(next_token)
    own = ctx.tx.find(_KIND, after=after, limit=limit + 1, _AssociatedDirectory=resource_id)
    shares = ctx.tx.find(_SHARE, after=after, limit=limit + 1, _AssociatedDirectory=resource_id)
    shared = [found[1] for found in (_shared(ctx, s) for s in shares) if found]
    return paging.cut(sorted(own + shared, key=lambda d: d["AliasId"]), limit, "AliasId")


def describe_connection_aliases(ctx: Context, request: dict) -> dict:
    # [CHOSEN] ResourceId finds the aliases associated with that directory; for a grantee, the shared
    # aliases it associated itself. Given with AliasIds, both must hold.
    resource_id = request.get("ResourceId")
    if "AliasIds" in request:
        # [CHOSEN] Unknown ids are simply absent, as in DescribeWorkspaces.
        found = filter(None, (_resolve(ctx, a) for a in dict.fromkeys(request["AliasIds"])))
        docs = [doc for _, doc in found if resource_id in (None, doc.get("_AssociatedDirectory"))]
        return {"ConnectionAliases": sorted(docs, key=lambda d: d["AliasId"])}
    docs, token = _page(ctx, request.get("Limit", _PAGE_SIZE), request.get("NextToken"), resource_id)
    return {"ConnectionAliases": docs, "NextToken": token}


def _identifier(alias_id: str, directory_id: str) -> str:
    """[CHOSEN] Derived from the pair, so re-associating the same directory gives the same identifier (its
    DNS TXT record stays valid); 20 characters, the model's maximum."""
    return hashlib.sha256(f"{alias_id}/{directory_id}".encode()).hexdigest()[:20]


def _registered_directory(ctx: Context, directory_id: str) -> None:
    directory = ctx.tx.get("directory", directory_id)
    if directory is None or directory["State"] != "REGISTERED":
        raise directory_not_found(directory_id)


def associate_connection_alias(ctx: Context, request: dict) -> dict:
    owner_tx, doc = _alias(ctx, request["AliasId"])
    directory_id = request["ResourceId"]
    # [AWS] Only a CREATED alias is associated (model doc of AssociateConnectionAlias).
    if doc["State"] != "CREATED":
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is {doc['State']}.")
    # The directory is the caller's own, registered in this Region: a grantee associates the shared alias
    # with a directory of its account [AWS, cross-Region redirection guide].
    _registered_directory(ctx, directory_id)
    # [AWS] One directory per Region, whichever account associated it (cross-Region redirection guide).
    if _association(doc):
        raise ResourceAssociatedException(f"The connection alias {doc['AliasId']} is already associated with a "
                                          "directory.")
    by_owner = owner_tx is ctx.tx
    identifier = _identifier(doc["AliasId"], directory_id)
    doc["Associations"] = [{
        "AssociationStatus": "ASSOCIATED_WITH_OWNER_ACCOUNT" if by_owner else "ASSOCIATED_WITH_SHARED_ACCOUNT",
        "AssociatedAccountId": ctx.scope.account_id, "ResourceId": directory_id, "ConnectionIdentifier": identifier,
    }]
    doc["_AssociatedDirectory"] = directory_id
    owner_tx.update(_KIND, doc)
    if not by_owner:
        _mark_share(ctx.tx, doc["AliasId"], directory_id)
    return {"ConnectionIdentifier": identifier}


def disassociate_connection_alias(ctx: Context, request: dict) -> dict:
    owner_tx, doc = _alias(ctx, request["AliasId"])
    association = _association(doc)
    if association is None:
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is not associated with a "
                                            "directory.")
    associated_account = association["AssociatedAccountId"]
    # [CHOSEN] The owner may end any association of its alias; a grantee only its own, and the owner's
    # association looks to it like one it cannot change.
    if owner_tx is not ctx.tx and associated_account != ctx.scope.account_id:
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is not associated with a "
                                            "directory of your account.")
    doc.pop("Associations")
    doc.pop("_AssociatedDirectory")
    owner_tx.update(_KIND, doc)
    if associated_account != doc["OwnerAccountId"]:
        # The grantee's share record follows, in the grantee's scope, whoever of the two ended it.
        _mark_share(owner_tx.shared_by(associated_account), doc["AliasId"], None)
    return {}


def delete_connection_alias(ctx: Context, request: dict) -> dict:
    doc = _owned(ctx, request["AliasId"])
    # [AWS] Deleted only once no longer associated nor shared (model doc of DeleteConnectionAlias).
    if _association(doc):
        raise ResourceAssociatedException(f"The connection alias {doc['AliasId']} is associated with a directory.")
    if doc.get("_SharedWith"):
        # [CHOSEN] the error for "unshare it first": the alias is in no state to be deleted.
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is shared with account "
                                            f"{doc['_SharedWith']}; unshare it first.")
    if doc["State"] == "DELETING":
        return {}  # [CHOSEN] deleting again while it is being deleted changes nothing
    if doc["State"] != "CREATED":
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is {doc['State']}.")
    doc["State"] = "DELETING"
    ctx.tx.update(_KIND, doc)
    ctx.tx.schedule(_KIND, doc["AliasId"], "DELETING", GONE, ctx.duration(families.ALIAS_DELETE))
    return {}


def _share(ctx: Context, doc: dict, grantee: str) -> None:
    current = doc.get("_SharedWith")
    if current == grantee:
        return
    # [AWS] Shared with one other account per Region (cross-Region redirection guide). [CHOSEN] A second account is
    # refused with ResourceLimitExceededException, which this operation declares.
    if current is not None:
        raise ResourceLimitExceededException(f"The connection alias {doc['AliasId']} is already shared with "
                                             f"account {current}; unshare it first.")
    doc["_SharedWith"] = grantee
    ctx.tx.update(_KIND, doc)
    # The grantee's share record is written in its scope: the owner's grant is what opens that door.
    ctx.tx.shared_by(grantee).insert(_SHARE, {"AliasId": doc["AliasId"], "_Owner": ctx.scope.account_id})


def _unshare(ctx: Context, doc: dict, grantee: str) -> None:
    if doc.get("_SharedWith") != grantee:
        return  # [CHOSEN] revoking a permission never granted changes nothing
    association = _association(doc)
    # [AWS] The grantee disassociates before the owner unshares (model doc of UpdateConnectionAliasPermission).
    if association and association["AssociatedAccountId"] == grantee:
        raise ResourceAssociatedException(f"Account {grantee} has associated the connection alias "
                                          f"{doc['AliasId']} with a directory.")
    doc.pop("_SharedWith")
    ctx.tx.update(_KIND, doc)
    ctx.tx.shared_by(grantee).delete(_SHARE, doc["AliasId"])


def update_connection_alias_permission(ctx: Context, request: dict) -> dict:
    doc = _owned(ctx, request["AliasId"])
    permission = request["ConnectionAliasPermission"]
    grantee = permission["SharedAccountId"]
    if grantee == ctx.scope.account_id:
        # [CHOSEN] The owner always may associate its alias: sharing with itself is a mistake.
        raise InvalidParameterValuesException("A connection alias cannot be shared with the account that owns it.")
    # [AWS] Only a CREATED alias (model doc of UpdateConnectionAliasPermission).
    if doc["State"] != "CREATED":
        raise InvalidResourceStateException(f"The connection alias {doc['AliasId']} is {doc['State']}.")
    if permission["AllowAssociation"]:
        _share(ctx, doc, grantee)
    else:
        _unshare(ctx, doc, grantee)
    return {}


def describe_connection_alias_permissions(ctx: Context, request: dict) -> dict:
    # [AWS] The permissions the owner has granted (model doc); [CHOSEN] so only the owner reads them.
    doc = _owned(ctx, request["AliasId"], for_update=False)
    shared = doc.get("_SharedWith")
    permissions = [{"SharedAccountId": shared, "AllowAssociation": True}] if shared else []
    return {"AliasId": doc["AliasId"], "ConnectionAliasPermissions": permissions}


OPERATIONS: dict[str, Handler] = {
    "AssociateConnectionAlias": associate_connection_alias,
    "CreateConnectionAlias": create_connection_alias,
    "DeleteConnectionAlias": delete_connection_alias,
    "DescribeConnectionAliasPermissions": describe_connection_alias_permissions,
    "DescribeConnectionAliases": describe_connection_aliases,
    "DisassociateConnectionAlias": disassociate_connection_alias,
    "UpdateConnectionAliasPermission": update_connection_alias_permission,
}
