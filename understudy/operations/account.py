"""Account-level settings of WorkSpaces (BYOL dedicated tenancy), per account and Region: the settings, the
management CIDR ranges available for them, and the history of their modifications.

Each successful ModifyAccount is recorded as kind `account_modification`, the model's AccountModification
shape, `PENDING` then `COMPLETED` on the clock. Its private `_Id` counts down, so id order is newest first.
"""

import ipaddress
import itertools
from collections.abc import Iterator

from understudy.domain import families
from understudy.domain.errors import (
    AccessDeniedException,
    InvalidParameterValuesException,
    InvalidResourceStateException,
)
from understudy.operations import paging
from understudy.operations.context import Context, Handler

_KIND = "account"
_MODIFICATION = "account_modification"
# [CHOSEN] The management interface takes a private /16 (RFC 1918), as a VPC's own ranges do; AWS lists the
# ranges it offers without documenting how it picks them.
_PRIVATE = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
# [CHOSEN] Neither operation documents a default page size: ListAvailableManagementCidrRanges pages at its largest
# MaxResults (5), DescribeAccountModifications (which takes no MaxResults) at 25.
_CIDR_PAGE_SIZE = 5
_MODIFICATIONS_PAGE_SIZE = 25
_FIRST_ID = 10**12
_DEFAULT = {"_Id": "account", "DedicatedTenancySupport": "DISABLED", "DedicatedTenancyAccountType": "SOURCE_ACCOUNT"}


def _account(ctx: Context) -> dict:
    return ctx.tx.get(_KIND, "account") or dict(_DEFAULT)


def describe_account(ctx: Context, request: dict) -> dict:
    return _account(ctx)


def modify_account(ctx: Context, request: dict) -> dict:
    doc = _account(ctx)
    support = request.get("DedicatedTenancySupport")
    cidr = request.get("DedicatedTenancyManagementCidrRange")
    if support is None and cidr is None:
        raise InvalidParameterValuesException("At least one of DedicatedTenancySupport or "
                                              "DedicatedTenancyManagementCidrRange must be given.")
    if support == "ENABLED":
        if cidr is None and "DedicatedTenancyManagementCidrRange" not in doc:
            raise InvalidParameterValuesException("DedicatedTenancyManagementCidrRange is required to "
                                                  "enable dedicated tenancy.")
        if doc.get("DedicatedTenancySupport") == "ENABLED" and cidr is None:
            raise InvalidResourceStateException("Dedicated tenancy is already enabled for this account.")
        doc["DedicatedTenancySupport"] = "ENABLED"
    elif support == "DISABLED":
        doc["DedicatedTenancySupport"] = "DISABLED"
    if cidr is not None:
        # [AWS] The range must be one ListAvailableManagementCidrRanges offers (model doc of ModifyAccount).
        if not _private(ipaddress.ip_network(cidr)):
            raise InvalidParameterValuesException(f"The management CIDR range {cidr} is not available: use one that "
                                                  "ListAvailableManagementCidrRanges returns.")
        doc["DedicatedTenancyManagementCidrRange"] = cidr
    if ctx.tx.get(_KIND, "account") is None:
        ctx.tx.insert(_KIND, doc)
    else:
        ctx.tx.update(_KIND, doc)
    _record(ctx, doc)
    return {}


def _record(ctx: Context, account: dict) -> None:
    """Records a modification, PENDING until the clock completes it."""
    modification = {"_Id": f"{_FIRST_ID - ctx.tx.count(_MODIFICATION):013d}", "ModificationState": "PENDING",
                    "DedicatedTenancySupport": account["DedicatedTenancySupport"], "StartTime": ctx.now}
    if "DedicatedTenancyManagementCidrRange" in account:
        modification["DedicatedTenancyManagementCidrRange"] = account["DedicatedTenancyManagementCidrRange"]
    ctx.tx.insert(_MODIFICATION, modification)
    ctx.tx.schedule(_MODIFICATION, modification["_Id"], "PENDING", "COMPLETED", ctx.duration(families.ACCOUNT_MODIFY))


def describe_account_modifications(ctx: Context, request: dict) -> dict:
    docs, token = paging.page(ctx.tx, _MODIFICATION, limit=_MODIFICATIONS_PAGE_SIZE,
                              next_token=request.get("NextToken"), id_key="_Id")
    return {"AccountModifications": docs, "NextToken": token}


def _private(network) -> bool:
    return any(network.subnet_of(block) for block in _PRIVATE)


def _ranges(constraint: ipaddress.IPv4Network, after: str | None) -> Iterator[ipaddress.IPv4Network]:
    """The /16 ranges inside `constraint` that the management interface may use, in address order, after the
    range `after` (the cursor of a NextToken)."""
    try:
        start = ipaddress.IPv4Network(after) if after is not None else None
    except ValueError:
        raise InvalidParameterValuesException("The value for NextToken is not valid.") from None
    for block in _PRIVATE:
        if constraint.overlaps(block):
            # Two overlapping CIDR blocks are nested: the smaller one is where the ranges are.
            inner = block if block.subnet_of(constraint) else constraint
            yield from (n for n in inner.subnets(new_prefix=16)
                        if start is None or n.network_address > start.network_address)


def list_available_management_cidr_ranges(ctx: Context, request: dict) -> dict:
    # [AWS] Only accounts enabled for BYOL may call this; others get AccessDeniedException (model doc).
    # [CHOSEN, docs/evidence.md "BYOL management ranges"] An account counts as enabled for BYOL while its
    # DedicatedTenancySupport is ENABLED (ModifyAccount): AWS enables accounts outside the API.
    if _account(ctx).get("DedicatedTenancySupport") != "ENABLED":
        raise AccessDeniedException("The account is not enabled for BYOL. Enable dedicated tenancy with "
                                    "ModifyAccount before you list management CIDR ranges.")
    constraint = ipaddress.IPv4Network(request["ManagementCidrRangeConstraint"], strict=False)
    if constraint.prefixlen > 16:
        # [CHOSEN] A constraint narrower than /16 holds no /16 range: a mistake worth saying so.
        raise InvalidParameterValuesException("ManagementCidrRangeConstraint must be a /16 or larger range.")
    limit = request.get("MaxResults", _CIDR_PAGE_SIZE)
    ranges = _ranges(constraint, paging.decode_token(request.get("NextToken")))
    page, token = paging.cut([str(n) for n in itertools.islice(ranges, limit + 1)], limit)
    return {"ManagementCidrRanges": page, "NextToken": token}


OPERATIONS: dict[str, Handler] = {
    "DescribeAccount": describe_account,
    "DescribeAccountModifications": describe_account_modifications,
    "ListAvailableManagementCidrRanges": list_available_management_cidr_ranges,
    "ModifyAccount": modify_account,
}
