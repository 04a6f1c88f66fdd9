"""Rules pinned where they break: each limit exactly at it and one past it, and the rules a probe of
deliberately broken changes found no test for (each test names the rule it holds)."""

import pytest
from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.helpers import VPC, code, enable_byol, public_bundle, registered_directory, said
from tests.helpers import describe_workspace as describe
from understudy.domain.errors import AccessDeniedException
from understudy.domain.policy import authorize, parse
from understudy.domain.scope import Scope

P, S = "us-east-1", "us-west-2"
WIN10 = "Standard with Windows 10 (Server 2019 based)"


def _create(client, directory: str, users: list[str], bundle: str | None = None) -> dict:
    bundle = bundle or public_bundle(client, WIN10)
    return client.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": u, "BundleId": bundle}
                                                for u in users])


def test_create_standby_workspaces_takes_exactly_25_items(make_client, make_directory, server):
    east, west = make_client(region=P), make_client(region=S)
    made = _create(east, make_directory(P), [f"user{n}" for n in range(25)])
    assert made["FailedRequests"] == []
    server.advance(3600)
    primaries = [w["WorkspaceId"] for w in made["PendingRequests"]]
    directory = make_directory(S)
    items = [{"PrimaryWorkspaceId": p, "DirectoryId": directory} for p in primaries]
    assert code(west.create_standby_workspaces, PrimaryRegion=P,
                StandbyWorkspaces=items + [items[0]]) == "InvalidParameterValuesException"
    r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=items)
    assert r["FailedStandbyRequests"] == []
    assert len(r["PendingStandbyRequests"]) == 25


def test_a_batch_that_exactly_reaches_the_workspaces_quota_is_accepted(own_server):
    srv = own_server("--clock", "manual", "--timing", "instant", quotas={"workspaces": 3})
    ws = srv.client(key="111122223333")
    directory = registered_directory(srv, srv.client("ds", key="111122223333"), ws)
    assert code(_create, client=ws, directory=directory, users=["a", "b", "c", "d"]) == "ResourceLimitExceededException"
    assert len(_create(ws, directory, ["a", "b", "c"])["PendingRequests"]) == 3
    assert code(_create, client=ws, directory=directory, users=["d"]) == "ResourceLimitExceededException"


def test_the_standby_quota_counts_standbys_only_and_is_reached_exactly(own_server):
    srv = own_server("--clock", "manual", "--timing", "instant", quotas={"standby_workspaces": 1, "workspaces": 2})
    key = "111122223333"
    east, west = srv.client(region=P, key=key), srv.client(region=S, key=key)
    primaries = _create(east, registered_directory(srv, srv.client("ds", region=P, key=key), east), ["a", "b"])
    standby_directory = registered_directory(srv, srv.client("ds", region=S, key=key), west)
    _create(west, standby_directory, ["local"])  # a WorkSpace of the Region that is no standby
    first, second = (p["WorkspaceId"] for p in primaries["PendingRequests"])
    r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": first, "DirectoryId": standby_directory}])
    assert r["FailedStandbyRequests"] == []
    assert said(west.create_standby_workspaces, PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": second, "DirectoryId": standby_directory}]) == (
        "ResourceLimitExceededException",
        "Your request would exceed the standby WorkSpaces quota of this account and Region (1).")
    # Nor does the WorkSpaces quota count the standby: a second WorkSpace of the Region still fits, a third not.
    assert _create(west, standby_directory, ["local2"])["FailedRequests"] == []
    assert code(_create, client=west, directory=standby_directory, users=["local3"]) == "ResourceLimitExceededException"


def test_an_autostop_timeout_must_be_a_multiple_of_60(ws, make_workspace):
    wid = make_workspace(WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    assert code(ws.modify_workspace_properties, WorkspaceId=wid,
                WorkspaceProperties={"RunningModeAutoStopTimeoutInMinutes": 90}) == "InvalidParameterValuesException"
    ws.modify_workspace_properties(WorkspaceId=wid, WorkspaceProperties={"RunningModeAutoStopTimeoutInMinutes": 120})
    assert describe(ws, wid)["WorkspaceProperties"]["RunningModeAutoStopTimeoutInMinutes"] == 120


def test_a_directory_still_registering_refuses_workspaces_as_its_state(ws, make_client, server):
    ds = make_client("ds")
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    server.advance(3600)
    ws.register_workspace_directory(DirectoryId=directory)
    failed = _create(ws, directory, ["alice"])["FailedRequests"]
    assert [f["ErrorCode"] for f in failed] == ["InvalidResourceState.Directory"]
    server.advance(3600)
    assert _create(ws, directory, ["alice"])["FailedRequests"] == []


def test_a_directory_cannot_be_deregistered_while_a_shared_alias_is_associated(ws, make_client, make_directory,
                                                                               account, server):
    owner = make_client(account_id="210987654321" if account != "210987654321" else "210987654322")
    alias_id = owner.create_connection_alias(ConnectionString="desk.example.com")["AliasId"]
    server.advance(60)
    owner.update_connection_alias_permission(
        AliasId=alias_id, ConnectionAliasPermission={"SharedAccountId": account, "AllowAssociation": True})
    directory = make_directory()
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory)
    assert code(ws.deregister_workspace_directory, DirectoryId=directory) == "InvalidResourceStateException"
    ws.disassociate_connection_alias(AliasId=alias_id)
    ws.deregister_workspace_directory(DirectoryId=directory)


