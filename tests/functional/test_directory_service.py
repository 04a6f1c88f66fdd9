"""The Directory Service slice (`ds`) on the Understudy endpoint: create, describe, page and delete directories."""

import pytest

from tests.helpers import VPC, code


@pytest.fixture
def ds(make_client):
    return make_client("ds")


def simple_ad(ds, name="corp.example.com", **kw) -> str:
    return ds.create_directory(Name=name, Password="Passw0rd!", Size="Small", VpcSettings=VPC, **kw)["DirectoryId"]


def describe(ds, directory_id: str) -> dict:
    return ds.describe_directories(DirectoryIds=[directory_id])["DirectoryDescriptions"][0]


def test_a_simple_ad_directory_becomes_active_on_the_clock(ds, server):
    directory_id = simple_ad(ds)
    assert directory_id.startswith("d-") and len(directory_id) == 12
    assert describe(ds, directory_id)["Stage"] in ("Requested", "Creating")
    server.advance(3)
    assert describe(ds, directory_id)["Stage"] == "Active"


def test_a_directory_created_with_tags_is_created(ds):
    """Tags are checked against ds's patterns, which name Unicode properties; accepted, they are not kept."""
    directory_id = simple_ad(ds, Tags=[{"Key": "équipe", "Value": "data platform"}])
    assert describe(ds, directory_id)["DirectoryId"] == directory_id
    assert code(lambda: simple_ad(ds, Tags=[{"Key": "bad#key", "Value": "v"}])) == "ValidationException"


def test_a_simple_ad_directory_is_described_as_aws_does(ds):
    directory_id = simple_ad(ds, ShortName="CORP", Description="Test directory")
    d = describe(ds, directory_id)
    assert (d["Name"], d["ShortName"], d["Size"], d["Type"]) == ("corp.example.com", "CORP", "Small", "SimpleAD")
    assert (d["Alias"], d["AccessUrl"]) == (directory_id, f"{directory_id}.awsapps.com")
    assert d["Description"] == "Test directory"
    assert d["VpcSettings"]["VpcId"] == VPC["VpcId"]
    assert d["VpcSettings"]["SubnetIds"] == VPC["SubnetIds"]
    assert d["VpcSettings"]["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert d["VpcSettings"]["SecurityGroupId"].startswith("sg-")
    assert len(d["DnsIpAddrs"]) == 2 and all(ip.startswith("10.") for ip in d["DnsIpAddrs"])
    assert d["LaunchTime"] and d["StageLastUpdatedDateTime"]


def test_availability_zones_follow_the_region(make_client):
    ds = make_client("ds", region="eu-west-1")
    d = describe(ds, simple_ad(ds))
    assert d["VpcSettings"]["AvailabilityZones"] == ["eu-west-1a", "eu-west-1b"]


def test_the_short_name_defaults_to_the_first_label(ds):
    assert describe(ds, simple_ad(ds, name="corp.example.com"))["ShortName"] == "CORP"


def test_microsoft_ad_defaults_to_enterprise_edition(ds):
    enterprise = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)
    standard = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC,
                                      Edition="Standard")
    assert describe(ds, enterprise["DirectoryId"])["Edition"] == "Enterprise"
    d = describe(ds, standard["DirectoryId"])
    assert (d["Type"], d["Edition"]) == ("MicrosoftAD", "Standard")


def test_a_hybrid_edition_is_not_created_by_create_microsoft_ad(ds):
    answer = code(ds.create_microsoft_ad, Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC,
                  Edition="Hybrid")
    assert answer == "UnsupportedOperationException"


def test_an_ad_connector_echoes_its_connect_settings(ds, server):
    r = ds.connect_directory(Name="corp.example.com", Password="secret", Size="Large", ConnectSettings={
        **VPC, "CustomerDnsIps": ["192.168.0.10", "192.168.0.11"], "CustomerUserName": "svc-connector"})
    d = describe(ds, r["DirectoryId"])
    assert (d["Type"], d["Size"]) == ("ADConnector", "Large")
    assert d["ConnectSettings"]["CustomerUserName"] == "svc-connector"
    assert d["ConnectSettings"]["AvailabilityZones"] == ["us-east-1a", "us-east-1b"]
    assert len(d["ConnectSettings"]["ConnectIps"]) == 2
    assert d["DnsIpAddrs"] == ["192.168.0.10", "192.168.0.11"]
    server.advance(3)
    assert describe(ds, r["DirectoryId"])["Stage"] == "Active"


