"""MigrateWorkspace through boto3: a new WorkSpace for the same user from the target bundle, PENDING then
AVAILABLE on the clock, while the source is terminated; and what cannot be migrated."""

from tests.helpers import code, error, public_bundle
from tests.helpers import describe_workspace as describe

STANDARD_W10 = "Standard with Windows 10 (Server 2019 based)"


def test_migrate_gives_the_user_a_new_workspace(ws, make_workspace, server):
    auto_stop = {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}
    source = make_workspace(WorkspaceProperties=auto_stop,
                            WorkspaceName="alice-desk", Tags=[{"Key": "team", "Value": "eng"}],
                            RootVolumeEncryptionEnabled=True, VolumeEncryptionKey="alias/ws")
    before = describe(ws, source)
    target_bundle = public_bundle(ws, "Performance with Windows 10 (Server 2019 based)")
    r = ws.migrate_workspace(SourceWorkspaceId=source, BundleId=target_bundle)
    assert r["SourceWorkspaceId"] == source and r["TargetWorkspaceId"] != source
    target = describe(ws, r["TargetWorkspaceId"])
    assert (target["State"], target["BundleId"]) == ("PENDING", target_bundle)
    assert (target["UserName"], target["DirectoryId"], target["WorkspaceName"]) == (
        "alice", before["DirectoryId"], "alice-desk")
    props = target["WorkspaceProperties"]
    assert (props["ComputeTypeName"], props["RunningMode"], props["RunningModeAutoStopTimeoutInMinutes"]) == (
        "PERFORMANCE", "AUTO_STOP", 120)
    assert props["UserVolumeSizeGib"] == before["WorkspaceProperties"]["UserVolumeSizeGib"]
    assert (target["RootVolumeEncryptionEnabled"], target["VolumeEncryptionKey"]) == (True, "alias/ws")
    assert describe(ws, source)["State"] == "AVAILABLE"  # terminated only when the migration has finished
    busy = ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": source}])["FailedRequests"][0]
    assert (busy["ErrorCode"], busy["ErrorMessage"]) == (
        "OperationInProgress.Migration", f"The WorkSpace {source} is being migrated to {r['TargetWorkspaceId']}.")
    assert ws.describe_tags(ResourceId=r["TargetWorkspaceId"])["TagList"] == [{"Key": "team", "Value": "eng"}]
    server.advance(3600)
    assert describe(ws, r["TargetWorkspaceId"])["State"] == "AVAILABLE"
    assert describe(ws, source) is None


def test_migrate_a_stopped_workspace_to_a_custom_bundle(ws, make_workspace, server):
    source = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    image_id = ws.create_workspace_image(Name="ws2019", Description="x", WorkspaceId=source)["ImageId"]
    server.advance(2)
    bundle_id = ws.create_workspace_bundle(BundleName="custom-power", BundleDescription="x", ImageId=image_id,
                                           ComputeType={"Name": "POWER"}, UserStorage={"Capacity": "100"},
                                           RootStorage={"Capacity": "175"})["WorkspaceBundle"]["BundleId"]
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": source}])
    server.advance(2)
    target = ws.migrate_workspace(SourceWorkspaceId=source, BundleId=bundle_id)["TargetWorkspaceId"]
    server.advance(3600)
    doc = describe(ws, target)
    assert (doc["State"], doc["BundleId"], doc["WorkspaceProperties"]["ComputeTypeName"]) == (
        "AVAILABLE", bundle_id, "POWER")
    assert doc["WorkspaceProperties"]["RootVolumeSizeGib"] == 175
    # The custom bundle is now in use.
    assert code(ws.delete_workspace_bundle, BundleId=bundle_id) == "ResourceAssociatedException"


def test_what_cannot_be_migrated(ws, make_workspace, server):
    windows = make_workspace()
    same = describe(ws, windows)["BundleId"]
    performance = public_bundle(ws, "Performance with Windows 10 (Server 2019 based)")
    assert code(ws.migrate_workspace, SourceWorkspaceId="ws-doesnotexist",
                BundleId=performance) == "ResourceNotFoundException"
    unknown = error(ws.migrate_workspace, SourceWorkspaceId=windows, BundleId="wsb-doesnotexist")
    assert (unknown["Error"]["Code"], unknown["Error"]["Message"], unknown["ResourceId"]) == (
        "ResourceNotFoundException", "The bundle wsb-doesnotexist could not be found.", "wsb-doesnotexist")
    assert code(ws.migrate_workspace, SourceWorkspaceId=windows, BundleId=same) == "InvalidParameterValuesException"
    # Migration rules of the admin guide: not between Windows and Linux, not from a public bundle to BYOL.
    for name in ("Standard with Ubuntu 22.04", "Standard with Windows 10 BYOL"):
        assert code(ws.migrate_workspace, SourceWorkspaceId=windows,
                    BundleId=public_bundle(ws, name)) == "OperationNotSupportedException"
    ws.modify_workspace_properties(WorkspaceId=windows, WorkspaceProperties={"ComputeTypeName": "POWER"})
    assert code(ws.migrate_workspace, SourceWorkspaceId=windows, BundleId=performance) == "OperationInProgressException"
    pending = make_workspace(user="late", available=False)
    assert code(ws.migrate_workspace, SourceWorkspaceId=pending, BundleId=performance) == "ResourceUnavailableException"


def test_a_standby_cannot_be_migrated(make_client, make_workspace, make_directory):
    primary = make_workspace("us-east-1")
    west = make_client(region="us-west-2")
    r = west.create_standby_workspaces(PrimaryRegion="us-east-1", StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory("us-west-2")}])
    standby = r["PendingStandbyRequests"][0]["WorkspaceId"]
    target = public_bundle(west, "Performance with Windows 10 (Server 2019 based)")
    response = error(west.migrate_workspace, SourceWorkspaceId=standby, BundleId=target)
    assert (response["Error"]["Code"], response["reason"]) == ("OperationNotSupportedException", "STANDBY_WORKSPACE")
    assert response["Error"]["Message"] == "A standby WorkSpace cannot be migrated."
