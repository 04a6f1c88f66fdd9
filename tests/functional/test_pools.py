"""WorkSpaces Pools through boto3: creation in a pools directory, the states on the clock (start, stop,
update, terminate), every refusal, describing with filters and pages, sessions, and tags."""

import re

import pytest

from tests.helpers import code, error, pages, public_bundle, said

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


@pytest.fixture
def pools_directory(ws, server):
    """pools_directory(name="pool-users") -> a registered `wsd-` directory for WorkSpaces Pools."""

    def make(name: str = "pool-users", registered: bool = True) -> str:
        directory_id = ws.register_workspace_directory(
            WorkspaceDirectoryName=name, WorkspaceDirectoryDescription="Pool users",
            UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS", SubnetIds=SUBNETS)["DirectoryId"]
        if registered:
            server.advance(2)
        return directory_id

    return make


@pytest.fixture
def windows_bundle(ws) -> str:
    return public_bundle(ws, "Standard with Windows 11 (Server 2022 based)")


@pytest.fixture
def make_pool(ws, server, pools_directory, windows_bundle):
    """make_pool(name, state="STOPPED"|"RUNNING", **extra) -> the id of a pool settled in that state."""
    directory = {}

    def make(name: str = "engineering", state: str = "STOPPED", **extra) -> str:
        if "id" not in directory:
            directory["id"] = pools_directory()
        request = {"PoolName": name, "Description": "Engineering desktops", "BundleId": windows_bundle,
                   "DirectoryId": directory["id"], "Capacity": {"DesiredUserSessions": 5}, **extra}
        pool_id = ws.create_workspaces_pool(**request)["WorkspacesPool"]["PoolId"]
        server.advance(2)
        if state == "RUNNING":
            ws.start_workspaces_pool(PoolId=pool_id)
            server.advance(2)
        return pool_id

    return make


def pool(ws, pool_id: str) -> dict:
    (doc,) = ws.describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"]
    return doc


def state(ws, pool_id: str) -> str:
    return pool(ws, pool_id)["State"]


def test_create_goes_creating_then_stopped(ws, server, account, pools_directory, windows_bundle):
    directory_id = pools_directory()
    created = ws.create_workspaces_pool(PoolName="engineering", Description="Engineering desktops",
                                        BundleId=windows_bundle, DirectoryId=directory_id,
                                        Capacity={"DesiredUserSessions": 10}, Tags=[{"Key": "team", "Value": "eng"}])
    doc = created["WorkspacesPool"]
    assert re.fullmatch(r"wspool-[0-9a-z]{9}", doc["PoolId"])
    assert doc["PoolArn"] == f"arn:aws:workspaces:us-east-1:{account}:workspacespool/{doc['PoolId']}"
    assert (doc["PoolName"], doc["State"], doc["BundleId"], doc["DirectoryId"]) == (
        "engineering", "CREATING", windows_bundle, directory_id)
    assert doc["CapacityStatus"] == {"AvailableUserSessions": 0, "DesiredUserSessions": 10,
                                     "ActualUserSessions": 0, "ActiveUserSessions": 0}
    assert doc["RunningMode"] == "ALWAYS_ON"
    assert doc["ApplicationSettings"] == {"Status": "DISABLED"}
    assert doc["TimeoutSettings"] == {"DisconnectTimeoutInSeconds": 900, "IdleDisconnectTimeoutInSeconds": 900,
                                      "MaxUserDurationInSeconds": 57600}
    assert state(ws, doc["PoolId"]) == "CREATING"
    server.advance(2)
    assert state(ws, doc["PoolId"]) == "STOPPED"
    assert ws.describe_tags(ResourceId=doc["PoolId"])["TagList"] == [{"Key": "team", "Value": "eng"}]


def test_create_takes_settings(ws, account, pools_directory, windows_bundle):
    doc = ws.create_workspaces_pool(
        PoolName="support", Description="Support", BundleId=windows_bundle, DirectoryId=pools_directory(),
        Capacity={"DesiredUserSessions": 0}, RunningMode="AUTO_STOP", ApplicationSettings={"Status": "ENABLED"},
        TimeoutSettings={"IdleDisconnectTimeoutInSeconds": 0, "MaxUserDurationInSeconds": 3600})["WorkspacesPool"]
    assert doc["RunningMode"] == "AUTO_STOP"
    assert doc["ApplicationSettings"] == {"Status": "ENABLED", "SettingsGroup": "support",
                                          "S3BucketName": f"wspool-app-settings-us-east-1-{account}"}
    assert doc["TimeoutSettings"] == {"DisconnectTimeoutInSeconds": 900, "IdleDisconnectTimeoutInSeconds": 0,
                                      "MaxUserDurationInSeconds": 3600}


def test_pool_names_are_unique(ws, make_pool, windows_bundle):
    directory_id = pool(ws, make_pool("engineering"))["DirectoryId"]
    assert code(ws.create_workspaces_pool, PoolName="engineering", Description="Again", BundleId=windows_bundle,
                DirectoryId=directory_id, Capacity={"DesiredUserSessions": 1}) == "ResourceAlreadyExistsException"


def test_create_refusals(ws, make_directory, pools_directory, windows_bundle):
    def create(**kw):
        request = {"PoolName": "p1", "Description": "d", "BundleId": windows_bundle, "DirectoryId": pools,
                   "Capacity": {"DesiredUserSessions": 1}, **kw}
        return code(ws.create_workspaces_pool, **request)

    pools = pools_directory()
    assert create(DirectoryId="wsd-abcdefghi") == "ResourceNotFoundException"
    assert create(DirectoryId=make_directory()) == "InvalidParameterValuesException"  # a PERSONAL directory
    assert create(DirectoryId=pools_directory("not-yet", registered=False)) == "InvalidParameterValuesException"
    assert create(BundleId="wsb-abcdefghi") == "ResourceNotFoundException"
    assert create(BundleId=public_bundle(ws, "Standard with Amazon Linux 2")) == "OperationNotSupportedException"
    assert create(Tags=[{"Key": "aws:owner", "Value": "x"}]) == "InvalidParameterValuesException"
    assert create(TimeoutSettings={"IdleDisconnectTimeoutInSeconds": 30}) == "InvalidParameterValuesException"
    assert create(PoolName="-bad name") == "ValidationException"
    assert ws.describe_workspaces_pools()["WorkspacesPools"] == []


def test_start_and_stop_move_on_the_clock(ws, server, make_pool):
    pool_id = make_pool(state="STOPPED")
    assert code(ws.stop_workspaces_pool, PoolId=pool_id) == "InvalidResourceStateException"
    ws.start_workspaces_pool(PoolId=pool_id)
    assert state(ws, pool_id) == "STARTING"
    assert code(ws.start_workspaces_pool, PoolId=pool_id) == "InvalidResourceStateException"
    server.advance(2)
    doc = pool(ws, pool_id)
    assert doc["State"] == "RUNNING"
    assert doc["CapacityStatus"] == {"AvailableUserSessions": 5, "DesiredUserSessions": 5,
                                     "ActualUserSessions": 5, "ActiveUserSessions": 0}
    assert code(ws.start_workspaces_pool, PoolId=pool_id) == "InvalidResourceStateException"
    ws.stop_workspaces_pool(PoolId=pool_id)
    assert state(ws, pool_id) == "STOPPING"
    server.advance(1)
    assert pool(ws, pool_id)["CapacityStatus"]["ActualUserSessions"] == 0
    assert state(ws, pool_id) == "STOPPED"


def test_a_creating_pool_cannot_start(ws, pools_directory, windows_bundle):
    pool_id = ws.create_workspaces_pool(PoolName="new", Description="d", BundleId=windows_bundle,
                                        DirectoryId=pools_directory(),
                                        Capacity={"DesiredUserSessions": 1})["WorkspacesPool"]["PoolId"]
    for call, action in ((ws.start_workspaces_pool, "start"), (ws.update_workspaces_pool, "be updated"),
                         (ws.terminate_workspaces_pool, "be terminated")):
        assert said(call, PoolId=pool_id) == (
            "InvalidResourceStateException", f"The pool {pool_id} is CREATING; it cannot {action} now.")


def test_unknown_pool(ws):
    for call in (ws.start_workspaces_pool, ws.stop_workspaces_pool, ws.terminate_workspaces_pool,
                 ws.update_workspaces_pool, ws.describe_workspaces_pool_sessions):
        assert code(call, PoolId="wspool-abcdefghi") == "ResourceNotFoundException"


def test_update_shows_updating_then_the_state_it_came_from(ws, server, make_pool):
    pool_id = make_pool(state="RUNNING")
    doc = ws.update_workspaces_pool(PoolId=pool_id, Description="Bigger", Capacity={"DesiredUserSessions": 8},
                                    TimeoutSettings={"DisconnectTimeoutInSeconds": 600})["WorkspacesPool"]
    assert (doc["State"], doc["Description"]) == ("UPDATING", "Bigger")
    assert doc["CapacityStatus"]["ActualUserSessions"] == 8  # a running pool keeps streaming while it updates
    assert doc["TimeoutSettings"]["DisconnectTimeoutInSeconds"] == 600
    assert doc["TimeoutSettings"]["MaxUserDurationInSeconds"] == 57600
    assert code(ws.update_workspaces_pool, PoolId=pool_id, Description="Again") == "OperationInProgressException"
    assert code(ws.stop_workspaces_pool, PoolId=pool_id) == "OperationInProgressException"
    server.advance(1)
    assert state(ws, pool_id) == "RUNNING"


def test_running_mode_changes_only_when_stopped(ws, server, make_pool):
    pool_id = make_pool(state="RUNNING")
    assert code(ws.update_workspaces_pool, PoolId=pool_id, RunningMode="AUTO_STOP") == "InvalidResourceStateException"
    ws.update_workspaces_pool(PoolId=pool_id, RunningMode="ALWAYS_ON")  # unchanged: allowed
    server.advance(1)
    ws.stop_workspaces_pool(PoolId=pool_id)
    server.advance(1)
    ws.update_workspaces_pool(PoolId=pool_id, RunningMode="AUTO_STOP")
    server.advance(1)
    assert (pool(ws, pool_id)["RunningMode"], state(ws, pool_id)) == ("AUTO_STOP", "STOPPED")


def test_update_checks_directory_bundle_and_settings(ws, server, make_pool, make_directory, pools_directory, account):
    pool_id = make_pool()
    assert code(ws.update_workspaces_pool, PoolId=pool_id,
                DirectoryId=make_directory()) == "InvalidParameterValuesException"
    assert code(ws.update_workspaces_pool, PoolId=pool_id, BundleId="wsb-abcdefghi") == "ResourceNotFoundException"
    other = pools_directory("other-users")
    bundle = public_bundle(ws, "Performance with Windows 10 (Server 2019 based)")
    doc = ws.update_workspaces_pool(PoolId=pool_id, DirectoryId=other, BundleId=bundle,
                                    ApplicationSettings={"Status": "ENABLED", "SettingsGroup": "eng"})["WorkspacesPool"]
    assert (doc["DirectoryId"], doc["BundleId"]) == (other, bundle)
    assert doc["ApplicationSettings"] == {"Status": "ENABLED", "SettingsGroup": "eng",
                                          "S3BucketName": f"wspool-app-settings-us-east-1-{account}"}
    server.advance(1)
    doc = ws.update_workspaces_pool(PoolId=pool_id, ApplicationSettings={"Status": "DISABLED"})["WorkspacesPool"]
    assert doc["ApplicationSettings"] == {"Status": "DISABLED"}


def test_terminate_a_stopped_pool(ws, server, make_pool):
    pool_id = make_pool()
    ws.terminate_workspaces_pool(PoolId=pool_id)
    assert state(ws, pool_id) == "DELETING"
    ws.terminate_workspaces_pool(PoolId=pool_id)  # again while deleting: nothing changes
    assert code(ws.start_workspaces_pool, PoolId=pool_id) == "InvalidResourceStateException"
    server.advance(1)
    assert ws.describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"] == []
    assert code(ws.terminate_workspaces_pool, PoolId=pool_id) == "ResourceNotFoundException"


def test_terminate_a_running_pool_stops_it_first(ws, server, make_pool):
    pool_id = make_pool(state="RUNNING")
    ws.terminate_workspaces_pool(PoolId=pool_id)
    assert state(ws, pool_id) == "STOPPING"
    server.advance(1)
    assert state(ws, pool_id) == "DELETING"
    server.advance(1)
    assert ws.describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"] == []


def test_describe_filters_and_pages(ws, make_pool):
    names = ["alpha", "beta", "gamma", "alphabet", "delta"]
    ids = {name: make_pool(name) for name in names}

    def named(**kw):
        return sorted(p["PoolName"] for p in ws.describe_workspaces_pools(**kw)["WorkspacesPools"])

    assert named() == sorted(names)
    assert named(Filters=[{"Name": "PoolName", "Values": ["beta", "delta"], "Operator": "EQUALS"}]) == ["beta", "delta"]
    assert named(Filters=[{"Name": "PoolName", "Values": ["alpha"], "Operator": "NOTEQUALS"}]) == [
        "alphabet", "beta", "delta", "gamma"]
    assert named(Filters=[{"Name": "PoolName", "Values": ["lph"], "Operator": "CONTAINS"}]) == ["alpha", "alphabet"]
    assert named(Filters=[{"Name": "PoolName", "Values": ["lph", "mm"], "Operator": "NOTCONTAINS"}]) == [
        "beta", "delta"]
    assert named(PoolIds=[ids["beta"], "wspool-abcdefghi"]) == ["beta"]
    assert named(PoolIds=[ids["beta"], ids["alpha"]],
                 Filters=[{"Name": "PoolName", "Values": ["alpha"], "Operator": "EQUALS"}]) == ["alpha"]
    seen = []
    for page in pages(ws.describe_workspaces_pools, Limit=2):
        assert len(page["WorkspacesPools"]) <= 2
        seen += [p["PoolId"] for p in page["WorkspacesPools"]]
    assert seen == sorted(ids.values())
    assert code(ws.describe_workspaces_pools, NextToken="not a token!") == "InvalidParameterValuesException"


def test_pools_are_per_account_and_region(ws, make_client, make_pool, account):
    pool_id = make_pool()
    assert make_client(region="us-west-2").describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"] == []
    other = make_client(account_id=str(int(account) + 1).zfill(12)[-12:])
    assert code(other.start_workspaces_pool, PoolId=pool_id) == "ResourceNotFoundException"


def test_a_running_pool_has_no_sessions(ws, make_pool):
    pool_id = make_pool(state="RUNNING")
    assert ws.describe_workspaces_pool_sessions(PoolId=pool_id)["Sessions"] == []
    assert ws.describe_workspaces_pool_sessions(PoolId=pool_id, UserId="alice", Limit=50)["Sessions"] == []
    session = "0123abcd-0123-4567-89ab-0123456789ab"
    unknown = error(ws.terminate_workspaces_pool_session, SessionId=session)
    assert (unknown["Error"]["Code"], unknown["Error"]["Message"], unknown["ResourceId"]) == (
        "ResourceNotFoundException", f"The pool session {session} could not be found.", session)


def test_a_directory_with_a_pool_cannot_be_deregistered(ws, server, make_pool):
    pool_id = make_pool()
    directory = pool(ws, pool_id)["DirectoryId"]
    refused = error(ws.deregister_workspace_directory, DirectoryId=directory)["Error"]
    assert (refused["Code"], refused["Message"]) == (
        "OperationNotSupportedException", "Terminate the pools of this directory before deregistering it.")
    ws.terminate_workspaces_pool(PoolId=pool_id)
    server.advance(3600)
    ws.deregister_workspace_directory(DirectoryId=directory)
    assert ws.describe_workspace_directories(DirectoryIds=[directory])["Directories"][0]["State"] == "DEREGISTERING"


def test_the_pools_quota(own_server, account):
    ws = own_server("--clock", "manual", "--timing", "instant", quotas={"pools": 1}).client(key=account)
    directory_id = ws.register_workspace_directory(
        WorkspaceDirectoryName="pool-users", WorkspaceDirectoryDescription="Pool users",
        UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS", SubnetIds=SUBNETS)["DirectoryId"]
    request = {"Description": "d", "BundleId": public_bundle(ws, "Standard with Windows 11 (Server 2022 based)"),
               "DirectoryId": directory_id, "Capacity": {"DesiredUserSessions": 1}}
    first = ws.create_workspaces_pool(PoolName="first", **request)["WorkspacesPool"]["PoolId"]
    assert code(ws.create_workspaces_pool, PoolName="second", **request) == "ResourceLimitExceededException"
    assert [p["PoolId"] for p in ws.describe_workspaces_pools()["WorkspacesPools"]] == [first]
