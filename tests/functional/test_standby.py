"""Standby WorkSpaces through boto3 with clients in two and three Regions: CreateStandbyWorkspaces,
the live pair in DescribeWorkspaces, data replication, what a standby refuses, and termination."""

import pytest

from tests.helpers import VPC, code, error, said
from tests.helpers import describe_workspace as describe

P, S, S2 = "us-east-1", "us-west-2", "eu-west-1"


@pytest.fixture
def pair(make_client, make_workspace, make_directory, server):
    """A primary in us-east-1 and its standby in us-west-2, provisioned."""

    def make(data_replication: str | None = None, directory_kind: str = "MicrosoftAD", **primary_props) -> dict:
        primary = make_workspace(P, directory=make_directory(P, directory_kind), **primary_props)
        standby_dir = make_directory(S, directory_kind)
        item = {"PrimaryWorkspaceId": primary, "DirectoryId": standby_dir}
        if data_replication:
            item["DataReplication"] = data_replication
        r = make_client(region=S).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[item])
        assert r["FailedStandbyRequests"] == []
        return {"primary": primary, "standby": r["PendingStandbyRequests"][0]["WorkspaceId"], "directory": standby_dir,
                "pending": r["PendingStandbyRequests"][0]}

    return make


def test_create_standby_in_the_secondary_region(make_client, pair, server):
    east, west = make_client(region=P), make_client(region=S)
    p = pair()
    assert p["pending"] == {"UserName": "alice", "DirectoryId": p["directory"], "State": "PENDING",
                            "WorkspaceId": p["standby"]}
    standby = describe(west, p["standby"])
    assert standby["State"] == "PENDING"
    assert standby["RelatedWorkspaces"] == [{"WorkspaceId": p["primary"], "Region": P, "State": "AVAILABLE",
                                             "Type": "PRIMARY"}]
    assert standby["DataReplicationSettings"] == {"DataReplication": "NO_REPLICATION"}
    primary = describe(east, p["primary"])
    assert primary["RelatedWorkspaces"] == [{"WorkspaceId": p["standby"], "Region": S, "State": "PENDING",
                                             "Type": "STANDBY"}]
    assert primary["StandbyWorkspacesProperties"] == [{"StandbyWorkspaceId": p["standby"],
                                                       "DataReplication": "NO_REPLICATION"}]
    assert describe(east, p["standby"]) is None  # the standby lives in its own Region only
    server.advance(3600)
    assert describe(west, p["standby"])["State"] == "STOPPED"
    assert describe(east, p["primary"])["RelatedWorkspaces"][0]["State"] == "STOPPED"


def test_standby_copies_the_primary_and_uses_a_mirrored_standby_bundle(make_client, pair):
    east, west = make_client(region=P), make_client(region=S)
    p = pair(WorkspaceProperties={"RunningMode": "ALWAYS_ON", "UserVolumeSizeGib": 100})
    primary, standby = describe(east, p["primary"]), describe(west, p["standby"])
    for key in ("RootVolumeSizeGib", "UserVolumeSizeGib", "ComputeTypeName", "Protocols", "OperatingSystemName"):
        assert standby["WorkspaceProperties"][key] == primary["WorkspaceProperties"][key]
    assert standby["WorkspaceProperties"]["RunningMode"] == "AUTO_STOP"
    assert standby["UserName"] == primary["UserName"] and standby["DirectoryId"] == p["directory"]
    bundle = west.describe_workspace_bundles(BundleIds=[standby["BundleId"]])["Bundles"][0]
    assert bundle["BundleType"] == "STANDBY" and standby["BundleId"] != primary["BundleId"]
    props = primary["WorkspaceProperties"]
    assert (bundle["RootStorage"], bundle["UserStorage"], bundle["ComputeType"]) == (
        {"Capacity": str(props["RootVolumeSizeGib"])}, {"Capacity": "100"}, {"Name": props["ComputeTypeName"]})
    assert bundle["Name"] == f"Standby of {primary['BundleId']}"
    assert bundle["CreationTime"] == bundle["LastUpdatedTime"]
    # WorkSpaces manages the mirror: it is no custom bundle of the account's to change or delete.
    mirror = f"The bundle {bundle['BundleId']} is not a custom bundle of this account."
    assert said(west.delete_workspace_bundle, BundleId=bundle["BundleId"])[1] == mirror
    assert said(west.update_workspace_bundle, BundleId=bundle["BundleId"], ImageId="wsi-0123456789")[1] == mirror
    assert west.describe_workspace_bundles()["Bundles"] == [bundle]  # owned by the account


