"""Account links between two accounts: an invitation from a source account (CreateAccountLinkInvitation),
accepted or rejected by the target (AcceptAccountLinkInvitation, RejectAccountLinkInvitation), withdrawn by the
source (DeleteAccountLinkInvitation), and read by either (GetAccountLink, ListAccountLinks).

A link is stored as kind `account_link`, the model's AccountLink shape plus `_LinkedAccountId` (the other account)
and `_ClientToken`, once in each account's scope: the invitation is written into the target's scope through
`tx.shared_by(target)`, and every later change is written on both sides, so each account reads and lists its
links from its own scope. One link per pair of accounts: inviting again while one is pending or linked is the
ConflictException the model documents ("The TargetAccountId is already linked or invited.").

[CHOSEN] Links are account-level on AWS, while Understudy keeps everything per account and Region: a link lives in
the Region where the invitation was made, and both accounts see it there. No link ever fails (LINKING_FAILED) or
goes missing (LINK_NOT_FOUND): nothing outside the two accounts is simulated.
"""


from understudy.domain import families
from understudy.domain.errors import (
    AccessDeniedException,
    ConflictException,
    InvalidParameterValuesException,
    ResourceNotFoundException,
    ValidationException,
)
from understudy.operations.context import Context, Handler
from understudy.operations.paging import cut, decode_token

_KIND = "account_link"
_PENDING = "PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT"
# AWS documents no default MaxResults for ListAccountLinks. [CHOSEN] 25, the largest.
_PAGE_SIZE = 25


def _not_found(what: str) -> ResourceNotFoundException:
    """`what` is a link id, or the other account's id when GetAccountLink looks the link up by account."""
    return ResourceNotFoundException(f"No account link {what} could be found.", resource_id=what)



def _save(ctx: Context, doc: dict) -> dict:
    """Writes the link on both sides: the caller's copy and, through the door between accounts, the other's."""
    ctx.tx.update(_KIND, doc)
    ctx.tx.shared_by(doc["_LinkedAccountId"]).update(_KIND, dict(doc, _LinkedAccountId=ctx.scope.account_id))
    return {"AccountLink": doc}


def _remove(ctx: Context, doc: dict) -> None:
    ctx.tx.delete(_KIND, doc["AccountLinkId"])
    ctx.tx.shared_by(doc["_LinkedAccountId"]).delete(_KIND, doc["AccountLinkId"])


def _as_target(ctx: Context, doc: dict, action: str) -> None:
    # [CHOSEN] Only the invited account answers an invitation; the source gets AccessDeniedException.
    if doc["TargetAccountId"] != ctx.scope.account_id:
        raise AccessDeniedException(f"Only the target account {doc['TargetAccountId']} can {action} the account "
                                    f"link {doc['AccountLinkId']}.")


def create_account_link_invitation(ctx: Context, request: dict) -> dict:
    me, target, token = ctx.scope.account_id, request["TargetAccountId"], request.get("ClientToken")
    if target == me:
        raise ValidationException("An account cannot invite itself to an account link.")
    existing = ctx.tx.find(_KIND, _LinkedAccountId=target)  # the pair's link, whichever account invited the other
    for doc in existing:
        # [AWS] ClientToken makes the creation idempotent: the same token gives back the same invitation.
        if token is not None and doc.get("_ClientToken") == token and doc["SourceAccountId"] == me:
            return {"AccountLink": doc}
        if doc["AccountLinkStatus"] in (_PENDING, "LINKED"):
            raise ConflictException(f"The TargetAccountId {target} is already linked or invited.")
    # [CHOSEN] A rejected invitation does not block a new one, which replaces it.
    for doc in existing:
        _remove(ctx, doc)
    link_id = families.ACCOUNT_LINK.new_id()
    doc = {"AccountLinkId": link_id, "AccountLinkStatus": _PENDING, "SourceAccountId": me, "TargetAccountId": target,
           "_LinkedAccountId": target, "_ClientToken": token}
    ctx.tx.insert(_KIND, doc)
    # The invitation appears to the target: the one write into another account that an invitation opens.
    ctx.tx.shared_by(target).insert(_KIND, dict(doc, _LinkedAccountId=me))
    return {"AccountLink": doc}


