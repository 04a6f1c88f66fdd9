"""DescribeWorkspaceBundles: Amazon's public catalogue per Region, the BundleIds filter, paging."""

import re

import pytest
from botocore.exceptions import ClientError


def _public(client) -> list[dict]:
    pages = client.get_paginator("describe_workspace_bundles").paginate(Owner="AMAZON")
    return [b for p in pages for b in p["Bundles"]]


def test_owner_amazon_lists_the_public_catalogue(ws):
    bundles = _public(ws)
    assert len(bundles) > 25
    assert {b["Owner"] for b in bundles} == {"Amazon"}
    assert {b["BundleType"] for b in bundles} == {"REGULAR"}
    assert {b["State"] for b in bundles} == {"AVAILABLE"}
    for b in bundles:
        assert re.fullmatch(r"wsb-[0-9a-z]{9}", b["BundleId"])
        assert re.fullmatch(r"wsi-[0-9a-z]{9}", b["ImageId"])
        assert not any(k.startswith("_") for k in b)
    by_name = {b["Name"]: b for b in bundles}
    value = by_name["Value with Windows 10 (Server 2019 based)"]
    assert (value["RootStorage"], value["UserStorage"]) == ({"Capacity": "80"}, {"Capacity": "10"})
    assert value["ComputeType"] == {"Name": "VALUE"}
    assert by_name["Standard with Amazon Linux 2"]["UserStorage"] == {"Capacity": "50"}
    assert by_name["Graphics.g4dn with Ubuntu 22.04"]["RootStorage"] == {"Capacity": "175"}
    computes = {b["ComputeType"]["Name"] for b in bundles}
    assert {"POWERPRO", "GENERALPURPOSE_8XLARGE", "GRAPHICSPRO_G4DN", "GRAPHICS_G6F_LARGE"} <= computes


def test_ids_are_stable_in_a_region_and_differ_between_regions(ws, make_client):
    first, second = _public(ws), _public(make_client(region="us-east-1"))
    other = _public(make_client(region="eu-west-1"))
    assert [b["BundleId"] for b in first] == [b["BundleId"] for b in second]
    assert sorted(b["Name"] for b in first) == sorted(b["Name"] for b in other)
    assert not {b["BundleId"] for b in first} & {b["BundleId"] for b in other}


def test_ids_are_the_same_for_every_account(ws, make_client):
    assert _public(ws) == _public(make_client(account_id="111122223333"))


def test_paging_returns_each_bundle_exactly_once(ws):
    first = ws.describe_workspace_bundles(Owner="AMAZON")
    assert len(first["Bundles"]) == 25 and "NextToken" in first
    seen, token = [b["BundleId"] for b in first["Bundles"]], first["NextToken"]
    while token:
        page = ws.describe_workspace_bundles(Owner="AMAZON", NextToken=token)
        seen += [b["BundleId"] for b in page["Bundles"]]
        token = page.get("NextToken")
    assert len(seen) == len(set(seen)) == len(_public(ws))


def test_bundle_ids_filter_returns_the_known_ones_only(ws):
    wanted = [b["BundleId"] for b in _public(ws)[:3]]
    r = ws.describe_workspace_bundles(BundleIds=[*wanted, "wsb-zzzzzzzzz", wanted[0]])
    assert sorted(b["BundleId"] for b in r["Bundles"]) == sorted(wanted)
    assert "NextToken" not in r


def test_a_public_id_of_another_region_is_absent(ws, make_client):
    foreign = _public(make_client(region="eu-west-1"))[0]["BundleId"]
    assert ws.describe_workspace_bundles(BundleIds=[foreign])["Bundles"] == []


def test_bundle_ids_and_owner_together_are_refused(ws):
    bundle_id = _public(ws)[0]["BundleId"]
    with pytest.raises(ClientError) as e:
        ws.describe_workspace_bundles(BundleIds=[bundle_id], Owner="AMAZON")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValuesException"


def test_an_owner_other_than_amazon_is_refused(ws):
    with pytest.raises(ClientError) as e:
        ws.describe_workspace_bundles(Owner="SOMEONE")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValuesException"


def test_a_bad_next_token_is_refused(ws):
    with pytest.raises(ClientError) as e:
        ws.describe_workspace_bundles(Owner="AMAZON", NextToken="a")
    assert e.value.response["Error"]["Code"] == "InvalidParameterValuesException"


def test_no_filter_on_a_fresh_account_lists_no_bundles(ws):
    r = ws.describe_workspace_bundles()
    assert r["Bundles"] == []
    assert "NextToken" not in r