def _custom_bundle(ws, os_version: str, name: str, server) -> str:
    image_id = ws.import_custom_workspace_image(
        ImageName=name, ImageDescription="x", ComputeType="BASE", Protocol="DCV", Platform="WINDOWS",
        ImageSource={"Ec2ImageId": "ami-0123456789abcdef0"}, OsVersion=os_version,
        InfrastructureConfigurationArn="arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i",
    )["ImageId"]
    server.advance(3600)
    return ws.create_workspace_bundle(BundleName=name, BundleDescription="x", ImageId=image_id,
                                      ComputeType={"Name": "STANDARD"}, UserStorage={"Capacity": "50"},
                                      RootStorage={"Capacity": "80"})["WorkspaceBundle"]["BundleId"]


def test_migrating_from_windows_11_to_windows_10_is_refused(ws, registered, server):
    enable_byol(ws)
    win11, win11_too, win10 = (_custom_bundle(ws, v, n, server) for v, n in (
        ("Windows_11", "w11"), ("Windows_11", "w11b"), ("Windows_10", "w10")))
    wid = _create(ws, registered, ["alice"], bundle=win11)["PendingRequests"][0]["WorkspaceId"]
    server.advance(3600)
    assert code(ws.migrate_workspace, SourceWorkspaceId=wid, BundleId=win10) == "OperationNotSupportedException"
    assert ws.migrate_workspace(SourceWorkspaceId=wid, BundleId=win11_too)["SourceWorkspaceId"] == wid


def test_terminate_works_from_admin_maintenance(ws, make_workspace):
    wid = make_workspace()
    ws.modify_workspace_state(WorkspaceId=wid, WorkspaceState="ADMIN_MAINTENANCE")
    assert ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wid}])["FailedRequests"] == []
    assert describe(ws, wid)["State"] == "TERMINATING"


def test_a_presigned_request_runs_as_the_account_of_its_credential(ws, make_workspace, server, account):
    wid = make_workspace()
    request = AWSRequest(method="POST", url=server.url + "/", headers={
        "X-Amz-Target": "WorkspacesService.DescribeWorkspaces", "Content-Type": "application/x-amz-json-1.1"})
    SigV4QueryAuth(Credentials(account, "secret"), "workspaces", P, expires=300).add_auth(request)
    assert "X-Amz-Credential=" + account in request.url
    r = server.request("POST", request.url.removeprefix(server.url), headers=dict(request.headers.items()),
                       content=b"{}")
    assert r.status_code == 200, r.text
    assert [w["WorkspaceId"] for w in r.json()["Workspaces"]] == [wid]


@pytest.mark.parametrize("pattern", ["workspaces:Describe", "workspaces:DescribeWorkspace", "workspaces:escribe*",
                                     "workspaces:*Workspace"])
def test_a_policy_action_matches_the_whole_action_name(pattern):
    scope = Scope("123456789012", P)
    with pytest.raises(AccessDeniedException):
        authorize(parse({"policies": {"AKIA1": [{"Effect": "Allow", "Action": pattern}]}}), "AKIA1", scope,
                  "workspaces", "DescribeWorkspaces", {})
    authorize(parse({"policies": {"AKIA1": [{"Effect": "Allow", "Action": "workspaces:Describe*"}]}}), "AKIA1",
              scope, "workspaces", "DescribeWorkspaces", {})


def test_the_clock_applies_every_due_transition_not_one_batch(own_server):
    # No worker in the server, and the summary view applies nothing: what is AVAILABLE after the advance is
    # what the clock change itself applied before answering.
    srv = own_server("--clock", "manual", "--timing", "realistic", "--no-worker")
    ws = srv.client(key="111122223333")
    directory = registered_directory(srv, srv.client("ds", key="111122223333"), ws)
    bundle = public_bundle(ws, WIN10)
    for batch in range(21):  # 525 WorkSpaces: more than a batch of 500 transitions
        r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": f"u{batch}-{n}",
                                              "BundleId": bundle} for n in range(25)])
        assert r["FailedRequests"] == []
    assert srv.admin("GET", "/summary").json()["states"] == {"PENDING": 525}
    srv.advance(3600)
    assert srv.admin("GET", "/summary").json()["states"] == {"AVAILABLE": 525}


def test_another_account_reads_none_of_ours_by_one_id_or_several(ws, make_client, make_workspace, account,
                                                                   registered):
    ours = [make_workspace(user="alice", directory=registered), make_workspace(user="bob", directory=registered)]
    alias = ws.create_connection_alias(ConnectionString="ours.example.com")["AliasId"]
    group = ws.create_ip_group(GroupName="ours")["GroupId"]
    other = make_client(account_id="999988887777" if account != "999988887777" else "999988887776")
    for ids in (ours[:1], ours):
        assert other.describe_workspaces(WorkspaceIds=ids)["Workspaces"] == []
        assert other.describe_workspaces_connection_status(WorkspaceIds=ids)["WorkspacesConnectionStatus"] == []
    assert other.describe_workspace_directories(DirectoryIds=[registered])["Directories"] == []
    assert other.describe_workspace_directories(DirectoryIds=[registered, "d-0000000000"])["Directories"] == []
    assert other.describe_connection_aliases(AliasIds=[alias])["ConnectionAliases"] == []
    assert other.describe_ip_groups(GroupIds=[group])["Result"] == []
    # the same reads answer the owner, so the empty answers above are isolation, not reads that find nothing
    assert sorted(w["WorkspaceId"] for w in ws.describe_workspaces(WorkspaceIds=ours)["Workspaces"]) == sorted(ours)
    assert len(ws.describe_workspaces_connection_status(WorkspaceIds=ours)["WorkspacesConnectionStatus"]) == 2
    assert [d["DirectoryId"] for d in ws.describe_workspace_directories(DirectoryIds=[registered])["Directories"]] \
        == [registered]
    assert [a["AliasId"] for a in ws.describe_connection_aliases(AliasIds=[alias])["ConnectionAliases"]] == [alias]
    assert [g["groupId"] for g in ws.describe_ip_groups(GroupIds=[group])["Result"]] == [group]
