"""Account-level settings of WorkSpaces (BYOL dedicated tenancy), per account and Region."""

from understudy.domain.errors import InvalidParameterValuesException, InvalidResourceStateException

_KIND = "account"
_DEFAULT = {"_Id": "account", "DedicatedTenancySupport": "DISABLED", "DedicatedTenancyAccountType": "SOURCE_ACCOUNT"}


def _account(ctx) -> dict:
    return ctx.tx.get(_KIND, "account") or dict(_DEFAULT)


def describe_account(ctx, request: dict) -> dict:
    return _account(ctx)


def modify_account(ctx, request: dict) -> dict:
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
        doc["DedicatedTenancyManagementCidrRange"] = cidr
    if ctx.tx.get(_KIND, "account") is None:
        ctx.tx.insert(_KIND, doc)
    else:
        ctx.tx.update(_KIND, doc)
    return {}


OPERATIONS = {
    "DescribeAccount": describe_account,
    "ModifyAccount": modify_account,
}