@pytest.mark.parametrize("subnets", [["subnet-0123456789abcdef0"],
                                     ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]])
def test_a_directory_needs_two_distinct_subnets(ds, subnets):
    answer = code(ds.create_directory, Name="corp.example.com", Password="Passw0rd!", Size="Small",
                  VpcSettings={"VpcId": VPC["VpcId"], "SubnetIds": subnets})
    assert answer == "InvalidParameterException"


def test_a_malformed_vpc_id_is_a_validation_error(ds):
    answer = code(ds.create_directory, Name="corp.example.com", Password="Passw0rd!", Size="Small",
                  VpcSettings={**VPC, "VpcId": "vpc-nothex"})
    assert answer == "ValidationException"


def test_describing_an_unknown_directory_is_refused(ds):
    assert code(ds.describe_directories, DirectoryIds=["d-0000000000"]) == "EntityDoesNotExistException"


def test_a_bad_next_token_is_refused(ds):
    assert code(ds.describe_directories, NextToken="%%%") == "InvalidNextTokenException"


def test_paging_returns_each_directory_exactly_once(ds):
    created = {simple_ad(ds) for _ in range(5)}
    pages = list(ds.get_paginator("describe_directories").paginate(PaginationConfig={"PageSize": 2}))
    seen = [d["DirectoryId"] for p in pages for d in p["DirectoryDescriptions"]]
    assert len(pages) == 3
    assert sorted(seen) == sorted(created)


def test_without_a_limit_every_directory_comes_in_one_page(ds):
    created = {simple_ad(ds) for _ in range(3)}
    r = ds.describe_directories()
    assert {d["DirectoryId"] for d in r["DirectoryDescriptions"]} == created
    assert "NextToken" not in r


def test_the_directories_quota_is_enforced(ds):
    for _ in range(50):
        simple_ad(ds)
    assert code(simple_ad, ds=ds) == "DirectoryLimitExceededException"


def test_a_deleted_directory_shows_deleting_then_disappears(ds, server):
    directory_id = simple_ad(ds)
    server.advance(3)
    assert ds.delete_directory(DirectoryId=directory_id)["DirectoryId"] == directory_id
    assert describe(ds, directory_id)["Stage"] == "Deleting"
    server.advance(2)
    assert code(ds.describe_directories, DirectoryIds=[directory_id]) == "EntityDoesNotExistException"
    assert ds.describe_directories()["DirectoryDescriptions"] == []


def test_deleting_an_unknown_directory_is_refused(ds):
    assert code(ds.delete_directory, DirectoryId="d-0000000000") == "EntityDoesNotExistException"


def test_a_directory_registered_with_workspaces_cannot_be_deleted(ds, ws, server):
    directory_id = simple_ad(ds)
    server.advance(3)
    ws.register_workspace_directory(DirectoryId=directory_id)
    assert code(ds.delete_directory, DirectoryId=directory_id) == "ClientException"
    assert describe(ds, directory_id)["Stage"] == "Active"


def test_directories_are_per_account_and_region(ds, make_client):
    directory_id = simple_ad(ds)
    elsewhere = make_client("ds", region="us-west-2")
    other_account = make_client("ds", account_id="999999999999")
    for client in (elsewhere, other_account):
        assert code(client.describe_directories, DirectoryIds=[directory_id]) == "EntityDoesNotExistException"


def test_simple_ad_refuses_ipv6_only(ds):
    assert code(simple_ad, ds=ds, NetworkType="IPv6") == "InvalidParameterException"
    assert ds.describe_directories()["DirectoryDescriptions"] == []
    assert describe(ds, simple_ad(ds, NetworkType="Dual-stack"))["NetworkType"] == "Dual-stack"
