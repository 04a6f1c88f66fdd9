"""DescribeAccount and ModifyAccount: BYOL dedicated tenancy settings per account and Region, the management
ranges available for them, and the history of their modifications."""

import datetime

import pytest

from tests.helpers import code, enable_byol, pages


def test_a_new_account_has_dedicated_tenancy_disabled(ws):
    r = ws.describe_account()
    assert r["DedicatedTenancySupport"] == "DISABLED"
    assert "DedicatedTenancyManagementCidrRange" not in r


def test_enable_dedicated_tenancy_with_a_management_range(ws):
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    r = ws.describe_account()
    assert (r["DedicatedTenancySupport"], r["DedicatedTenancyManagementCidrRange"]) == ("ENABLED", "10.0.0.0/16")


def test_enabling_without_a_range_is_refused(ws):
    assert code(ws.modify_account, DedicatedTenancySupport="ENABLED") == "InvalidParameterValuesException"
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_a_bad_range_is_a_validation_error(ws):
    assert code(ws.modify_account, DedicatedTenancySupport="ENABLED",
                DedicatedTenancyManagementCidrRange="not-a-cidr") == "ValidationException"


def ranges(ws, constraint: str, page_size: int = 5) -> list[str]:
    """Every range ListAvailableManagementCidrRanges offers inside `constraint`, page by page."""
    seen = []
    for page in pages(ws.list_available_management_cidr_ranges, ManagementCidrRangeConstraint=constraint,
                      MaxResults=page_size):
        assert len(page["ManagementCidrRanges"]) <= page_size
        seen += page["ManagementCidrRanges"]
    return seen


def test_available_ranges_are_the_private_16s_inside_the_constraint(ws):
    enable_byol(ws)
    ten = ranges(ws, "10.0.0.0/8")
    assert ten == [f"10.{i}.0.0/16" for i in range(256)]
    assert ranges(ws, "172.16.0.0/12", page_size=3) == [f"172.{i}.0.0/16" for i in range(16, 32)]
    assert ranges(ws, "10.1.2.3/8") == ten
    assert ranges(ws, "192.168.0.0/16") == ["192.168.0.0/16"]
    everything = ranges(ws, "0.0.0.0/0")
    assert len(everything) == len(set(everything)) == 256 + 16 + 1
    assert ranges(ws, "8.8.0.0/16") == []


def test_the_first_page_holds_five_ranges(ws):
    enable_byol(ws)
    page = ws.list_available_management_cidr_ranges(ManagementCidrRangeConstraint="10.0.0.0/8")
    assert page["ManagementCidrRanges"] == [f"10.{i}.0.0/16" for i in range(5)] and "NextToken" in page


@pytest.mark.parametrize("constraint", ["10.0.0.0/17", "10.1.2.0/24"])
def test_a_constraint_narrower_than_16_is_refused(ws, constraint):
    enable_byol(ws)
    assert code(ws.list_available_management_cidr_ranges,
                ManagementCidrRangeConstraint=constraint) == "InvalidParameterValuesException"


def test_a_management_range_that_is_not_available_is_refused(ws):
    assert code(ws.modify_account, DedicatedTenancySupport="ENABLED",
                DedicatedTenancyManagementCidrRange="8.8.0.0/16") == "InvalidParameterValuesException"
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"
    assert ws.describe_account_modifications()["AccountModifications"] == []


def test_a_modification_is_pending_then_completed(ws, server):
    assert ws.describe_account_modifications()["AccountModifications"] == []
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    (modification,) = ws.describe_account_modifications()["AccountModifications"]
    assert (modification["ModificationState"], modification["DedicatedTenancySupport"],
            modification["DedicatedTenancyManagementCidrRange"]) == ("PENDING", "ENABLED", "10.0.0.0/16")
    assert isinstance(modification["StartTime"], datetime.datetime)
    server.advance(2)
    (modification,) = ws.describe_account_modifications()["AccountModifications"]
    assert modification["ModificationState"] == "COMPLETED"


def test_modifications_come_newest_first_each_once(ws, server):
    for i in range(27):
        ws.modify_account(DedicatedTenancyManagementCidrRange=f"10.{i}.0.0/16")
        server.advance(1)
    pages = list(ws.get_paginator("describe_account_modifications").paginate())
    assert len(pages) == 2
    seen = [m["DedicatedTenancyManagementCidrRange"] for p in pages for m in p["AccountModifications"]]
    assert seen == [f"10.{i}.0.0/16" for i in reversed(range(27))]
    starts = [m["StartTime"] for p in pages for m in p["AccountModifications"]]
    assert starts == sorted(starts, reverse=True)
