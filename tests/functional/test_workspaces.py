"""WorkSpaces through boto3: create, describe and its filters, every lifecycle action and its states."""

import re

import pytest

from tests.helpers import code, error
from tests.helpers import describe_workspace as describe


def state(ws, wid: str) -> str | None:
    found = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    return found[0]["State"] if found else None


def test_create_answers_pending_then_the_clock_makes_it_available(ws, make_directory, make_workspace, server):
    wid = make_workspace(available=False, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    assert state(ws, wid) == "PENDING"
    server.advance(1)
    assert state(ws, wid) == "PENDING"
    server.advance(5)
    found = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]
    assert found["State"] == "AVAILABLE"
    assert found["UserName"] == "alice"
    assert re.fullmatch(r"WSAMZN-[0-9A-F]{8}", found["ComputerName"])  # a NetBIOS name: 15 characters at most
    props = found["WorkspaceProperties"]
    assert props["RunningMode"] == "AUTO_STOP" and props["RunningModeAutoStopTimeoutInMinutes"] == 60
    assert (props["RootVolumeSizeGib"], props["UserVolumeSizeGib"], props["ComputeTypeName"]) == (80, 50, "STANDARD")


def test_realistic_timing_takes_about_twenty_minutes(ws, make_workspace, server):
    server.admin("POST", "/clock", json={"timing": "realistic"})
    wid = make_workspace(available=False)
    server.advance(19 * 60)
    assert state(ws, wid) == "PENDING"
    server.advance(60)
    assert state(ws, wid) == "AVAILABLE"


def test_instant_timing_answers_pending_and_the_next_read_sees_available(ws, make_workspace, server):
    server.admin("POST", "/clock", json={"timing": "instant"})
    wid = make_workspace(available=False)
    assert state(ws, wid) == "AVAILABLE"


def test_running_mode_defaults_to_always_on(ws, make_workspace):
    wid = make_workspace()
    props = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["WorkspaceProperties"]
    assert props["RunningMode"] == "ALWAYS_ON" and "RunningModeAutoStopTimeoutInMinutes" not in props


def test_per_item_failures_and_successes_in_one_batch(ws, make_directory):
    directory = make_directory()
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    r = ws.create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": "bob", "BundleId": bundle},
        {"DirectoryId": "d-0000000000", "UserName": "carol", "BundleId": bundle},
        {"DirectoryId": directory, "UserName": "dave", "BundleId": "wsb-000000000"},
        {"DirectoryId": directory, "UserName": "bob", "BundleId": bundle},
        {"DirectoryId": directory, "UserName": "erin", "BundleId": bundle,
         "Tags": [{"Key": "aws:reserved", "Value": "x"}]},
    ])
    assert [p["UserName"] for p in r["PendingRequests"]] == ["bob"]
    assert r["PendingRequests"][0]["State"] == "PENDING"
    assert [(f["WorkspaceRequest"]["UserName"], f["ErrorCode"]) for f in r["FailedRequests"]] == [
        ("carol", "ResourceNotFound.Directory"), ("dave", "ResourceNotFound.Bundle"),
        ("bob", "ResourceExists.WorkSpace"), ("erin", "InvalidParameterValues.Tags")]
    assert r["FailedRequests"][0]["ErrorMessage"] == (
        "The specified directory could not be found in the specified region.")


def test_a_user_has_one_workspace_per_directory(ws, make_workspace, make_directory):
    directory = make_directory()
    make_workspace(directory=directory, user="frank")
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "frank", "BundleId": bundle}])
    assert r["FailedRequests"][0]["ErrorCode"] == "ResourceExists.WorkSpace"


def test_tags_given_at_creation_are_kept(ws, make_workspace):
    wid = make_workspace(Tags=[{"Key": "team", "Value": "dr"}])
    assert ws.describe_tags(ResourceId=wid)["TagList"] == [{"Key": "team", "Value": "dr"}]


def test_quota_refuses_the_whole_batch(own_server, account):
    ws = own_server("--clock", "manual", quotas={"workspaces": 1}).client(key=account)
    batch = [{"DirectoryId": "d-1234567890", "UserName": u, "BundleId": "wsb-123456789"} for u in ("a", "b")]
    assert code(ws.create_workspaces, Workspaces=batch) == "ResourceLimitExceededException"