def accept_account_link_invitation(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["LinkId"])
    _as_target(ctx, doc, "accept")
    if doc["AccountLinkStatus"] == "LINKED":
        return {"AccountLink": doc}  # [CHOSEN] accepting again changes nothing
    if doc["AccountLinkStatus"] != _PENDING:
        raise ConflictException(f"The account link {doc['AccountLinkId']} is {doc['AccountLinkStatus']}.")
    doc["AccountLinkStatus"] = "LINKED"
    return _save(ctx, doc)


def _refuse_if_linked(doc: dict) -> None:
    # [AWS] There is no unlinking once the invitation is accepted (AcceptAccountLinkInvitation doc).
    if doc["AccountLinkStatus"] == "LINKED":
        raise ConflictException(f"The account link {doc['AccountLinkId']} is LINKED; linked accounts cannot be "
                                "unlinked.")


def reject_account_link_invitation(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["LinkId"])
    _as_target(ctx, doc, "reject")
    if doc["AccountLinkStatus"] == "REJECTED":
        return {"AccountLink": doc}  # [CHOSEN] rejecting again changes nothing
    _refuse_if_linked(doc)
    doc["AccountLinkStatus"] = "REJECTED"
    return _save(ctx, doc)


def delete_account_link_invitation(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["LinkId"])
    # [CHOSEN] The invitation is the source's to withdraw; the target rejects it instead.
    if doc["SourceAccountId"] != ctx.scope.account_id:
        raise AccessDeniedException(f"Only the source account {doc['SourceAccountId']} can delete the invitation "
                                    f"{doc['AccountLinkId']}.")
    _refuse_if_linked(doc)
    _remove(ctx, doc)
    # [CHOSEN] The answer shows the invitation as it was when it was deleted.
    return {"AccountLink": doc}


def get_account_link(ctx: Context, request: dict) -> dict:
    link_id, linked = request.get("LinkId"), request.get("LinkedAccountId")
    if link_id is None and linked is None:
        raise ValidationException("Specify LinkId or LinkedAccountId.")
    # [CHOSEN] Given both, both must match the link.
    docs = [ctx.tx.get(_KIND, link_id)] if link_id else ctx.tx.find(_KIND, _LinkedAccountId=linked)
    docs = [d for d in docs if d is not None and linked in (None, d["_LinkedAccountId"])]
    if not docs:
        raise _not_found(str(link_id or linked))
    return {"AccountLink": docs[0]}


def _after(token: str | None) -> str | None:
    # The account link operations declare ValidationException, not InvalidParameterValuesException.
    try:
        return decode_token(token)
    except InvalidParameterValuesException as e:
        raise ValidationException(e.message) from None


def list_account_links(ctx: Context, request: dict) -> dict:
    after, statuses = _after(request.get("NextToken")), request.get("LinkStatusFilter")
    docs = [d for d in ctx.tx.find(_KIND, after=after) if not statuses or d["AccountLinkStatus"] in statuses]
    docs, token = cut(docs, request.get("MaxResults", _PAGE_SIZE), "AccountLinkId")
    return {"AccountLinks": docs, "NextToken": token}


OPERATIONS: dict[str, Handler] = {
    "AcceptAccountLinkInvitation": accept_account_link_invitation,
    "CreateAccountLinkInvitation": create_account_link_invitation,
    "DeleteAccountLinkInvitation": delete_account_link_invitation,
    "GetAccountLink": get_account_link,
    "ListAccountLinks": list_account_links,
    "RejectAccountLinkInvitation": reject_account_link_invitation,
}
