"""CreateTags, DeleteTags and DescribeTags through boto3: unknown resources, and the rules on a
registered directory (the first taggable resource the server can create)."""

import pytest

from tests.helpers import code, error

UNKNOWN = ["ws-abcdefghi", "d-1234567890", "wsd-abcdefghi", "wsi-abcdefghi", "wsb-abcdefghi", "wsipg-abcdefghi",
           "wsca-abcdefghi", "wspool-abcdefghi", "i-1234567890abcdef0"]


@pytest.fixture
def directory_id(make_directory) -> str:
    """A Simple AD directory registered with WorkSpaces in us-east-1 for this test's account."""
    return make_directory(kind="SimpleAD")


@pytest.mark.parametrize("resource_id", UNKNOWN)
def test_unknown_resources_are_not_found_by_every_tag_operation(ws, resource_id):
    for response in (error(ws.create_tags, ResourceId=resource_id, Tags=[{"Key": "k", "Value": "v"}]),
                     error(ws.delete_tags, ResourceId=resource_id, TagKeys=["k"]),
                     error(ws.describe_tags, ResourceId=resource_id)):
        assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", resource_id)


def test_public_bundles_are_not_taggable(ws):
    public = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    assert code(ws.create_tags, ResourceId=public, Tags=[{"Key": "team", "Value": "a"}]) == "ResourceNotFoundException"


def test_a_resource_without_tags_has_an_empty_tag_list(ws, directory_id):
    assert ws.describe_tags(ResourceId=directory_id)["TagList"] == []


def test_tags_round_trip_case_sensitively_and_same_key_overwrites(ws, directory_id):
    ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "Env", "Value": "prod"}, {"Key": "env", "Value": "x"}])
    ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "Env", "Value": "dev"}, {"Key": "cost-centre", "Value": ""}])
    tags = {t["Key"]: t.get("Value") for t in ws.describe_tags(ResourceId=directory_id)["TagList"]}
    assert tags == {"Env": "dev", "env": "x", "cost-centre": ""}


def test_delete_tags_removes_the_keys_given_and_ignores_absent_ones(ws, directory_id):
    ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    ws.delete_tags(ResourceId=directory_id, TagKeys=["a", "never-set"])
    assert ws.describe_tags(ResourceId=directory_id)["TagList"] == [{"Key": "b", "Value": "2"}]


def test_at_most_fifty_tags_per_resource(ws, directory_id):
    ws.create_tags(ResourceId=directory_id, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "k0", "Value": "overwritten"}])
    assert code(ws.create_tags, ResourceId=directory_id,
                Tags=[{"Key": "k50", "Value": "v"}]) == "ResourceLimitExceededException"
    assert len(ws.describe_tags(ResourceId=directory_id)["TagList"]) == 50


@pytest.mark.parametrize("tag", [{"Key": "aws:owner", "Value": "me"}, {"Key": "AWS:Owner", "Value": "me"},
                                 {"Key": "team#1", "Value": "a"}, {"Key": "team", "Value": "a&b"}])
def test_reserved_prefix_and_other_characters_are_invalid(ws, directory_id, tag):
    assert code(ws.create_tags, ResourceId=directory_id,
                Tags=[{"Key": "fine", "Value": "ok"}, tag]) == "InvalidParameterValuesException"
    assert ws.describe_tags(ResourceId=directory_id)["TagList"] == []


def test_reserved_keys_cannot_be_deleted(ws, directory_id):
    assert code(ws.delete_tags, ResourceId=directory_id,
                TagKeys=["aws:workspaces:owner"]) == "InvalidParameterValuesException"


def test_tags_belong_to_the_region_of_the_resource(make_client, directory_id):
    assert code(make_client(region="eu-west-1").describe_tags, ResourceId=directory_id) == "ResourceNotFoundException"