def test_describe_unknown_ids_is_an_empty_list(ws):
    assert ws.describe_workspaces(WorkspaceIds=["ws-doesnotexist"])["Workspaces"] == []


@pytest.mark.parametrize("filters", [
    {"WorkspaceIds": ["ws-abcdefghi"], "BundleId": "wsb-abcdefghi"},
    {"DirectoryId": "d-1234567890", "WorkspaceName": "my-desk"},
    {"UserName": "alice"},
])
def test_one_filter_at_a_time(ws, filters):
    assert code(ws.describe_workspaces, **filters) == "InvalidParameterValuesException"


def test_filters_by_directory_user_bundle_and_name(ws, make_directory, make_workspace):
    d1, d2 = make_directory(), make_directory()
    a = make_workspace(directory=d1, user="ann", WorkspaceName="ann-desk")
    b = make_workspace(directory=d1, user="ben", bundle_name="Performance with Windows 10")
    c = make_workspace(directory=d2, user="ann")
    ids = lambda r: sorted(w["WorkspaceId"] for w in r["Workspaces"])  # noqa: E731
    assert ids(ws.describe_workspaces(DirectoryId=d1)) == sorted([a, b])
    assert ids(ws.describe_workspaces(DirectoryId=d1, UserName="ann")) == [a]
    assert ids(ws.describe_workspaces(DirectoryId=d2)) == [c]
    bundle_b = ws.describe_workspaces(WorkspaceIds=[b])["Workspaces"][0]["BundleId"]
    assert ids(ws.describe_workspaces(BundleId=bundle_b)) == [b]
    assert ids(ws.describe_workspaces(WorkspaceName="ann-desk")) == [a]


def test_sixty_workspaces_page_25_at_a_time_each_exactly_once(ws, make_directory, server):
    directory = make_directory()
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    created = []
    for batch in range(3):
        r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": f"user{batch}-{i}",
                                              "BundleId": bundle} for i in range(20)])
        created += [p["WorkspaceId"] for p in r["PendingRequests"]]
    paginator = ws.get_paginator("describe_workspaces")
    pages = list(paginator.paginate(DirectoryId=directory, PaginationConfig={"PageSize": 25}))
    assert [len(p["Workspaces"]) for p in pages] == [25, 25, 10]
    seen = [w["WorkspaceId"] for p in pages for w in p["Workspaces"]]
    assert sorted(seen) == sorted(created) and len(set(seen)) == 60


def test_bad_next_token(ws):
    assert code(ws.describe_workspaces, NextToken="!!!not-a-token") == "InvalidParameterValuesException"


def failed(r) -> list[tuple[str, str]]:
    return [(f["WorkspaceId"], f["ErrorCode"]) for f in r["FailedRequests"]]


def test_stop_and_start_an_autostop_workspace(ws, make_workspace, server):
    wid = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    assert failed(ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])) == []
    assert state(ws, wid) == "STOPPING"
    server.advance(5)
    assert state(ws, wid) == "STOPPED"
    assert failed(ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}])) == []
    assert state(ws, wid) == "STARTING"
    server.advance(5)
    assert state(ws, wid) == "AVAILABLE"


def test_always_on_cannot_be_stopped_or_started(ws, make_workspace):
    wid = make_workspace()
    assert failed(ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])) == [
        (wid, "InvalidResourceState.RunningMode")]
    assert state(ws, wid) == "AVAILABLE"


@pytest.mark.parametrize(("action", "needs"), [
    ("start", "STOPPED"), ("stop", "AVAILABLE"), ("reboot", "AVAILABLE"), ("rebuild", "AVAILABLE")])
def test_actions_refuse_a_pending_workspace(ws, make_workspace, action, needs):
    wid = make_workspace(available=False, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    call = {"start": lambda: ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]),
            "stop": lambda: ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]),
            "reboot": lambda: ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]),
            "rebuild": lambda: ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}])}[action]
    r = call()
    assert failed(r) == [(wid, "InvalidResourceState.WorkSpace")]
    assert needs in r["FailedRequests"][0]["ErrorMessage"]
    assert state(ws, wid) == "PENDING"


def test_start_refuses_an_available_workspace_and_stop_a_stopped_one(ws, make_workspace, server):
    wid = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    assert failed(ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}])) == [
        (wid, "InvalidResourceState.WorkSpace")]
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])
    server.advance(5)
    assert failed(ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])) == [
        (wid, "InvalidResourceState.WorkSpace")]
    assert failed(ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}])) == [
        (wid, "InvalidResourceState.WorkSpace")]


