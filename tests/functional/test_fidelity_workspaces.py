"""WorkSpaces rules of docs/workspaces.md "Fidelity of WorkSpaces", through boto3: image creation suspends its
source, the volume pairs and the 6-hour cool-down, the same rules at creation, migration that terminates its source
only when it has finished, what a PENDING WorkSpace does not show yet, and `"ModificationStates": []`."""

from tests.helpers import VPC, code, public_bundle
from tests.helpers import describe_workspace as describe

HOUR = 3600
STANDARD_W10 = "Standard with Windows 10 (Server 2019 based)"
PERFORMANCE_W10 = "Performance with Windows 10 (Server 2019 based)"


def state(ws, wid: str) -> str | None:
    found = describe(ws, wid)
    return found["State"] if found else None


def volumes(ws, wid: str) -> tuple[int, int]:
    props = describe(ws, wid)["WorkspaceProperties"]
    return props["RootVolumeSizeGib"], props["UserVolumeSizeGib"]


def terminate(ws, wid: str) -> list[tuple[str, str]]:
    r = ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])
    return [(f["WorkspaceId"], f["ErrorCode"]) for f in r["FailedRequests"]]


# 1. Image creation -----------------------------------------------------------------------------------------------

def test_image_creation_suspends_the_source_until_the_image_is_available(ws, make_workspace, server):
    wid = make_workspace()
    image_id = ws.create_workspace_image(Name="golden", Description="x", WorkspaceId=wid)["ImageId"]
    assert state(ws, wid) == "SUSPENDED"
    # A SUSPENDED WorkSpace cannot be terminated, nor imaged again.
    assert terminate(ws, wid) == [(wid, "InvalidResourceState.WorkSpace")]
    assert code(ws.create_workspace_image, Name="again", Description="x",
                WorkspaceId=wid) == "InvalidResourceStateException"
    server.advance(1.5)  # the image takes 2 s under fast timing
    assert ws.describe_workspace_images(ImageIds=[image_id])["Images"][0]["State"] == "PENDING"
    assert state(ws, wid) == "SUSPENDED"
    server.advance(0.5)
    assert ws.describe_workspace_images(ImageIds=[image_id])["Images"][0]["State"] == "AVAILABLE"
    assert state(ws, wid) == "AVAILABLE"
    assert terminate(ws, wid) == []


# 2. Volumes in ModifyWorkspaceProperties -------------------------------------------------------------------------

def modify(ws, wid: str, **props):
    return ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties=props)


def refused(ws, wid: str, **props) -> str:
    """The error code ModifyWorkspaceProperties answers (it must fail)."""
    return code(ws.modify_workspace_properties, WorkspaceId=wid, WorkspaceProperties=props)


def test_no_volume_change_in_the_six_hours_after_creation(ws, make_workspace, server):
    wid = make_workspace()  # created, then the clock moved on an hour
    server.advance(5 * HOUR - 1)
    assert refused(ws, wid, UserVolumeSizeGib=100) == "InvalidResourceStateException"
    assert volumes(ws, wid) == (80, 50) and state(ws, wid) == "AVAILABLE"
    # Other properties change at any time.
    modify(ws, wid, RunningMode="AUTO_STOP")
    server.advance(1)  # exactly 6 hours after creation
    modify(ws, wid, UserVolumeSizeGib=100)
    assert state(ws, wid) == "UPDATING"


def test_no_volume_change_in_the_six_hours_after_the_previous_one(ws, make_workspace, server):
    wid = make_workspace()
    server.advance(5 * HOUR)
    modify(ws, wid, UserVolumeSizeGib=100)
    server.advance(6 * HOUR - 1)
    assert state(ws, wid) == "AVAILABLE"
    assert refused(ws, wid, RootVolumeSizeGib=175) == "InvalidResourceStateException"
    server.advance(1)
    modify(ws, wid, RootVolumeSizeGib=175)
    server.advance(5)
    assert volumes(ws, wid) == (175, 100)


def test_root_and_user_volumes_cannot_both_grow_in_one_call(ws, make_workspace, server):
    wid = make_workspace()
    server.advance(6 * HOUR)
    assert refused(ws, wid, RootVolumeSizeGib=175, UserVolumeSizeGib=100) == "InvalidParameterValuesException"
    assert volumes(ws, wid) == (80, 50)
    # Naming a volume at its current size is no change.
    modify(ws, wid, RootVolumeSizeGib=80, UserVolumeSizeGib=100)
    server.advance(5)
    assert volumes(ws, wid) == (80, 100)


