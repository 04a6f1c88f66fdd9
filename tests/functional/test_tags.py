"""CreateTags, DeleteTags and DescribeTags through boto3: unknown resources, and the rules on a
registered directory (the first taggable resource the server can create)."""

import pytest
from botocore.exceptions import ClientError

UNKNOWN = ["ws-abcdefghi", "d-1234567890", "wsd-abcdefghi", "wsi-abcdefghi", "wsb-abcdefghi", "wsipg-abcdefghi",
           "wsca-abcdefghi", "wspool-abcdefghi", "i-1234567890abcdef0"]


def _code(e: pytest.ExceptionInfo) -> str:
    return e.value.response["Error"]["Code"]


def _is_not_implemented(err: ClientError) -> bool:
    return err.response["Error"]["Code"] == "NotImplementedException"


@pytest.fixture
def directory_id(ws, make_client, server) -> str:
    """A directory registered with WorkSpaces in us-east-1 for this test's account.

    To be completed: skipped until ds CreateDirectory and RegisterWorkspaceDirectory are implemented.
    """
    try:
        created = make_client("ds").create_directory(
            Name="corp.example.com", Password="Str0ngPassw0rd!", Size="Small",
            VpcSettings={"VpcId": "vpc-0a1b2c3d", "SubnetIds": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]})
        server.advance(60)
        ws.register_workspace_directory(DirectoryId=created["DirectoryId"])
    except ClientError as e:
        if _is_not_implemented(e):
            pytest.skip("to be completed: needs ds CreateDirectory and RegisterWorkspaceDirectory")
        raise
    server.advance(60)
    return created["DirectoryId"]


@pytest.mark.parametrize("resource_id", UNKNOWN)
def test_unknown_resources_are_not_found_by_every_tag_operation(ws, resource_id):
    calls = [lambda: ws.create_tags(ResourceId=resource_id, Tags=[{"Key": "k", "Value": "v"}]),
             lambda: ws.delete_tags(ResourceId=resource_id, TagKeys=["k"]),
             lambda: ws.describe_tags(ResourceId=resource_id)]
    for call in calls:
        with pytest.raises(ClientError) as e:
            call()
        assert _code(e) == "ResourceNotFoundException"
        assert e.value.response["ResourceId"] == resource_id


def test_public_bundles_are_not_taggable(ws):
    public = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    with pytest.raises(ClientError) as e:
        ws.create_tags(ResourceId=public, Tags=[{"Key": "team", "Value": "a"}])
    assert _code(e) == "ResourceNotFoundException"


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
    with pytest.raises(ClientError) as e:
        ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "k50", "Value": "v"}])
    assert _code(e) == "ResourceLimitExceededException"
    assert len(ws.describe_tags(ResourceId=directory_id)["TagList"]) == 50


@pytest.mark.parametrize("tag", [{"Key": "aws:owner", "Value": "me"}, {"Key": "AWS:Owner", "Value": "me"},
                                 {"Key": "team#1", "Value": "a"}, {"Key": "team", "Value": "a&b"}])
def test_reserved_prefix_and_other_characters_are_invalid(ws, directory_id, tag):
    with pytest.raises(ClientError) as e:
        ws.create_tags(ResourceId=directory_id, Tags=[{"Key": "fine", "Value": "ok"}, tag])
    assert _code(e) == "InvalidParameterValuesException"
    assert ws.describe_tags(ResourceId=directory_id)["TagList"] == []


def test_reserved_keys_cannot_be_deleted(ws, directory_id):
    with pytest.raises(ClientError) as e:
        ws.delete_tags(ResourceId=directory_id, TagKeys=["aws:workspaces:owner"])
    assert _code(e) == "InvalidParameterValuesException"


def test_tags_belong_to_the_region_of_the_resource(make_client, directory_id):
    with pytest.raises(ClientError) as e:
        make_client(region="eu-west-1").describe_tags(ResourceId=directory_id)
    assert _code(e) == "ResourceNotFoundException"