def test_reboot_rebuild_and_restore_come_back_available(ws, make_workspace, server):
    wid = make_workspace()
    for act, transient in [
        (lambda: ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]), "REBOOTING"),
        (lambda: ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}]), "REBUILDING"),
        (lambda: ws.restore_workspace(WorkspaceId=wid), "RESTORING"),
    ]:
        act()
        assert state(ws, wid) == transient
        server.advance(5)
        assert state(ws, wid) == "AVAILABLE"


def test_restore_refuses_a_pending_workspace_and_an_unknown_one(ws, make_workspace):
    wid = make_workspace(available=False)
    assert code(ws.restore_workspace, WorkspaceId=wid) == "OperationNotSupportedException"
    response = error(ws.restore_workspace, WorkspaceId="ws-doesnotexist")
    assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", "ws-doesnotexist")


def test_admin_maintenance_blocks_every_action_but_terminate(ws, make_workspace, server):
    wid = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    ws.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE")
    assert state(ws, wid) == "ADMIN_MAINTENANCE"
    for r in (ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}]),
              ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid}]),
              ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}]),
              ws.rebuild_workspaces(RebuildWorkspaceRequests=[{"WorkspaceId": wid}])):
        assert failed(r) == [(wid, "InvalidResourceState.WorkSpace")]
    assert code(ws.restore_workspace, WorkspaceId=wid) == "OperationNotSupportedException"
    ws.modify_workspace_state(WorkspaceId=wid, WorkspaceState="AVAILABLE")
    assert state(ws, wid) == "AVAILABLE"


def test_modify_state_only_between_available_and_admin_maintenance(ws, make_workspace):
    wid = make_workspace(available=False)
    assert code(ws.modify_workspace_state, WorkspaceId=wid,
                WorkspaceState="ADMIN_MAINTENANCE") == "InvalidResourceStateException"


def test_terminate_shows_terminating_then_terminated_then_vanishes(ws, make_workspace, server):
    wid = make_workspace()
    assert ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
    assert state(ws, wid) == "TERMINATING"
    server.advance(1.5)
    assert state(ws, wid) == "TERMINATED"
    server.advance(5)
    assert state(ws, wid) is None
    # Its tags went with it.
    assert code(ws.describe_tags, ResourceId=wid) == "ResourceNotFoundException"


def test_terminate_works_from_pending_and_twice(ws, make_workspace, server):
    wid = make_workspace(available=False)
    assert ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
    assert ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
    server.advance(60)
    assert state(ws, wid) is None


def test_unknown_ids_fail_per_item(ws):
    r = ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": "ws-doesnotexist"}])
    assert failed(r) == [("ws-doesnotexist", "ResourceNotFound.WorkSpace")]


def test_the_worker_loses_its_compare_and_set_to_a_terminate(ws, make_workspace, server):
    wid = make_workspace(available=False)  # PENDING -> AVAILABLE is scheduled
    ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])
    server.advance(1.5)  # the provisioning transition falls due too, but finds TERMINATING, not PENDING
    assert state(ws, wid) == "TERMINATED"


def test_modify_properties_running_mode_and_volumes(ws, make_workspace, server):
    wid = make_workspace()
    server.advance(6 * 3600)  # no volume change in the 6 hours after creation
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    got = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]
    assert got["State"] == "AVAILABLE" and got["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 60
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"UserVolumeSizeGib": 100})
    got = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]
    assert got["State"] == "UPDATING"
    assert got["ModificationStates"] == [{"Resource": "USER_VOLUME", "State": "UPDATE_IN_PROGRESS"}]
    assert code(ws.modify_workspace_properties, WorkspaceId=wid,
                WorkspaceProperties={"RootVolumeSizeGib": 175}) == "OperationInProgressException"
    server.advance(5)
    got = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]
    assert got["State"] == "AVAILABLE" and got["ModificationStates"] == []
    assert got["WorkspaceProperties"]["UserVolumeSizeGib"] == 100