def test_volumes_come_in_allowed_pairs_of_at_most_2000_gb(ws, make_workspace, server):
    wid = make_workspace()
    server.advance(6 * HOUR)
    for props in ({"UserVolumeSizeGib": 60},  # root 80 takes user 10, 50 or 100 only
                  {"RootVolumeSizeGib": 175}):  # root 175 needs user 100 at least
        assert refused(ws, wid, **props) == "InvalidParameterValuesException"
    modify(ws, wid, UserVolumeSizeGib=100)  # (80, 100): the largest user volume beside root 80
    server.advance(6 * HOUR)
    assert refused(ws, wid, UserVolumeSizeGib=101) == "InvalidParameterValuesException"
    assert refused(ws, wid, RootVolumeSizeGib=174) == "InvalidParameterValuesException"
    modify(ws, wid, RootVolumeSizeGib=175)  # (175, 100): the smallest large pair
    server.advance(6 * HOUR)
    assert refused(ws, wid, RootVolumeSizeGib=2001) == "InvalidParameterValuesException"
    modify(ws, wid, RootVolumeSizeGib=2000)
    server.advance(6 * HOUR)
    assert refused(ws, wid, UserVolumeSizeGib=2001) == "InvalidParameterValuesException"
    modify(ws, wid, UserVolumeSizeGib=2000)
    server.advance(5)
    assert volumes(ws, wid) == (2000, 2000)


# 3. The same rules in CreateWorkspaces ---------------------------------------------------------------------------

