"""Custom bundles through boto3: a bundle built on an owned image launches WorkSpaces, is listed beside the
account's other bundles, points at another image, is deleted once unused; names, volumes, images and the quota."""

import re

import pytest

from tests.helpers import code, enable_byol, import_byol, other_account, public_bundle, registered_directory, said

STORAGE = {"UserStorage": {"Capacity": "50"}, "RootStorage": {"Capacity": "80"}}


@pytest.fixture
def image_of(ws, server):
    """image_of(name, client=ws, **import_fields) -> an AVAILABLE BYOL Windows 10 image (80 GB root, 10 GB user)."""

    def make(name: str = "golden", client=None, **extra) -> str:
        client = client or ws
        enable_byol(client)
        image_id = import_byol(client, name, **extra)
        server.advance(10)
        return image_id

    return make


def create(client, image_id: str, name: str = "eng-desk", compute: str = "PERFORMANCE", **extra) -> dict:
    request = {"BundleName": name, "BundleDescription": "Engineering desktop", "ImageId": image_id,
               "ComputeType": {"Name": compute}, **STORAGE, **extra}
    return client.create_workspace_bundle(**request)["WorkspaceBundle"]


def test_a_custom_bundle_launches_workspaces(ws, image_of, make_directory, server, account):
    image_id = image_of()
    bundle = create(ws, image_id, Tags=[{"Key": "team", "Value": "eng"}])
    assert re.fullmatch(r"wsb-[0-9a-z]{9}", bundle["BundleId"])
    assert (bundle["Name"], bundle["Owner"], bundle["ImageId"]) == ("eng-desk", account, image_id)
    assert (bundle["State"], bundle["BundleType"], bundle["ComputeType"]) == ("AVAILABLE", "REGULAR",
                                                                              {"Name": "PERFORMANCE"})
    assert (bundle["RootStorage"], bundle["UserStorage"]) == ({"Capacity": "80"}, {"Capacity": "50"})
    assert not [k for k in bundle if k.startswith("_")]
    assert [b["BundleId"] for b in ws.describe_workspace_bundles()["Bundles"]] == [bundle["BundleId"]]
    assert ws.describe_workspace_bundles(BundleIds=[bundle["BundleId"]])["Bundles"][0]["Name"] == "eng-desk"
    assert ws.describe_tags(ResourceId=bundle["BundleId"])["TagList"] == [{"Key": "team", "Value": "eng"}]
    directory = make_directory()
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "bob",
                                          "BundleId": bundle["BundleId"]}])
    assert r["FailedRequests"] == []
    server.advance(3600)
    (workspace,) = ws.describe_workspaces(BundleId=bundle["BundleId"])["Workspaces"]
    props = workspace["WorkspaceProperties"]
    assert workspace["State"] == "AVAILABLE"
    assert (props["ComputeTypeName"], props["RootVolumeSizeGib"], props["UserVolumeSizeGib"]) == ("PERFORMANCE", 80, 50)
    assert (props["OperatingSystemName"], props["Protocols"]) == ("WINDOWS_10", ["PCOIP"])


@pytest.mark.parametrize(("process", "protocols"), [("BYOL_REGULAR", ["PCOIP"]), ("BYOL_REGULAR_WSP", ["WSP"])])
def test_a_workspace_streams_over_what_its_image_was_imported_for(ws, image_of, make_directory, server, process,
                                                                  protocols):
    image_id = image_of(process=process)
    bundle = ws.create_workspace_bundle(BundleName="wsp", BundleDescription="x", ImageId=image_id,
                                        ComputeType={"Name": "PERFORMANCE"}, UserStorage={"Capacity": "50"})
    assert bundle["WorkspaceBundle"]["RootStorage"] == {"Capacity": "80"}  # without RootStorage: the image's
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": make_directory(), "UserName": "bob",
                                          "BundleId": bundle["WorkspaceBundle"]["BundleId"]}])
    server.advance(3600)
    shown = ws.describe_workspaces(WorkspaceIds=[r["PendingRequests"][0]["WorkspaceId"]])["Workspaces"][0]
    assert shown["WorkspaceProperties"]["Protocols"] == protocols


def test_a_bundle_from_a_workspace_image(ws, make_workspace, server):
    image_id = ws.create_workspace_image(Name="from-ws", Description="x", WorkspaceId=make_workspace())["ImageId"]
    assert code(create, client=ws, image_id=image_id) == "ResourceUnavailableException"  # still PENDING
    server.advance(2)
    # The WorkSpace had 80 GB root and 50 GB user volumes: the bundle's cannot be smaller.
    assert code(create, client=ws, image_id=image_id,
                UserStorage={"Capacity": "10"}) == "InvalidParameterValuesException"
    bundle = create(ws, image_id, compute="STANDARD")
    assert bundle["ImageId"] == image_id


def test_create_refusals(ws, image_of, make_client, account):
    image_id = image_of()
    create(ws, image_id)
    assert code(create, client=ws, image_id=image_id) == "ResourceAlreadyExistsException"
    assert code(create, client=ws, image_id="wsi-doesnotexist", name="other") == "ResourceNotFoundException"
    for bad in ({"UserStorage": {"Capacity": "5"}}, {"UserStorage": {"Capacity": "big"}},
                {"RootStorage": {"Capacity": "40"}}, {"ComputeType": {}},
                {"Tags": [{"Key": "aws:x", "Value": "y"}]}):
        assert code(create, client=ws, image_id=image_id, name="other", **bad) == "InvalidParameterValuesException"
    # A shared image is copied before a bundle is made from it.
    grantee_id = other_account(account)
    ws.update_workspace_image_permission(ImageId=image_id, AllowCopyImage=True, SharedAccountId=grantee_id)
    assert code(create, client=make_client(account_id=grantee_id),
                image_id=image_id) == "InvalidParameterValuesException"


