"""The domain's rule tables, in process: which action a WorkSpace's state allows, what a standby needs, and the
names and counters a stored document holds. Each expectation is written out here, not read from the tables,
so a changed rule fails a test."""

import re

import pytest

from understudy.domain import catalogue, resources, standby, workspaces
from understudy.domain.families import KINDS

# Where each action may start, per the API reference of each operation (ADMIN_MAINTENANCE only terminates;
# a SUSPENDED WorkSpace cannot even do that).
ALLOWED_FROM = {
    "StartWorkspaces": {"STOPPED"},
    "StopWorkspaces": {"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"},
    "RebootWorkspaces": {"AVAILABLE", "UNHEALTHY", "REBOOTING"},
    "RebuildWorkspaces": {"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"},
    "RestoreWorkspace": {"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"},
    "TerminateWorkspaces": workspaces.ALL_STATES - {"SUSPENDED"},
    "ModifyWorkspaceProperties": {"AVAILABLE", "STOPPED"},
}


def workspace(state: str, mode: str = "AUTO_STOP", **extra) -> dict:
    return {"WorkspaceId": "ws-abcdefghi", "State": state, "WorkspaceProperties": {"RunningMode": mode}, **extra}


def test_every_action_is_pinned_here():
    assert set(workspaces.ACTIONS) == set(ALLOWED_FROM)


@pytest.mark.parametrize("action", sorted(ALLOWED_FROM))
@pytest.mark.parametrize("state", sorted(workspaces.ALL_STATES))
def test_an_action_runs_from_its_states_only(action, state):
    refused = workspaces.refusal(action, workspace(state))
    if state in ALLOWED_FROM[action]:
        assert refused is None
    else:
        assert refused.code == "InvalidResourceState.WorkSpace"
        assert "ws-abcdefghi" in refused.message and state in refused.message


def test_admin_maintenance_allows_terminate_alone():
    maintained = workspace("ADMIN_MAINTENANCE")
    allowed = {action for action in workspaces.ACTIONS if workspaces.refusal(action, maintained) is None}
    assert allowed == {"TerminateWorkspaces"}


@pytest.mark.parametrize("action", ["StartWorkspaces", "StopWorkspaces"])
def test_start_and_stop_need_a_running_mode_that_stops(action):
    state = next(iter(ALLOWED_FROM[action]))
    refused = workspaces.refusal(action, workspace(state, mode="ALWAYS_ON"))
    assert refused.code == "InvalidResourceState.RunningMode" and "ALWAYS_ON" in refused.message
    assert workspaces.refusal(action, workspace(state, mode="MANUAL")) is None


def test_reboot_does_not_care_about_the_running_mode():
    assert workspaces.refusal("RebootWorkspaces", workspace("AVAILABLE", mode="ALWAYS_ON")) is None


@pytest.mark.parametrize(("action", "transient", "settles_to"), [
    ("StartWorkspaces", "STARTING", "AVAILABLE"),
    ("StopWorkspaces", "STOPPING", "STOPPED"),
    ("RebootWorkspaces", "REBOOTING", "AVAILABLE"),
    ("RebuildWorkspaces", "REBUILDING", "AVAILABLE"),
    ("RestoreWorkspace", "RESTORING", "AVAILABLE"),
    ("TerminateWorkspaces", "TERMINATING", "TERMINATED"),
    ("ModifyWorkspaceProperties", "UPDATING", None),  # back to where it was
])
def test_what_each_action_shows_and_where_it_ends(action, transient, settles_to):
    rule = workspaces.ACTIONS[action]
    assert (rule.transient, rule.settles_to) == (transient, settles_to)


def test_maintenance_moves_between_two_states_and_a_terminated_workspace_vanishes():
    assert workspaces.MAINTENANCE_STATES == {"AVAILABLE", "ADMIN_MAINTENANCE"}
    assert workspaces.AFTER_TERMINATED == resources.GONE


BUNDLE = {"BundleId": "wsb-abcdefghi", "RootStorage": {"Capacity": "80"}, "UserStorage": {"Capacity": "50"},
          "ComputeType": {"Name": "STANDARD"}, "_OperatingSystem": "WINDOWS_SERVER_2019"}


