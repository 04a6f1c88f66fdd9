"""DescribeAccount and ModifyAccount: BYOL dedicated tenancy settings per account and Region."""

import pytest
from botocore.exceptions import ClientError


def test_a_new_account_has_dedicated_tenancy_disabled(ws):
    r = ws.describe_account()
    assert r["DedicatedTenancySupport"] == "DISABLED"
    assert "DedicatedTenancyManagementCidrRange" not in r


def test_enable_dedicated_tenancy_with_a_management_range(ws):
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    r = ws.describe_account()
    assert (r["DedicatedTenancySupport"], r["DedicatedTenancyManagementCidrRange"]) == ("ENABLED", "10.0.0.0/16")


def test_enabling_without_a_range_is_refused(ws):
    with pytest.raises(ClientError) as e:
        ws.modify_account(DedicatedTenancySupport="ENABLED")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValuesException"
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_a_bad_range_is_a_validation_error(ws):
    with pytest.raises(ClientError) as e:
        ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="not-a-cidr")
    assert e.value.response["Error"]["Code"] == "ValidationException"