def test_value_is_not_offered_on_windows_11(ws, server):
    enable_byol(ws)
    image_id = ws.import_custom_workspace_image(
        ImageName="w11", ImageDescription="x", ComputeType="BASE", Protocol="DCV",
        ImageSource={"Ec2ImageId": "ami-0123456789abcdef0"}, Platform="WINDOWS", OsVersion="Windows_11",
        InfrastructureConfigurationArn="arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i",
    )["ImageId"]
    server.advance(20)
    assert said(create, client=ws, image_id=image_id, compute="VALUE") == (
        "InvalidParameterValuesException", "The VALUE compute type is not supported with Windows 11 images.")
    assert create(ws, image_id, compute="STANDARD")["ComputeType"] == {"Name": "STANDARD"}


def test_the_bundles_quota(own_server, account):
    srv = own_server("--clock", "manual", "--timing", "instant", quotas={"bundles": 1})
    client = srv.client(key=account)
    enable_byol(client)
    image_id = import_byol(client, "golden")
    srv.advance(1)
    create(client, image_id, name="one")
    assert code(create, client=client, image_id=image_id, name="two") == "ResourceLimitExceededException"


def test_the_bundles_quota_leaves_the_standby_mirrors_out(own_server, account):
    srv = own_server("--clock", "manual", "--timing", "instant", quotas={"bundles": 1})
    east, west = srv.client(key=account), srv.client(region="us-west-2", key=account)
    primary = east.create_workspaces(Workspaces=[{
        "DirectoryId": registered_directory(srv, srv.client("ds", key=account), east), "UserName": "alice",
        "BundleId": public_bundle(east, "Standard with Windows 10 (Server 2019 based)")}])["PendingRequests"][0]
    srv.advance(1)
    standby_directory = registered_directory(srv, srv.client("ds", region="us-west-2", key=account), west)
    standby = west.create_standby_workspaces(PrimaryRegion="us-east-1", StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary["WorkspaceId"], "DirectoryId": standby_directory}])
    assert standby["FailedStandbyRequests"] == []
    enable_byol(west)
    image_id = import_byol(west, "golden")
    srv.advance(1)
    create(west, image_id, name="one")  # the mirrored standby bundle does not count
    assert said(create, client=west, image_id=image_id, name="two") == (
        "ResourceLimitExceededException", "You have reached the maximum number of custom bundles in this Region (1).")


def test_update_points_the_bundle_at_another_image(ws, image_of):
    first, second = image_of("first"), image_of("second")
    bundle = create(ws, first)
    ws.update_workspace_bundle(BundleId=bundle["BundleId"], ImageId=second)
    (updated,) = ws.describe_workspace_bundles(BundleIds=[bundle["BundleId"]])["Bundles"]
    assert updated["ImageId"] == second and updated["LastUpdatedTime"] >= bundle["LastUpdatedTime"]
    # The first image is free again; the second is in use.
    ws.delete_workspace_image(ImageId=first)
    assert code(ws.delete_workspace_image, ImageId=second) == "ResourceAssociatedException"
    public = public_bundle(ws, "Standard with Windows 10 (Server 2019 based)")
    assert code(ws.update_workspace_bundle, BundleId=public, ImageId=second) == "OperationNotSupportedException"
    assert code(ws.update_workspace_bundle, BundleId="wsb-doesnotexist", ImageId=second) == "ResourceNotFoundException"
    assert code(ws.update_workspace_bundle, BundleId=bundle["BundleId"]) == "InvalidParameterValuesException"
    assert code(ws.update_workspace_bundle, BundleId=bundle["BundleId"],
                ImageId="wsi-doesnotexist") == "ResourceNotFoundException"


def test_delete_waits_for_the_workspaces_to_go(ws, image_of, make_directory, server):
    image_id = image_of()
    bundle_id = create(ws, image_id)["BundleId"]
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": make_directory(), "UserName": "carol", "BundleId": bundle_id}])
    workspace_id = r["PendingRequests"][0]["WorkspaceId"]
    assert code(ws.delete_workspace_bundle, BundleId=bundle_id) == "ResourceAssociatedException"
    ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": workspace_id}])
    server.advance(3600)
    ws.delete_workspace_bundle(BundleId=bundle_id)
    assert ws.describe_workspace_bundles()["Bundles"] == []
    ws.delete_workspace_image(ImageId=image_id)
    public = public_bundle(ws, "Standard with Windows 10 (Server 2019 based)")
    assert code(ws.delete_workspace_bundle, BundleId=public) == "InvalidParameterValuesException"
    assert code(ws.delete_workspace_bundle, BundleId="wsb-doesnotexist") == "ResourceNotFoundException"


def test_bundle_associations_come_from_the_image(ws, image_of):
    bundle_id = create(ws, image_of(Applications=["Microsoft_Office_2016"]))["BundleId"]
    (association,) = ws.describe_bundle_associations(BundleId=bundle_id,
                                                     AssociatedResourceTypes=["APPLICATION"])["Associations"]
    assert (association["BundleId"], association["AssociatedResourceType"], association["State"]) == (
        bundle_id, "APPLICATION", "COMPLETED")
    public = public_bundle(ws, "Standard with Windows 10 (Server 2019 based)")
    assert ws.describe_bundle_associations(BundleId=public, AssociatedResourceTypes=["APPLICATION"])[
        "Associations"] == []
    assert code(ws.describe_bundle_associations, BundleId="wsb-doesnotexist",
                AssociatedResourceTypes=["APPLICATION"]) == "ResourceNotFoundException"