def test_a_new_workspace_is_pending_and_takes_the_rest_from_its_bundle():
    doc = workspaces.new_workspace(directory_id="d-1234567890", subnet_ids=["subnet-1", "subnet-2"], user_name="ann",
                                   bundle=BUNDLE, properties={"RunningMode": "AUTO_STOP", "UserVolumeSizeGib": 100},
                                   now=1000.0, provision_seconds=20.0, WorkspaceName="desk", Unknown="dropped")
    assert re.fullmatch(r"ws-[0-9a-z]{9}", doc["WorkspaceId"])
    assert (doc["State"], doc["_SubnetId"], doc["_ProvisionedAt"]) == ("PENDING", "subnet-1", 1020.0)
    assert doc["WorkspaceProperties"] == {
        "RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60, "UserVolumeSizeGib": 100,
        "RootVolumeSizeGib": 80, "ComputeTypeName": "STANDARD", "Protocols": ["PCOIP"],
        "OperatingSystemName": "WINDOWS_SERVER_2019"}
    assert doc["WorkspaceName"] == "desk" and "Unknown" not in doc


def test_a_new_workspace_without_a_running_mode_is_always_on():
    doc = workspaces.new_workspace(directory_id="d-1234567890", subnet_ids=None, user_name="ann", bundle=BUNDLE,
                                   properties={}, now=0.0, provision_seconds=0.0)
    assert doc["WorkspaceProperties"]["RunningMode"] == "ALWAYS_ON"
    assert "RunningModeAutoStopTimeoutInMinutes" not in doc["WorkspaceProperties"]


# Standby WorkSpaces ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("properties", "why"), [
    ({"OperatingSystemName": "AMAZON_LINUX_2", "ComputeTypeName": "STANDARD"}, "operating system AMAZON_LINUX_2"),
    ({"OperatingSystemName": "UBUNTU_22_04", "ComputeTypeName": "STANDARD"}, "operating system UBUNTU_22_04"),
    ({"OperatingSystemName": "RHEL_8", "ComputeTypeName": "STANDARD"}, "operating system RHEL_8"),
    ({"OperatingSystemName": "ROCKY_8", "ComputeTypeName": "STANDARD"}, "operating system ROCKY_8"),
    ({"OperatingSystemName": "WINDOWS_SERVER_2022", "ComputeTypeName": "GRAPHICSPRO_G4DN"},
     "compute type GRAPHICSPRO_G4DN"),
    ({"OperatingSystemName": "WINDOWS_SERVER_2022", "ComputeTypeName": "GENERALPURPOSE_4XLARGE"},
     "compute type GENERALPURPOSE_4XLARGE"),
    ({"OperatingSystemName": "WINDOWS_SERVER_2022", "ComputeTypeName": "GENERALPURPOSE_8XLARGE"},
     "compute type GENERALPURPOSE_8XLARGE"),
    ({"OperatingSystemName": "WINDOWS_SERVER_2022", "ComputeTypeName": "GENERALPURPOSE_2XLARGE"}, None),
    ({"OperatingSystemName": "WINDOWS_SERVER_2019", "ComputeTypeName": "POWERPRO"}, None),
])
def test_which_primaries_can_have_a_standby(properties, why):
    assert standby.unsupported_configuration(properties) == why


def test_a_mirrored_bundle_id_is_stable_and_one_per_region_account_and_bundle():
    one = standby.standby_bundle_id("111122223333", "wsb-abcdefghi", "us-west-2")
    assert re.fullmatch(r"wsb-[0-9a-z]{9}", one)
    assert one == standby.standby_bundle_id("111122223333", "wsb-abcdefghi", "us-west-2")
    others = {standby.standby_bundle_id("444455556666", "wsb-abcdefghi", "us-west-2"),
              standby.standby_bundle_id("111122223333", "wsb-bcdefghij", "us-west-2"),
              standby.standby_bundle_id("111122223333", "wsb-abcdefghi", "eu-west-1")}
    assert one not in others and len(others) == 3


HOUR = 3600.0


def standby_doc(mode: str, previous: str, effective_at: float, provisioned_at: float = 0.0, **replication) -> dict:
    return {"_Replication": {"mode": mode, "previous": previous, "effective_at": effective_at, **replication},
            "_ProvisionedAt": provisioned_at}