def test_two_standby_regions_for_one_primary(make_client, make_workspace, make_directory):
    primary = make_workspace(P)
    for region in (S, S2):
        r = make_client(region=region).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(region)}])
        assert r["FailedStandbyRequests"] == []
    related = describe(make_client(region=P), primary)["RelatedWorkspaces"]
    assert sorted(r["Region"] for r in related) == [S2, S] and {r["Type"] for r in related} == {"STANDBY"}


@pytest.mark.parametrize(("region", "primary_region", "error"), [
    (S, S, "InvalidParameterValuesException"),
    (S, "us-west-1", "InvalidParameterValuesException"),
    ("eu-west-2", P, "OperationNotSupportedException"),
    (S, "ap-south-1", "OperationNotSupportedException"),
])
def test_whole_request_refusals(make_client, region, primary_region, error):
    assert code(make_client(region=region).create_standby_workspaces, PrimaryRegion=primary_region,
                StandbyWorkspaces=[{"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890"}]) == error


def test_outside_mrr_regions_the_reason_is_given(make_client):
    response = error(make_client(region="eu-west-2").create_standby_workspaces, PrimaryRegion=P,
                     StandbyWorkspaces=[{"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890"}])
    assert response["reason"] == "UNSUPPORTED_REGION"


@pytest.mark.parametrize("count", [0, 26])
def test_batch_size(make_client, count):
    items = [{"PrimaryWorkspaceId": f"ws-abcdefg{i:02d}", "DirectoryId": "d-1234567890"} for i in range(count)]
    assert code(make_client(region=S).create_standby_workspaces, PrimaryRegion=P,
                StandbyWorkspaces=items) == "InvalidParameterValuesException"


def test_standby_quota(own_server, account):
    west = own_server("--clock", "manual", quotas={"standby_workspaces": 0}).client(region=S, key=account)
    assert code(west.create_standby_workspaces, PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890"}]) == "ResourceLimitExceededException"


def test_per_item_failures_beside_a_success(make_client, make_workspace, make_directory, pair):
    west = make_client(region=S)
    good = make_workspace(P, user="good")
    existing = pair()
    standby_in_p = make_client(region=P).create_standby_workspaces(PrimaryRegion=S2, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": make_workspace(S2, user="far"), "DirectoryId": make_directory(P)}],
    )["PendingStandbyRequests"][0]["WorkspaceId"]
    linux = make_workspace(P, user="tux", bundle_name="Standard with Amazon Linux 2")
    gpu = make_workspace(P, user="gfx", bundle_name="Graphics.g4dn with Windows 10")
    big = make_workspace(P, user="big", bundle_name="GeneralPurpose.4xlarge with Windows 11")
    encrypted = make_workspace(P, user="enc", RootVolumeEncryptionEnabled=True, VolumeEncryptionKey="alias/ws")
    simple_primary = make_workspace(P, user="simple", directory=make_directory(P, "SimpleAD"))
    directory = make_directory(S)
    pending = make_workspace(P, user="late", available=False)  # last: the fixtures above move the clock
    unregistered = make_client("ds", region=S).create_directory(
        Name="other.example.com", Password="Passw0rd!", Size="Small", VpcSettings=VPC)["DirectoryId"]
    items = [
        {"PrimaryWorkspaceId": good, "DirectoryId": directory},
        {"PrimaryWorkspaceId": "ws-doesnotexist", "DirectoryId": directory},
        {"PrimaryWorkspaceId": good, "DirectoryId": unregistered},
        {"PrimaryWorkspaceId": standby_in_p, "DirectoryId": directory},
        {"PrimaryWorkspaceId": existing["primary"], "DirectoryId": directory},
        {"PrimaryWorkspaceId": good, "DirectoryId": directory},
        {"PrimaryWorkspaceId": pending, "DirectoryId": directory},
        {"PrimaryWorkspaceId": linux, "DirectoryId": directory},
        {"PrimaryWorkspaceId": gpu, "DirectoryId": directory},
        {"PrimaryWorkspaceId": big, "DirectoryId": directory},
        {"PrimaryWorkspaceId": encrypted, "DirectoryId": directory},
        {"PrimaryWorkspaceId": simple_primary, "DirectoryId": directory, "DataReplication": "PRIMARY_AS_SOURCE"},
        {"PrimaryWorkspaceId": simple_primary, "DirectoryId": directory, "Tags": [{"Key": "aws:x", "Value": "1"}]},
    ]
    r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=items)
    assert [p["UserName"] for p in r["PendingStandbyRequests"]] == ["good"]
    assert [f["ErrorCode"] for f in r["FailedStandbyRequests"]] == [
        "ResourceNotFound.WorkSpace", "ResourceNotFound.Directory", "InvalidParameterValues.PrimaryWorkspaceId",
        "ResourceExists.WorkSpace", "ResourceExists.WorkSpace", "InvalidResourceState.WorkSpace",
        "OperationNotSupported.WorkSpaceConfiguration", "OperationNotSupported.WorkSpaceConfiguration",
        "OperationNotSupported.WorkSpaceConfiguration", "InvalidParameterValues.VolumeEncryptionKey",
        "OperationNotSupported.DataReplication", "InvalidParameterValues.Tags"]
    assert [f["StandbyWorkspaceRequest"] for f in r["FailedStandbyRequests"]] == items[1:]
    assert all(f["ErrorMessage"] for f in r["FailedStandbyRequests"])
    messages = [f["ErrorMessage"] for f in r["FailedStandbyRequests"]]
    assert messages[0] == f"The primary WorkSpace ws-doesnotexist could not be found in Region {P}."
    assert messages[3] == f"The WorkSpace {existing['primary']} already has a standby WorkSpace in Region {S}."
    assert messages[4] == f"The WorkSpace {good} already has a standby WorkSpace in Region {S}."  # the one just made