def test_create_checks_volumes_against_the_bundle_and_the_auto_stop_timeout(ws, registered):
    bundle_id = public_bundle(ws, STANDARD_W10)
    bundle = ws.describe_workspace_bundles(BundleIds=[bundle_id])["Bundles"][0]
    assert (bundle["RootStorage"]["Capacity"], bundle["UserStorage"]["Capacity"]) == ("80", "50")
    cases = {
        "root10": ({"RootVolumeSizeGib": 10}, "InvalidParameterValues.VolumeSize"),  # below the bundle's 80
        "root80": ({"RootVolumeSizeGib": 80}, None),
        "user10": ({"UserVolumeSizeGib": 10}, "InvalidParameterValues.VolumeSize"),  # below the bundle's 50
        "user100": ({"UserVolumeSizeGib": 100}, None),
        "root175user50": ({"RootVolumeSizeGib": 175}, "InvalidParameterValues.VolumeSize"),  # no allowed pair
        "root175user100": ({"RootVolumeSizeGib": 175, "UserVolumeSizeGib": 100}, None),
        "root2001": ({"RootVolumeSizeGib": 2001, "UserVolumeSizeGib": 2000}, "InvalidParameterValues.VolumeSize"),
        "root2000": ({"RootVolumeSizeGib": 2000, "UserVolumeSizeGib": 2000}, None),
        "stop90": ({"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 90},
                   "InvalidParameterValues.RunningModeAutoStopTimeoutInMinutes"),
        "stop120": ({"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 120}, None),
    }
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": registered, "UserName": user, "BundleId": bundle_id,
                                          "WorkspaceProperties": props} for user, (props, _) in cases.items()])
    assert sorted(p["UserName"] for p in r["PendingRequests"]) == sorted(u for u, (_, c) in cases.items() if not c)
    assert {f["WorkspaceRequest"]["UserName"]: f["ErrorCode"] for f in r["FailedRequests"]} == {
        u: c for u, (_, c) in cases.items() if c}
    made = {p["UserName"]: p["WorkspaceId"] for p in r["PendingRequests"]}
    assert volumes(ws, made["root2000"]) == (2000, 2000)
    assert describe(ws, made["stop120"])["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120


# 4. Migration ----------------------------------------------------------------------------------------------------

def test_migration_terminates_its_source_only_when_it_has_finished(ws, make_workspace, server):
    source = make_workspace()
    r = ws.migrate_workspace(SourceWorkspaceId=source, BundleId=public_bundle(ws, PERFORMANCE_W10))
    target = r["TargetWorkspaceId"]
    assert (state(ws, source), state(ws, target)) == ("AVAILABLE", "PENDING")
    # Meanwhile the source takes no other action.
    assert terminate(ws, source) == [(source, "OperationInProgress.Migration")]
    assert code(ws.modify_workspace_properties, WorkspaceId=source,
                WorkspaceProperties={"RunningMode": "AUTO_STOP"}) == "InvalidResourceStateException"
    assert code(ws.migrate_workspace, SourceWorkspaceId=source,
                BundleId=public_bundle(ws, PERFORMANCE_W10)) == "OperationInProgressException"
    server.advance(1.5)  # the migration takes 2 s under fast timing
    assert (state(ws, source), state(ws, target)) == ("AVAILABLE", "PENDING")
    server.advance(0.5)
    assert (state(ws, source), state(ws, target)) == ("TERMINATING", "AVAILABLE")
    server.advance(1)
    assert state(ws, source) == "TERMINATED"
    server.advance(2)
    assert state(ws, source) is None and state(ws, target) == "AVAILABLE"


def test_a_stopped_source_stays_stopped_until_the_migration_ends(ws, make_workspace, server):
    source = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": source}])
    server.advance(5)
    target = ws.migrate_workspace(SourceWorkspaceId=source,
                                  BundleId=public_bundle(ws, PERFORMANCE_W10))["TargetWorkspaceId"]
    r = ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": source}])
    assert [f["ErrorCode"] for f in r["FailedRequests"]] == ["OperationInProgress.Migration"]
    assert state(ws, source) == "STOPPED"
    server.advance(2)
    assert (state(ws, source), state(ws, target)) == ("TERMINATING", "AVAILABLE")


def test_terminating_the_target_keeps_the_source(ws, make_workspace, server):
    source = make_workspace()
    directory = describe(ws, source)["DirectoryId"]
    target = ws.migrate_workspace(SourceWorkspaceId=source,
                                  BundleId=public_bundle(ws, PERFORMANCE_W10))["TargetWorkspaceId"]
    assert terminate(ws, target) == []
    server.advance(HOUR)
    assert state(ws, target) is None and state(ws, source) == "AVAILABLE"
    # The source holds its user again, and takes actions again.
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "alice",
                                          "BundleId": public_bundle(ws, STANDARD_W10)}])
    assert [f["ErrorCode"] for f in r["FailedRequests"]] == ["ResourceExists.WorkSpace"]
    assert terminate(ws, source) == []


# 5. What a PENDING WorkSpace does not show yet -------------------------------------------------------------------

NETWORK = ("IpAddress", "ComputerName", "SubnetId")


def test_a_pending_workspace_shows_no_address_name_or_subnet(ws, registered, server):
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": registered, "UserName": "pat",
                                          "BundleId": public_bundle(ws, STANDARD_W10)}])
    pending = r["PendingRequests"][0]
    assert pending["State"] == "PENDING" and not [k for k in NETWORK if k in pending]
    shown = describe(ws, pending["WorkspaceId"])
    assert shown["State"] == "PENDING" and not [k for k in NETWORK if k in shown]
    server.advance(HOUR)
    shown = describe(ws, pending["WorkspaceId"])
    assert shown["State"] == "AVAILABLE"
    assert shown["ComputerName"].startswith("WSAMZN-") and shown["IpAddress"].startswith("10.")
    assert shown["SubnetId"] in VPC["SubnetIds"]
    # Private fields never reach the wire.
    assert not [k for k in shown if k.startswith("_")]


# 6. "ModificationStates": [] -------------------------------------------------------------------------------------

def test_an_idle_workspace_shows_empty_modification_states(ws, make_workspace, server):
    wid = make_workspace(available=False)
    assert describe(ws, wid)["ModificationStates"] == []
    server.advance(HOUR)
    assert describe(ws, wid)["ModificationStates"] == []
    modify(ws, wid, ComputeTypeName="POWER")
    assert describe(ws, wid)["ModificationStates"] == [{"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"}]
    server.advance(5)
    assert describe(ws, wid)["ModificationStates"] == []  # botocore leaves out a member the wire leaves out
    assert ws.describe_workspaces()["Workspaces"][0]["ModificationStates"] == []