def test_a_replication_switch_shows_only_once_effective():
    doc = standby_doc("PRIMARY_AS_SOURCE", "NO_REPLICATION", effective_at=100.0)
    assert standby.replication_view(doc, 99.0, "realistic") == {"DataReplication": "NO_REPLICATION"}
    assert standby.replication_view(doc, 100.0, "realistic")["DataReplication"] == "PRIMARY_AS_SOURCE"


def test_recovery_snapshots_come_twelve_hours_apart_after_the_first():
    doc = standby_doc("PRIMARY_AS_SOURCE", "NO_REPLICATION", effective_at=100.0, provisioned_at=50.0)
    first = 100.0 + 12 * HOUR  # the first lands 12 hours after replication is on (realistic timing)
    assert "RecoverySnapshotTime" not in standby.replication_view(doc, first - 1, "realistic")
    assert standby.replication_view(doc, first, "realistic")["RecoverySnapshotTime"] == first
    assert standby.replication_view(doc, first + 12 * HOUR - 1, "realistic")["RecoverySnapshotTime"] == first
    assert standby.replication_view(doc, first + 30 * HOUR, "realistic")["RecoverySnapshotTime"] == first + 24 * HOUR


def test_snapshots_wait_for_the_standby_to_be_provisioned():
    doc = standby_doc("PRIMARY_AS_SOURCE", "NO_REPLICATION", effective_at=100.0, provisioned_at=5000.0)
    assert "RecoverySnapshotTime" not in standby.replication_view(doc, 100.0 + 12 * HOUR, "realistic")
    assert standby.replication_view(doc, 5000.0 + 12 * HOUR, "realistic")["RecoverySnapshotTime"] == 5000.0 + 12 * HOUR


def test_with_instant_timing_the_snapshot_is_always_the_present():
    doc = standby_doc("PRIMARY_AS_SOURCE", "NO_REPLICATION", effective_at=100.0, provisioned_at=50.0)
    assert standby.replication_view(doc, 100.0, "instant")["RecoverySnapshotTime"] == 100.0
    assert standby.replication_view(doc, 7777.5, "instant")["RecoverySnapshotTime"] == 7777.5


def test_switching_replication_off_keeps_the_last_snapshot():
    doc = standby_doc("NO_REPLICATION", "PRIMARY_AS_SOURCE", effective_at=100.0, last_snapshot=42.0)
    assert standby.replication_view(doc, 10 * 24 * HOUR, "realistic") == {
        "DataReplication": "NO_REPLICATION", "RecoverySnapshotTime": 42.0}


def test_standby_failures_use_the_dotted_codes():
    assert standby.failure("exists", id="ws-abcdefghi", region="us-west-2").code == "ResourceExists.WorkSpace"
    assert standby.failure("state", id="ws-abcdefghi", state="PENDING").code == "InvalidResourceState.WorkSpace"
    assert standby.failure("simple_ad").code == "OperationNotSupported.DataReplication"


# Claims and counters ---------------------------------------------------------------------------------------
WORKSPACE = KINDS["workspace"]


def test_a_workspace_holds_its_user_in_its_directory_without_case():
    alice = {"WorkspaceId": "ws-a", "State": "AVAILABLE", "DirectoryId": "d-1", "UserName": "Alice"}
    assert resources.claims(WORKSPACE, alice) == ["user/d-1/alice"]
    assert resources.claims(WORKSPACE, {**alice, "UserName": "ALICE"}) == resources.claims(WORKSPACE, alice)
    assert resources.claims(WORKSPACE, {**alice, "DirectoryId": "d-2"}) != resources.claims(WORKSPACE, alice)


@pytest.mark.parametrize("state", ["TERMINATING", "TERMINATED"])
def test_a_leaving_workspace_gives_up_its_names(state):
    doc = {"WorkspaceId": "ws-a", "State": state, "DirectoryId": "d-1", "UserName": "alice",
           "_Primary": {"Region": "us-east-1", "WorkspaceId": "ws-p"}}
    assert resources.claims(WORKSPACE, doc) == []
    assert resources.claims(WORKSPACE, {**doc, "State": "STOPPED"}) != []


