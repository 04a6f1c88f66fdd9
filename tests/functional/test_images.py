"""Custom images through boto3: creation from a WorkSpace on the clock, BYOL imports (and the progress of
ImportCustomWorkspaceImage), updates, copies between Regions, sharing between two accounts, paging, deletion
and the quota."""

import datetime as dt
import re

import pytest

from tests.helpers import code, enable_byol, import_byol, other_account, pages, said

AMI = "ami-0123456789abcdef0"
INFRA = "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/byol-infra"
MONTH = 31 * 86400


def image(client, image_id: str) -> dict | None:
    found = client.describe_workspace_images(ImageIds=[image_id])["Images"]
    return found[0] if found else None


@pytest.fixture
def imported(ws, server):
    """imported(name, client=ws) -> an AVAILABLE BYOL image imported from an AMI in the client's account."""

    def make(name: str = "golden", client=None) -> str:
        client = client or ws
        enable_byol(client)
        image_id = import_byol(client, name)
        server.advance(10)
        return image_id

    return make


def test_an_image_is_created_from_an_available_workspace(ws, make_workspace, server, account):
    workspace_id = make_workspace()
    r = ws.create_workspace_image(Name="win-golden", Description="From alice", WorkspaceId=workspace_id,
                                  Tags=[{"Key": "team", "Value": "eng"}])
    assert re.fullmatch(r"wsi-[0-9a-z]{9}", r["ImageId"])
    assert (r["Name"], r["Description"], r["State"]) == ("win-golden", "From alice", "PENDING")
    assert r["OperatingSystem"] == {"Type": "WINDOWS"}
    assert (r["RequiredTenancy"], r["OwnerAccountId"]) == ("DEFAULT", account)
    assert "Created" in r
    assert image(ws, r["ImageId"])["State"] == "PENDING"
    server.advance(2)
    doc = image(ws, r["ImageId"])
    assert doc["State"] == "AVAILABLE"
    assert doc["Updates"] == {"UpdateAvailable": False}
    assert not [k for k in doc if k.startswith("_")]
    assert ws.describe_tags(ResourceId=r["ImageId"])["TagList"] == [{"Key": "team", "Value": "eng"}]


def test_a_linux_image_is_never_updated(ws, make_workspace, server):
    workspace_id = make_workspace(bundle_name="Standard with Amazon Linux 2")
    r = ws.create_workspace_image(Name="tux", Description="Linux", WorkspaceId=workspace_id)
    assert r["OperatingSystem"] == {"Type": "LINUX"}
    server.advance(MONTH)
    assert image(ws, r["ImageId"])["Updates"] == {"UpdateAvailable": False}
    # Only Windows 10, Server 2016 and Server 2019 images can be updated (CreateUpdatedWorkspaceImage doc).
    assert code(ws.create_updated_workspace_image, Name="tux2", Description="x",
                SourceImageId=r["ImageId"]) == "OperationNotSupportedException"


def test_an_image_needs_an_available_workspace_of_the_account(ws, make_workspace):
    assert code(ws.create_workspace_image, Name="x", Description="x",
                WorkspaceId="ws-doesnotexist") == "ResourceNotFoundException"
    pending = make_workspace(available=False)
    assert code(ws.create_workspace_image, Name="x", Description="x",
                WorkspaceId=pending) == "InvalidResourceStateException"


def test_names_are_unique_and_tags_checked(ws, imported):
    imported("dup")
    assert code(import_byol, client=ws, name="dup") == "ResourceAlreadyExistsException"
    assert code(import_byol, client=ws, name="tagged",
                Tags=[{"Key": "aws:owner", "Value": "me"}]) == "InvalidParameterValuesException"


def test_the_images_quota(own_server, account):
    client = own_server("--clock", "manual", quotas={"images": 1}).client(key=account)
    enable_byol(client)
    import_byol(client, "first")
    assert code(import_byol, client=client, name="second") == "ResourceLimitExceededException"


def test_a_byol_import_with_office(ws, server):
    enable_byol(ws)
    image_id = import_byol(ws, "office", Applications=["Microsoft_Office_2019"])
    (association,) = ws.describe_image_associations(ImageId=image_id,
                                                    AssociatedResourceTypes=["APPLICATION"])["Associations"]
    assert association["State"] == "INSTALLING"
    server.advance(3)
    doc = image(ws, image_id)
    assert (doc["State"], doc["RequiredTenancy"], doc["OperatingSystem"]) == ("AVAILABLE", "DEDICATED",
                                                                               {"Type": "WINDOWS"})
    (association,) = ws.describe_image_associations(ImageId=image_id,
                                                    AssociatedResourceTypes=["APPLICATION"])["Associations"]
    assert (association["ImageId"], association["AssociatedResourceType"], association["State"]) == (
        image_id, "APPLICATION", "COMPLETED")
    assert re.fullmatch(r"wsa-[0-9a-z]{9}", association["AssociatedResourceId"])