def test_a_stopped_primary_gets_a_standby(make_client, make_workspace, make_directory, server):
    primary = make_workspace(P, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    make_client(region=P).stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": primary}])
    server.advance(3600)
    r = make_client(region=S).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S)}])
    assert r["FailedStandbyRequests"] == [] and len(r["PendingStandbyRequests"]) == 1


def test_encrypted_primary_with_a_key_gets_an_encrypted_standby(make_client, make_workspace, make_directory):
    primary = make_workspace(P, RootVolumeEncryptionEnabled=True, UserVolumeEncryptionEnabled=True,
                             VolumeEncryptionKey="alias/primary")
    west = make_client(region=S)
    r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S), "VolumeEncryptionKey": "alias/standby",
         "Tags": [{"Key": "role", "Value": "dr"}]}])
    sid = r["PendingStandbyRequests"][0]["WorkspaceId"]
    standby = describe(west, sid)
    assert standby["VolumeEncryptionKey"] == "alias/standby"
    assert standby["RootVolumeEncryptionEnabled"] and standby["UserVolumeEncryptionEnabled"]
    assert west.describe_tags(ResourceId=sid)["TagList"] == [{"Key": "role", "Value": "dr"}]


def test_state_changes_show_on_the_other_side_at_once(make_client, pair, server):
    east, west = make_client(region=P), make_client(region=S)
    p = pair()
    server.advance(3600)
    assert west.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": p["standby"]}])["FailedRequests"] == []
    assert describe(east, p["primary"])["RelatedWorkspaces"][0]["State"] == "STARTING"
    server.advance(60)
    assert describe(east, p["primary"])["RelatedWorkspaces"][0]["State"] == "AVAILABLE"
    east.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": p["primary"]}])
    assert describe(west, p["standby"])["RelatedWorkspaces"][0]["State"] == "REBOOTING"


def test_data_replication_snapshots_on_the_clock(make_client, pair, server):
    server.admin("POST", "/clock", json={"timing": "realistic"})
    east, west = make_client(region=P), make_client(region=S)
    p = pair(data_replication="PRIMARY_AS_SOURCE")
    assert describe(west, p["standby"])["DataReplicationSettings"] == {"DataReplication": "PRIMARY_AS_SOURCE"}
    server.advance(20 * 60)  # provisioned, first snapshot not yet
    assert "RecoverySnapshotTime" not in describe(west, p["standby"])["DataReplicationSettings"]
    server.advance(12 * 3600)
    first = describe(west, p["standby"])["DataReplicationSettings"]["RecoverySnapshotTime"]
    assert describe(east, p["primary"])["StandbyWorkspacesProperties"][0]["RecoverySnapshotTime"] == first
    server.advance(6 * 3600)
    assert describe(west, p["standby"])["DataReplicationSettings"]["RecoverySnapshotTime"] == first
    server.advance(6 * 3600)
    second = describe(west, p["standby"])["DataReplicationSettings"]["RecoverySnapshotTime"]
    assert (second - first).total_seconds() == 12 * 3600


