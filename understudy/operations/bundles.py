"""Bundles: DescribeWorkspaceBundles over Amazon's public catalogue and the account's own bundles,
and `find_bundle`, the one way other operations look a bundle up.

The public catalogue is data (understudy.domain.catalogue), never stored; the account's custom and
standby bundles are the stored kind `bundle`, written by the operations that create them.
"""

from understudy.domain.catalogue import public_bundle, public_bundles
from understudy.domain.errors import InvalidParameterValuesException
from understudy.operations.context import Context, Handler, Transaction
from understudy.operations.paging import cut, decode_token, page

_KIND = "bundle"
# AWS gives DescribeWorkspaceBundles no Limit (the model) and documents no page size.
# [CHOSEN] 25 bundles a page, the largest Limit of DescribeWorkspaces, so the 64 public bundles take
# three pages and callers that forget NextToken notice it as they would on AWS.
_PAGE_SIZE = 25


def find_bundle(tx: Transaction, bundle_id: str) -> dict | None:
    """The bundle of this id in the transaction's Region: public catalogue first, then the account's own."""
    return public_bundle(tx.scope.region, bundle_id) or tx.get(_KIND, bundle_id)


def _page_of(bundles: list[dict], token: str | None) -> dict:
    """A page of an in-memory list, with the same cursor tokens as stored kinds.

    [CHOSEN] In BundleId order, as stored kinds page, whatever order BundleIds were asked in.
    """
    after = decode_token(token)
    rest = sorted((b for b in bundles if after is None or b["BundleId"] > after), key=lambda b: b["BundleId"])
    shown, next_token = cut(rest, _PAGE_SIZE, "BundleId")
    return {"Bundles": shown, "NextToken": next_token}


def describe_workspace_bundles(ctx: Context, request: dict) -> dict:
    ids, owner, token = request.get("BundleIds"), request.get("Owner"), request.get("NextToken")
    if ids is not None and owner is not None:
        raise InvalidParameterValuesException("BundleIds and Owner cannot be used together.")
    if ids is not None:
        # Unknown ids are simply absent, as for DescribeWorkspaces (docs/workspaces.md "WorkSpaces").
        found = (find_bundle(ctx.tx, bundle_id) for bundle_id in dict.fromkeys(ids))
        return _page_of([b for b in found if b is not None], token)
    if owner is None:
        bundles, next_token = page(ctx.tx, _KIND, limit=_PAGE_SIZE, next_token=token, id_key="BundleId")
        return {"Bundles": bundles, "NextToken": next_token}
    if owner != "AMAZON":
        # [CHOSEN] The model documents only AMAZON or no Owner at all; anything else is refused
        # rather than silently answered with nothing.
        raise InvalidParameterValuesException(f"The value {owner} for Owner is not valid: specify AMAZON for "
                                              "public bundles, or no Owner for your own bundles.")
    return _page_of(public_bundles(ctx.scope.region), token)


OPERATIONS: dict[str, Handler] = {
    "DescribeWorkspaceBundles": describe_workspace_bundles,
}