def test_image_associations_of_unknown_and_plain_images(ws, imported):
    assert ws.describe_image_associations(ImageId=imported(), AssociatedResourceTypes=["APPLICATION"])[
        "Associations"] == []
    assert code(ws.describe_image_associations, ImageId="wsi-doesnotexist",
                AssociatedResourceTypes=["APPLICATION"]) == "ResourceNotFoundException"


def test_one_application_at_a_time(ws):
    enable_byol(ws)
    assert code(import_byol, client=ws, name="two",
                Applications=["Microsoft_Office_2016", "Microsoft_Office_2019"]) == "InvalidParameterValuesException"


def test_a_byol_import_fails_on_an_account_without_byol(ws, server):
    image_id = import_byol(ws, "no-byol")
    server.advance(3)
    doc = image(ws, image_id)
    assert (doc["State"], doc["ErrorCode"]) == ("ERROR", "WorkspacesBYOLAccountNotFound")
    assert doc["ErrorDetails"][0]["ErrorCode"] == "WorkspacesBYOLAccountNotFound"


def test_a_custom_import_moves_through_its_steps_on_the_clock(ws, server):
    enable_byol(ws)
    r = ws.import_custom_workspace_image(ImageName="custom", ImageDescription="Image Builder", ComputeType="BASE",
                                         Protocol="DCV", ImageSource={"Ec2ImageId": AMI},
                                         InfrastructureConfigurationArn=INFRA, Platform="WINDOWS",
                                         OsVersion="Windows_11")
    assert r["State"] == "PENDING"
    status = ws.describe_custom_workspace_image_import(ImageId=r["ImageId"])
    assert (status["ImageId"], status["State"], status["ProgressPercentage"]) == (r["ImageId"], "PENDING", 0)
    assert status["ImageSource"] == {"Ec2ImageId": AMI}
    assert status["InfrastructureConfigurationArn"] == INFRA
    assert "ImageBuilderInstanceId" not in status
    created = status["Created"]
    assert status["LastUpdatedTime"] == created  # the first step began when the import did
    server.advance(1.5)
    status = ws.describe_custom_workspace_image_import(ImageId=r["ImageId"])
    assert (status["State"], status["ProgressPercentage"]) == ("IN_PROGRESS", 12)
    assert status["ImageBuilderInstanceId"].startswith("i-")
    assert status["Created"] == created < status["LastUpdatedTime"] <= created + dt.timedelta(seconds=1.5)
    server.advance(6)
    assert ws.describe_custom_workspace_image_import(ImageId=r["ImageId"])["State"] == "CREATING_TEST_INSTANCE"
    server.advance(10)
    status = ws.describe_custom_workspace_image_import(ImageId=r["ImageId"])
    assert (status["State"], status["ProgressPercentage"]) == ("COMPLETED", 100)
    assert "StateMessage" not in status and "ErrorDetails" not in status
    assert image(ws, r["ImageId"])["State"] == "AVAILABLE"


def test_a_custom_import_without_byol_ends_in_error_saying_why(ws, server):
    r = ws.import_custom_workspace_image(ImageName="custom", ImageDescription="Image Builder", ComputeType="BASE",
                                         Protocol="DCV", ImageSource={"Ec2ImageId": AMI},
                                         InfrastructureConfigurationArn=INFRA, Platform="WINDOWS",
                                         OsVersion="Windows_11")
    server.advance(3600)
    status = ws.describe_custom_workspace_image_import(ImageId=r["ImageId"])
    assert (status["State"], status["ProgressPercentage"]) == ("ERROR", 100)
    why = "This account is not enabled for BYOL: enable DedicatedTenancySupport with ModifyAccount first."
    assert status["StateMessage"] == why
    assert status["ErrorDetails"] == [{"ErrorCode": "WorkspacesBYOLAccountNotFound", "ErrorMessage": why}]
    shown = image(ws, r["ImageId"])
    assert (shown["State"], shown["ErrorCode"], shown["ErrorMessage"]) == ("ERROR", "WorkspacesBYOLAccountNotFound",
                                                                          why)


def test_custom_import_refusals(ws, imported):
    # Windows 11 does not support PCOIP (Protocol doc of ImportCustomWorkspaceImage).
    assert code(ws.import_custom_workspace_image, ImageName="w11", ImageDescription="x", ComputeType="BASE",
                Protocol="PCOIP", ImageSource={"ImageBuildVersionArn": "arn:aws:imagebuilder:us-east-1:123456789012:"
                                                                       "image/win11/1.0.0/1"},
                InfrastructureConfigurationArn=INFRA, Platform="WINDOWS",
                OsVersion="Windows_11") == "InvalidParameterValuesException"
    assert code(ws.describe_custom_workspace_image_import, ImageId="wsi-doesnotexist") == "ResourceNotFoundException"
    assert code(ws.describe_custom_workspace_image_import, ImageId=imported()) == "ResourceNotFoundException"