def test_a_standby_holds_its_primary_not_its_user():
    doc = {"WorkspaceId": "ws-s", "State": "PENDING", "DirectoryId": "d-1", "UserName": "alice",
           "_Primary": {"Region": "us-east-1", "WorkspaceId": "ws-p"}}
    assert resources.claims(WORKSPACE, doc) == ["standby-of/us-east-1/ws-p"]


def test_alias_and_directory_names_and_account_links():
    alias = KINDS["connection_alias"]
    assert resources.claims(alias, {"AliasId": "wsca-a", "ConnectionString": "Desk.Example.com"}) == [
        "connection-string/desk.example.com"]
    directory = KINDS["directory"]
    assert resources.claims(directory, {"DirectoryId": "wsd-a", "WorkspaceDirectoryName": "pool-users"}) == [
        "directory-name/pool-users"]
    assert resources.claims(directory, {"DirectoryId": "d-1234567890"}) == []  # an AD directory has no such name
    link = KINDS["account_link"]
    held = {"AccountLinkId": "link-a", "_LinkedAccountId": "111122223333"}
    for status in ("PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT", "LINKED"):
        assert resources.claims(link, {**held, "AccountLinkStatus": status}) == ["account-link/111122223333"]
    for status in ("REJECTED", "DELETED"):
        assert resources.claims(link, {**held, "AccountLinkStatus": status}) == []


def test_kinds_without_a_rule_claim_nothing():
    assert resources.claims(KINDS["ip_group"], {"groupId": "wsipg-a", "groupName": "g"}) == []


def test_a_standby_counts_in_its_tally_too():
    primary = {"WorkspaceId": "ws-p", "State": "AVAILABLE"}
    assert resources.counter_names(WORKSPACE, primary) == ["workspace"]
    assert resources.counter_names(WORKSPACE, {**primary, "_Primary": {}}) == ["workspace", "workspace.standby"]
    assert resources.counter_names(KINDS["ip_group"], {"groupId": "wsipg-a"}) == ["ip_group"]


def test_indexed_columns_come_from_the_kinds_fields():
    doc = {"WorkspaceId": "ws-a", "State": "STOPPED", "DirectoryId": "d-1", "UserName": "ann", "BundleId": "wsb-b",
           "WorkspaceName": "desk"}
    assert resources.column_values(WORKSPACE, doc) == {"state": "STOPPED", "directory_id": "d-1", "user_name": "ann",
                                                       "bundle_id": "wsb-b", "label": "desk"}
    group = {"groupId": "wsipg-a", "groupName": "g", "State": "ignored", "DirectoryId": "ignored"}
    assert resources.column_values(KINDS["ip_group"], group) == {"state": None, "directory_id": None,
                                                                 "user_name": None, "bundle_id": None, "label": "g"}


# The public bundle catalogue --------------------------------------------------------------------------------
def test_a_public_bundle_has_the_models_shape_and_its_hidden_traits():
    catalogue._catalogue.cache_clear()  # built here, so this test runs the builder rather than reading a cache
    catalogue._by_id.cache_clear()
    bundles = catalogue.public_bundles("eu-west-1")
    value = next(b for b in bundles if b["Name"] == "Value with Windows 10 (Server 2019 based)")
    assert {k: v for k, v in value.items() if k not in ("BundleId", "ImageId")} == {
        "Name": "Value with Windows 10 (Server 2019 based)", "Owner": "Amazon",
        "Description": "Value (1 vCPU, 2 GiB memory) with Windows 10 (Server 2019 based)",
        "RootStorage": {"Capacity": "80"}, "UserStorage": {"Capacity": "10"}, "ComputeType": {"Name": "VALUE"},
        "CreationTime": 1672531200.0, "LastUpdatedTime": 1719792000.0, "State": "AVAILABLE", "BundleType": "REGULAR",
        "_OperatingSystem": "WINDOWS_SERVER_2019", "_Protocols": ["PCOIP", "WSP"]}
    assert re.fullmatch(r"wsb-[0-9a-z]{9}", value["BundleId"]) and re.fullmatch(r"wsi-[0-9a-z]{9}", value["ImageId"])
    assert catalogue.public_bundle("eu-west-1", value["BundleId"]) == value
    assert catalogue.public_bundle("eu-west-1", "wsb-000000000") is None