@pytest.mark.parametrize(("props", "refused"), [
    ({"UserVolumeSizeGib": 10}, "UserVolumeSizeGib can only be increased (from 50)."),
    ({"RootVolumeSizeGib": 50}, "RootVolumeSizeGib can only be increased (from 80)."),
    ({"ComputeTypeName": "POWER", "RootVolumeSizeGib": 175},
     "You can't change the compute type and the volume size of a WorkSpace in the same request."),
    ({"RootVolumeSizeGib": 175, "UserVolumeSizeGib": 100},
     "You can't increase the root volume and the user volume of a WorkSpace at the same time."),
    ({"RunningModeAutoStopTimeoutInMinutes": 60},
     "RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to ALWAYS_ON."),
    ({"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 90},
     "RunningModeAutoStopTimeoutInMinutes must be a multiple of 60."),
])
def test_modify_properties_rules_say_what_is_wrong(ws, make_workspace, props, refused):
    wid = make_workspace()
    answer = error(ws.modify_workspace_properties, WorkspaceId=wid, WorkspaceProperties=props)["Error"]
    assert (answer["Code"], answer["Message"]) == ("InvalidParameterValuesException", refused)
    assert ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["WorkspaceProperties"]["UserVolumeSizeGib"] == 50


def test_volumes_wait_six_hours_after_creation_and_say_how_long(ws, make_workspace, server):
    wid = make_workspace()  # the clock moved an hour past its creation
    answer = error(ws.modify_workspace_properties, WorkspaceId=wid, WorkspaceProperties={"UserVolumeSizeGib": 100})
    assert (answer["Error"]["Code"], answer["Error"]["Message"]) == (
        "InvalidResourceStateException", f"The volumes of the WorkSpace {wid} were created or last changed less than "
                                         "6 hours ago; they can be changed again in 18001 seconds.")
    server.advance(5 * 3600)
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"UserVolumeSizeGib": 100})


def test_modify_properties_shows_what_is_changing_and_changes_only_what_differs(ws, make_workspace, server):
    wid = make_workspace()
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"ComputeTypeName": "POWER"})
    assert describe(ws, wid)["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}]
    server.advance(3600)
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"Protocols": ["WSP"]})
    assert describe(ws, wid)["ModificationStates"] == [{"Resource": "PROTOCOL", "State": "UPDATE_IN_PROGRESS"}]
    server.advance(3600)
    shown = describe(ws, wid)
    assert (shown["WorkspaceProperties"]["ComputeTypeName"], shown["WorkspaceProperties"]["Protocols"]) == (
        "POWER", ["WSP"])
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"Protocols": ["WSP"],
                                                                         "ComputeTypeName": "POWER"})
    assert (describe(ws, wid)["State"], describe(ws, wid)["ModificationStates"]) == ("AVAILABLE", [])


def test_always_on_drops_the_auto_stop_timeout(ws, make_workspace):
    wid = make_workspace()
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={
        "RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120})
    assert describe(ws, wid)["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    assert "RunningModeAutoStopTimeoutInMinutes" not in describe(ws, wid)["WorkspaceProperties"]


def test_modify_properties_needs_available_or_stopped(ws, make_workspace):
    wid = make_workspace(available=False)
    assert code(ws.modify_workspace_properties, WorkspaceId=wid,
                WorkspaceProperties={"RunningMode": "AUTO_STOP"}) == "InvalidResourceStateException"


def test_connection_status_and_snapshots(ws, make_workspace, server):
    wid = make_workspace()
    status = ws.describe_workspaces_connection_status(WorkspaceIds=[wid])["WorkspacesConnectionStatus"]
    assert status[0]["WorkspaceId"] == wid and status[0]["ConnectionState"] == "DISCONNECTED"
    first = ws.describe_workspace_snapshots(WorkspaceId=wid)["RestoreSnapshots"][0]["SnapshotTime"]
    server.advance(12 * 3600)
    later = ws.describe_workspace_snapshots(WorkspaceId=wid)["RestoreSnapshots"][0]["SnapshotTime"]
    assert (later - first).total_seconds() == 12 * 3600


def test_a_start_item_without_an_id_fails_alone(ws, make_workspace, server):
    wid = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])
    server.advance(3600)
    r = ws.start_workspaces(StartWorkspaceRequests=[{}, {"WorkspaceId": wid}])
    assert r["FailedRequests"] == [{"ErrorCode": "InvalidParameterValuesException",
                                    "ErrorMessage": "WorkspaceId is required."}]