def test_describe_pages_and_unknown_ids(ws, imported):
    made = sorted(imported(f"img-{i}") for i in range(5))
    answered = [page["Images"] for page in pages(ws.describe_workspace_images, MaxResults=2)]
    seen, sizes = [i["ImageId"] for page in answered for i in page], [len(page) for page in answered]
    assert (seen, sizes) == (made, [2, 2, 1])
    assert [i["ImageId"] for i in ws.describe_workspace_images(ImageIds=made[:3], MaxResults=2)["Images"]] == made[:2]
    assert ws.describe_workspace_images(ImageIds=["wsi-doesnotexist"])["Images"] == []
    assert code(ws.describe_workspace_images, NextToken="%%%") == "InvalidParameterValuesException"


def test_copy_between_regions(make_client, server, account):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    enable_byol(east)
    source = import_byol(east, "golden")
    assert code(west.copy_workspace_image, Name="early", SourceImageId=source,
                SourceRegion="us-east-1") == "ResourceUnavailableException"
    server.advance(10)
    copy = west.copy_workspace_image(Name="golden-west", SourceImageId=source, SourceRegion="us-east-1",
                                     Tags=[{"Key": "copy", "Value": "yes"}])["ImageId"]
    assert copy != source
    assert image(west, copy)["State"] == "PENDING"
    server.advance(2)
    doc = image(west, copy)
    assert (doc["State"], doc["OwnerAccountId"], doc["RequiredTenancy"]) == ("AVAILABLE", account, "DEDICATED")
    assert (doc["Name"], doc["Description"]) == ("golden-west", "Golden image")
    assert image(east, copy) is None and image(west, source) is None
    assert west.describe_tags(ResourceId=copy)["TagList"] == [{"Key": "copy", "Value": "yes"}]
    described = west.copy_workspace_image(Name="golden-mine", SourceImageId=source, SourceRegion="us-east-1",
                                          Description="Mine")["ImageId"]
    assert image(west, described)["Description"] == "Mine"
    assert code(west.copy_workspace_image, Name="x", SourceImageId="wsi-doesnotexist",
                SourceRegion="us-east-1") == "ResourceNotFoundException"
    assert code(west.copy_workspace_image, Name="x", SourceImageId=source,
                SourceRegion="xx-nowhere-1") == "InvalidParameterValuesException"


def test_updates_appear_with_age_and_an_updated_image_has_none(make_client, make_workspace, server):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    # "Standard with Windows 10" runs Windows Server 2019, which can be updated.
    source = east.create_workspace_image(Name="ws2019", Description="x", WorkspaceId=make_workspace())["ImageId"]
    server.advance(2)
    assert said(east.create_updated_workspace_image, Name="too-soon", Description="x", SourceImageId=source) == (
        "InvalidResourceStateException", f"The image {source} has no updates available.")
    server.advance(MONTH)
    assert image(east, source)["Updates"]["UpdateAvailable"] is True
    # A copy has its source's components, and so its updates.
    copy = west.copy_workspace_image(Name="ws2019-west", SourceImageId=source, SourceRegion="us-east-1")["ImageId"]
    assert said(west.create_updated_workspace_image, Name="x", Description="x", SourceImageId=copy) == (
        "InvalidResourceStateException", f"The image {copy} is PENDING.")
    updated = east.create_updated_workspace_image(Name="ws2019-updated", Description="x", SourceImageId=source,
                                                  Tags=[{"Key": "team", "Value": "eng"}])["ImageId"]
    assert image(east, updated)["State"] == "PENDING"
    assert east.describe_tags(ResourceId=updated)["TagList"] == [{"Key": "team", "Value": "eng"}]
    server.advance(2)
    assert image(west, copy)["Updates"]["UpdateAvailable"] is True
    assert image(east, updated)["Updates"] == {"UpdateAvailable": False}
    assert image(east, source)["State"] == "AVAILABLE"  # the source is kept
    assert code(east.create_updated_workspace_image, Name="x", Description="x",
                SourceImageId="wsi-doesnotexist") == "ResourceNotFoundException"


def test_a_grantee_pages_through_shared_images_once_each(make_client, imported, account):
    owner, grantee_id = make_client(), other_account(account)
    made = sorted(imported(f"shared-{i}") for i in range(3))
    for image_id in made:
        owner.update_workspace_image_permission(ImageId=image_id, AllowCopyImage=True, SharedAccountId=grantee_id)
    grantee = make_client(account_id=grantee_id)
    seen = [i["ImageId"] for page in pages(grantee.describe_workspace_images, ImageType="SHARED", MaxResults=2)
            for i in page["Images"]]
    assert seen == made
    permissions = owner.describe_workspace_image_permissions(ImageId=made[0], MaxResults=1)
    assert (permissions["ImagePermissions"], permissions.get("NextToken")) == ([{"SharedAccountId": grantee_id}], None)