def test_switching_replication_on_either_side_switches_the_pair(make_client, pair, server):
    east, west = make_client(region=P), make_client(region=S)
    p = pair()
    server.advance(3600)
    east.modify_workspace_properties(WorkspaceId=p["primary"], DataReplication="PRIMARY_AS_SOURCE")
    server.advance(1)
    assert describe(west, p["standby"])["DataReplicationSettings"]["DataReplication"] == "PRIMARY_AS_SOURCE"
    server.advance(60)
    assert "RecoverySnapshotTime" in describe(west, p["standby"])["DataReplicationSettings"]
    west.modify_workspace_properties(WorkspaceId=p["standby"], DataReplication="NO_REPLICATION")
    server.advance(1)
    props = describe(east, p["primary"])["StandbyWorkspacesProperties"][0]
    assert props["DataReplication"] == "NO_REPLICATION" and "RecoverySnapshotTime" in props


def test_replication_switch_refusals(make_client, make_workspace, pair):
    east = make_client(region=P)
    lonely = make_workspace(P)
    refused = error(east.modify_workspace_properties, WorkspaceId=lonely, DataReplication="PRIMARY_AS_SOURCE")["Error"]
    assert (refused["Code"], refused["Message"]) == ("InvalidParameterValuesException",
                                                     f"The WorkSpace {lonely} has no standby WorkSpace.")
    p = pair()
    assert code(east.modify_workspace_properties, WorkspaceId=p["primary"], DataReplication="PRIMARY_AS_SOURCE",
                WorkspaceProperties={"RunningMode": "AUTO_STOP"}) == "InvalidParameterValuesException"


@pytest.mark.parametrize(("primary_kind", "standby_kind"), [("SimpleAD", "SimpleAD"), ("SimpleAD", "MicrosoftAD"),
                                                           ("MicrosoftAD", "SimpleAD")])
def test_replication_with_simple_ad_on_either_side_is_refused_on_modify(make_client, make_workspace, make_directory,
                                                                        primary_kind, standby_kind):
    primary = make_workspace(P, directory=make_directory(P, primary_kind))
    r = make_client(region=S).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S, standby_kind)}])
    assert r["FailedStandbyRequests"] == []
    refused = error(make_client(region=P).modify_workspace_properties, WorkspaceId=primary,
                    DataReplication="PRIMARY_AS_SOURCE")["Error"]
    assert (refused["Code"], refused["Message"]) == ("UnsupportedWorkspaceConfigurationException",
                                                     "Data replication is not supported with Simple AD directories.")


def test_what_a_standby_refuses_and_allows(make_client, pair, server):
    west = make_client(region=S)
    p = pair()
    server.advance(3600)
    sid = p["standby"]
    assert code(west.modify_workspace_properties, WorkspaceId=sid,
                WorkspaceProperties={"UserVolumeSizeGib": 100}) == "OperationNotSupportedException"
    assert code(west.restore_workspace, WorkspaceId=sid) == "OperationNotSupportedException"
    r = west.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": sid}])
    assert r["FailedRequests"][0]["ErrorCode"] == "OperationNotSupported.StandbyWorkSpace"
    assert west.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": sid}])["FailedRequests"] == []
    server.advance(60)
    assert west.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": sid}])["FailedRequests"] == []
    server.advance(60)
    assert west.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": sid}])["FailedRequests"] == []
    server.advance(60)
    assert describe(west, sid)["State"] == "STOPPED"


def test_terminating_the_standby_leaves_the_primary(make_client, pair, server):
    east, west = make_client(region=P), make_client(region=S)
    p = pair()
    west.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": p["standby"]}])
    assert describe(east, p["primary"])["RelatedWorkspaces"][0]["State"] == "TERMINATING"
    server.advance(3600)
    primary = describe(east, p["primary"])
    assert primary["State"] == "AVAILABLE"
    assert "RelatedWorkspaces" not in primary and "StandbyWorkspacesProperties" not in primary
    r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": p["primary"], "DirectoryId": p["directory"]}])
    assert r["FailedStandbyRequests"] == []  # a new standby once the old one is gone


def test_terminating_the_primary_leaves_the_standby_and_stops_replication(make_client, pair, server):
    east, west = make_client(region=P), make_client(region=S)
    p = pair(data_replication="PRIMARY_AS_SOURCE")
    server.advance(3600)
    east.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": p["primary"]}])
    standby = describe(west, p["standby"])
    assert standby["RelatedWorkspaces"][0]["State"] == "TERMINATING"
    assert standby["DataReplicationSettings"]["DataReplication"] == "NO_REPLICATION"
    kept = standby["DataReplicationSettings"]["RecoverySnapshotTime"]
    server.advance(3600)
    standby = describe(west, p["standby"])
    assert standby["State"] == "STOPPED" and "RelatedWorkspaces" not in standby
    assert standby["DataReplicationSettings"]["RecoverySnapshotTime"] == kept
