"""IP access control groups through boto3: rules and their limits, names, the quota, paging, tags, and
association with registered directories as DescribeWorkspaceDirectories shows it."""

import re

import pytest

from tests.helpers import VPC, code, error, pages


def rules(*cidrs: str) -> list[dict]:
    return [{"ipRule": cidr, "ruleDesc": f"office {i}"} for i, cidr in enumerate(cidrs)]


def group(ws, group_id: str) -> dict:
    (doc,) = ws.describe_ip_groups(GroupIds=[group_id])["Result"]
    return doc


def directory_groups(ws, directory_id: str) -> list[str]:
    (directory,) = ws.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    return directory.get("ipGroupIds", [])


def test_a_group_is_created_with_its_rules(ws):
    group_id = ws.create_ip_group(GroupName="offices", GroupDesc="Head office",
                                  UserRules=rules("203.0.113.0/24", "198.51.100.7"))["GroupId"]
    assert re.fullmatch(r"wsipg-[0-9a-z]{9}", group_id)
    assert group(ws, group_id) == {"groupId": group_id, "groupName": "offices", "groupDesc": "Head office",
                                   "userRules": rules("203.0.113.0/24", "198.51.100.7")}


def test_a_group_without_rules_has_none(ws):
    doc = group(ws, ws.create_ip_group(GroupName="empty")["GroupId"])
    assert "userRules" not in doc and "groupDesc" not in doc


def test_names_are_unique_per_region(make_client):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    east.create_ip_group(GroupName="offices")
    west.create_ip_group(GroupName="offices")
    assert code(east.create_ip_group, GroupName="offices") == "ResourceAlreadyExistsException"


@pytest.mark.parametrize("bad", ["10.0.0.0/33", "10.0.0.1/24", "office", "300.1.2.3/32", ""])
def test_a_rule_must_be_a_cidr_block(ws, bad):
    assert code(ws.create_ip_group, GroupName="g", UserRules=[{"ipRule": bad}]) == "InvalidParameterValuesException"
    group_id = ws.create_ip_group(GroupName="ok")["GroupId"]
    assert code(ws.authorize_ip_rules, GroupId=group_id, UserRules=[{"ipRule": bad}]) == \
        "InvalidParameterValuesException"
    assert code(ws.update_rules_of_ip_group, GroupId=group_id, UserRules=[{"ipRule": bad}]) == \
        "InvalidParameterValuesException"
    assert [g["groupName"] for g in ws.describe_ip_groups()["Result"]] == ["ok"]


def test_ten_rules_per_group(ws):
    cidrs = [f"10.{i}.0.0/16" for i in range(11)]
    assert code(ws.create_ip_group, GroupName="big", UserRules=rules(*cidrs)) == "ResourceLimitExceededException"
    group_id = ws.create_ip_group(GroupName="nine", UserRules=rules(*cidrs[:9]))["GroupId"]
    ws.authorize_ip_rules(GroupId=group_id, UserRules=rules(cidrs[9]))
    assert code(ws.authorize_ip_rules, GroupId=group_id, UserRules=rules(cidrs[10])) == \
        "ResourceLimitExceededException"
    assert code(ws.update_rules_of_ip_group, GroupId=group_id, UserRules=rules(*cidrs)) == \
        "ResourceLimitExceededException"
    assert len(group(ws, group_id)["userRules"]) == 10


def test_a_rule_is_authorized_once(ws):
    group_id = ws.create_ip_group(GroupName="g", UserRules=rules("10.0.0.0/16"))["GroupId"]
    assert code(ws.authorize_ip_rules, GroupId=group_id, UserRules=rules("10.0.0.0/16")) == \
        "InvalidParameterValuesException"
    assert code(ws.create_ip_group, GroupName="twice", UserRules=rules("10.1.0.0/16", "10.1.0.0/16")) == \
        "InvalidParameterValuesException"


def test_authorize_adds_and_revoke_removes(ws):
    group_id = ws.create_ip_group(GroupName="g", UserRules=rules("10.0.0.0/16"))["GroupId"]
    ws.authorize_ip_rules(GroupId=group_id, UserRules=[{"ipRule": "192.0.2.0/24", "ruleDesc": "vpn"}])
    assert [r["ipRule"] for r in group(ws, group_id)["userRules"]] == ["10.0.0.0/16", "192.0.2.0/24"]
    ws.revoke_ip_rules(GroupId=group_id, UserRules=["10.0.0.0/16"])
    assert group(ws, group_id)["userRules"] == [{"ipRule": "192.0.2.0/24", "ruleDesc": "vpn"}]


def test_revoking_a_rule_the_group_lacks_is_refused_and_changes_nothing(ws):
    group_id = ws.create_ip_group(GroupName="g", UserRules=rules("10.0.0.0/16"))["GroupId"]
    assert code(ws.revoke_ip_rules, GroupId=group_id, UserRules=["10.0.0.0/16", "10.9.0.0/16"]) == \
        "InvalidParameterValuesException"
    assert [r["ipRule"] for r in group(ws, group_id)["userRules"]] == ["10.0.0.0/16"]


def test_update_replaces_every_rule(ws):
    group_id = ws.create_ip_group(GroupName="g", UserRules=rules("10.0.0.0/16", "10.1.0.0/16"))["GroupId"]
    ws.update_rules_of_ip_group(GroupId=group_id, UserRules=rules("172.16.0.0/12"))
    assert group(ws, group_id)["userRules"] == rules("172.16.0.0/12")


@pytest.mark.parametrize("call", ["authorize_ip_rules", "update_rules_of_ip_group", "revoke_ip_rules",
                                  "delete_ip_group"])