def test_sharing_with_another_account(make_client, imported, server, account):
    owner = make_client()
    grantee_id = other_account(account)
    grantee, stranger = make_client(account_id=grantee_id), make_client(account_id=other_account(account, grantee_id))
    image_id = imported("shared-golden")
    assert code(owner.update_workspace_image_permission, ImageId=image_id, AllowCopyImage=True,
                SharedAccountId=account) == "InvalidParameterValuesException"
    owner.update_workspace_image_permission(ImageId=image_id, AllowCopyImage=True, SharedAccountId=grantee_id)
    assert owner.describe_workspace_image_permissions(ImageId=image_id)["ImagePermissions"] == [
        {"SharedAccountId": grantee_id}]
    (shared,) = grantee.describe_workspace_images(ImageType="SHARED")["Images"]
    assert (shared["ImageId"], shared["OwnerAccountId"]) == (image_id, account)
    assert grantee.describe_workspace_images(ImageType="OWNED")["Images"] == []
    assert [i["ImageId"] for i in grantee.describe_workspace_images()["Images"]] == [image_id]
    assert image(grantee, image_id)["ImageId"] == image_id
    assert stranger.describe_workspace_images()["Images"] == [] and image(stranger, image_id) is None
    # Only the owner changes or deletes the image; the grantee copies it.
    assert code(grantee.update_workspace_image_permission, ImageId=image_id, AllowCopyImage=True,
                SharedAccountId=other_account(account, grantee_id)) == "AccessDeniedException"
    assert code(grantee.describe_workspace_image_permissions, ImageId=image_id) == "AccessDeniedException"
    assert code(grantee.delete_workspace_image, ImageId=image_id) == "AccessDeniedException"
    copy = grantee.copy_workspace_image(Name="my-copy", SourceImageId=image_id, SourceRegion="us-east-1")["ImageId"]
    server.advance(2)
    (mine,) = grantee.describe_workspace_images(ImageType="OWNED")["Images"]
    assert (mine["ImageId"], mine["OwnerAccountId"], mine["State"]) == (copy, grantee_id, "AVAILABLE")
    # A shared image is unshared before it is deleted.
    assert code(owner.delete_workspace_image, ImageId=image_id) == "InvalidResourceStateException"
    owner.update_workspace_image_permission(ImageId=image_id, AllowCopyImage=False, SharedAccountId=grantee_id)
    assert grantee.describe_workspace_images(ImageType="SHARED")["Images"] == []
    assert code(owner.update_workspace_image_permission, ImageId=image_id, AllowCopyImage=False,
                SharedAccountId=grantee_id) == "InvalidParameterValuesException"
    owner.delete_workspace_image(ImageId=image_id)
    assert image(owner, image_id) is None and image(grantee, copy)["State"] == "AVAILABLE"


def test_permissions_page(ws, imported, account):
    image_id = imported()
    accounts = sorted({other_account(account) for _ in range(3)})
    for grantee in accounts:
        ws.update_workspace_image_permission(ImageId=image_id, AllowCopyImage=True, SharedAccountId=grantee)
    first = ws.describe_workspace_image_permissions(ImageId=image_id, MaxResults=2)
    second = ws.describe_workspace_image_permissions(ImageId=image_id, MaxResults=2, NextToken=first["NextToken"])
    assert [p["SharedAccountId"] for p in first["ImagePermissions"] + second["ImagePermissions"]] == accounts
    assert "NextToken" not in second
    assert code(ws.describe_workspace_image_permissions, ImageId="wsi-doesnotexist") == "ResourceNotFoundException"


def test_only_an_available_image_is_shared(ws, account):
    enable_byol(ws)
    image_id = import_byol(ws, "pending")
    assert code(ws.update_workspace_image_permission, ImageId=image_id, AllowCopyImage=True,
                SharedAccountId=other_account(account)) == "ResourceUnavailableException"


def test_delete(ws, server):
    # DeleteWorkspaceImage declares no ResourceNotFoundException: an unknown image is deleted without error.
    ws.delete_workspace_image(ImageId="wsi-doesnotexist")
    enable_byol(ws)
    image_id = import_byol(ws, "short-lived")
    assert code(ws.delete_workspace_image, ImageId=image_id) == "InvalidResourceStateException"
    server.advance(10)
    ws.delete_workspace_image(ImageId=image_id)
    assert image(ws, image_id) is None