def test_an_unknown_group_is_not_found(ws, call):
    kw = {"GroupId": "wsipg-abcdefghi"}
    if call != "delete_ip_group":
        kw["UserRules"] = ["10.0.0.0/16"] if call == "revoke_ip_rules" else rules("10.0.0.0/16")
    response = error(getattr(ws, call), **kw)
    assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", "wsipg-abcdefghi")


def test_tags_given_at_creation_are_kept(ws):
    group_id = ws.create_ip_group(GroupName="g", Tags=[{"Key": "team", "Value": "euc"}])["GroupId"]
    assert ws.describe_tags(ResourceId=group_id)["TagList"] == [{"Key": "team", "Value": "euc"}]
    assert code(ws.create_ip_group, GroupName="h", Tags=[{"Key": "aws:x", "Value": "y"}]) == \
        "InvalidParameterValuesException"


def test_paging_returns_each_group_once(ws):
    created = {ws.create_ip_group(GroupName=f"g{i}")["GroupId"] for i in range(7)}
    seen = []
    for page in pages(ws.describe_ip_groups, MaxResults=3):
        assert len(page["Result"]) <= 3
        seen += [g["groupId"] for g in page["Result"]]
    assert sorted(seen) == sorted(created)
    paginated = ws.get_paginator("describe_ip_groups").paginate(PaginationConfig={"PageSize": 2})
    assert sorted(g["groupId"] for p in paginated for g in p["Result"]) == sorted(created)


def test_describe_by_ids_skips_unknown_ones_and_pages(ws):
    a, b = ws.create_ip_group(GroupName="a")["GroupId"], ws.create_ip_group(GroupName="b")["GroupId"]
    found = ws.describe_ip_groups(GroupIds=[a, "wsipg-abcdefghi", b])["Result"]
    assert sorted(g["groupId"] for g in found) == sorted([a, b])
    first = ws.describe_ip_groups(GroupIds=[a, b], MaxResults=1)
    second = ws.describe_ip_groups(GroupIds=[a, b], MaxResults=1, NextToken=first["NextToken"])
    assert sorted(g["groupId"] for g in first["Result"] + second["Result"]) == sorted([a, b])
    assert "NextToken" not in second


def test_the_ip_groups_quota(own_server, account):
    ws = own_server("--clock", "manual", quotas={"ip_groups": 2}).client(key=account)
    ws.create_ip_group(GroupName="one")
    ws.create_ip_group(GroupName="two")
    refused = error(ws.create_ip_group, GroupName="three")["Error"]
    assert (refused["Code"], refused["Message"]) == (
        "ResourceLimitExceededException", "You have reached the maximum number of IP access control groups in this "
                                          "Region (2).")


def test_association_shows_on_the_directory(ws, make_directory):
    directory_id = make_directory()
    a, b = ws.create_ip_group(GroupName="a")["GroupId"], ws.create_ip_group(GroupName="b")["GroupId"]
    assert directory_groups(ws, directory_id) == []
    ws.associate_ip_groups(DirectoryId=directory_id, GroupIds=[a, b])
    ws.associate_ip_groups(DirectoryId=directory_id, GroupIds=[a])
    assert directory_groups(ws, directory_id) == [a, b]
    ws.disassociate_ip_groups(DirectoryId=directory_id, GroupIds=[a])
    assert directory_groups(ws, directory_id) == [b]


def test_an_associated_group_cannot_be_deleted(ws, make_directory):
    directory_id, group_id = make_directory(), ws.create_ip_group(GroupName="g")["GroupId"]
    ws.associate_ip_groups(DirectoryId=directory_id, GroupIds=[group_id])
    assert code(ws.delete_ip_group, GroupId=group_id) == "ResourceAssociatedException"
    ws.disassociate_ip_groups(DirectoryId=directory_id, GroupIds=[group_id])
    ws.delete_ip_group(GroupId=group_id)
    assert ws.describe_ip_groups(GroupIds=[group_id])["Result"] == []
    assert code(ws.describe_tags, ResourceId=group_id) == "ResourceNotFoundException"


def test_twenty_five_groups_per_directory(ws, make_directory):
    directory_id = make_directory()
    groups = [ws.create_ip_group(GroupName=f"g{i}")["GroupId"] for i in range(26)]
    ws.associate_ip_groups(DirectoryId=directory_id, GroupIds=groups[:24])
    assert code(ws.associate_ip_groups, DirectoryId=directory_id, GroupIds=groups[24:]) == \
        "ResourceLimitExceededException"
    ws.associate_ip_groups(DirectoryId=directory_id, GroupIds=groups[24:25])
    assert len(directory_groups(ws, directory_id)) == 25


def test_association_needs_a_registered_directory_and_known_groups(ws, make_client, make_directory, server):
    group_id = ws.create_ip_group(GroupName="g")["GroupId"]
    assert code(ws.associate_ip_groups, DirectoryId="d-1234567890", GroupIds=[group_id]) == \
        "ResourceNotFoundException"
    assert code(ws.associate_ip_groups, DirectoryId=make_directory("us-west-2"), GroupIds=[group_id]) == \
        "ResourceNotFoundException"
    ds = make_client("ds").create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                            VpcSettings=VPC)
    server.advance(3600)
    ws.register_workspace_directory(DirectoryId=ds["DirectoryId"])
    assert code(ws.associate_ip_groups, DirectoryId=ds["DirectoryId"], GroupIds=[group_id]) == \
        "ResourceNotFoundException"
    directory_id = make_directory()
    assert code(ws.associate_ip_groups, DirectoryId=directory_id, GroupIds=[group_id, "wsipg-abcdefghi"]) == \
        "ResourceNotFoundException"
    assert code(ws.disassociate_ip_groups, DirectoryId=directory_id, GroupIds=["wsipg-abcdefghi"]) == \
        "ResourceNotFoundException"
    assert directory_groups(ws, directory_id) == []
