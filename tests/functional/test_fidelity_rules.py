"""Fidelity rules through boto3, each as the model or AWS's guides state it: one WorkSpace per user across calls,
DescribeDirectories' empty list, connection strings reserved to one account, BYOL-only management ranges, when a
pool starts, AWS's published bundle ids, and error messages that stay bounded and free of Python reprs."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.helpers import BACKENDS, Server, code, enable_byol, error, fresh_pg_database, other_account, public_bundle

STANDARD = "Standard with Windows 10 (Server 2019 based)"


# 1. One WorkSpace per user and directory, user names without case, across calls -------------------------------

def test_a_user_holds_one_workspace_across_calls_whatever_the_case(ws, registered):
    bundle = public_bundle(ws, STANDARD)
    first = ws.create_workspaces(Workspaces=[{"DirectoryId": registered, "UserName": "alice", "BundleId": bundle}])
    assert not first["FailedRequests"] and len(first["PendingRequests"]) == 1
    second = ws.create_workspaces(Workspaces=[{"DirectoryId": registered, "UserName": "ALICE", "BundleId": bundle}])
    assert second["PendingRequests"] == []
    (failed,) = second["FailedRequests"]
    # The code of a duplicate within one call, too.
    same_call = ws.create_workspaces(Workspaces=[{"DirectoryId": registered, "UserName": u, "BundleId": bundle}
                                                 for u in ("bob", "Bob")])
    (duplicate,) = same_call["FailedRequests"]
    assert failed["ErrorCode"] == duplicate["ErrorCode"] == "ResourceExists.WorkSpace"
    assert len(ws.describe_workspaces(DirectoryId=registered)["Workspaces"]) == 2


# 2. DescribeDirectories with an empty list ----------------------------------------------------------------------

def test_describe_directories_with_an_empty_list_is_refused(make_client, registered):
    ds = make_client("ds")
    assert code(ds.describe_directories, DirectoryIds=[]) == "InvalidParameterException"
    assert [d["DirectoryId"] for d in ds.describe_directories()["DirectoryDescriptions"]] == [registered]


# 3. A connection string is reserved to the account that created it ----------------------------------------------

def test_a_connection_string_is_reserved_to_its_first_account(make_client, account, server):
    string = f"vdi.{account}.example.com"
    other = other_account(account)
    owner_east, owner_west = make_client(), make_client(region="us-west-2")
    other_east, other_west = make_client(account_id=other), make_client(region="us-west-2", account_id=other)
    alias_id = owner_east.create_connection_alias(ConnectionString=string)["AliasId"]
    for client in (other_east, other_west):  # the same Region, another Region, compared without case
        assert code(client.create_connection_alias, ConnectionString=string.upper()) == \
            "ResourceAlreadyExistsException"
    owner_west.create_connection_alias(ConnectionString=string)  # the owner pairs it in another Region
    server.advance(2)
    owner_east.delete_connection_alias(AliasId=alias_id)
    server.advance(3600)
    assert owner_east.describe_connection_aliases(AliasIds=[alias_id])["ConnectionAliases"] == []
    # Reserved even once the owner deleted it, and the owner may create it again.
    assert code(other_east.create_connection_alias, ConnectionString=string) == "ResourceAlreadyExistsException"
    owner_east.create_connection_alias(ConnectionString=string)
    assert other_east.describe_connection_aliases()["ConnectionAliases"] == []


def _race_for_a_string(sides: list, string: str, n: int) -> None:
    """Creates the string n times at once, round-robin over `sides` (clients of two accounts, perhaps of two
    servers each): exactly one create succeeds, and one alias exists afterwards."""

    def create(i: int) -> str:
        try:
            sides[i % len(sides)].create_connection_alias(ConnectionString=string)
            return "created"
        except ClientError as e:
            return e.response["Error"]["Code"]

    with ThreadPoolExecutor(max_workers=n) as pool:
        answers = list(pool.map(create, range(n)))
    assert answers.count("created") == 1
    assert set(answers) == {"created", "ResourceAlreadyExistsException"}
    assert sum(len(side.describe_connection_aliases()["ConnectionAliases"]) for side in sides[:2]) == 1


def test_two_accounts_racing_for_one_string_leave_one_holder(make_client, account):
    sides = [make_client(account_id=a) for a in (account, other_account(account))]
    _race_for_a_string(sides, f"race.{account}.example.com", 10)


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="two servers share one PostgreSQL database")
def test_two_servers_on_one_postgresql_reserve_a_string_once():
    with fresh_pg_database() as db:
        servers = [Server(db, "--timing", "instant").start(), Server(db, "--timing", "instant", "--no-worker").start()]
        try:
            for _ in range(3):
                a = other_account()
                b = other_account(a)
                # a on server 0, b on server 1, a on server 1, b on server 0: both accounts on both servers.
                sides = [servers[0].client(key=a, max_pool_connections=20),
                         servers[1].client(key=b, max_pool_connections=20),
                         servers[1].client(key=a, max_pool_connections=20),
                         servers[0].client(key=b, max_pool_connections=20)]
                _race_for_a_string(sides, f"race.{a}.example.com", 20)
        finally:
            for srv in servers:
                srv.stop()


# 4. ListAvailableManagementCidrRanges only for accounts enabled for BYOL ----------------------------------------

def test_management_ranges_are_only_for_accounts_enabled_for_byol(ws):
    assert code(ws.list_available_management_cidr_ranges,
                ManagementCidrRangeConstraint="10.0.0.0/8") == "AccessDeniedException"
    enable_byol(ws)
    page = ws.list_available_management_cidr_ranges(ManagementCidrRangeConstraint="10.0.0.0/8")
    assert page["ManagementCidrRanges"][0] == "10.0.0.0/16"


# 5. A pool starts from STOPPED in either running mode (docs/evidence.md "Starting and stopping a pool") -----------

def test_a_stopped_pool_starts_in_either_running_mode(ws, server):
    directory = ws.register_workspace_directory(
        WorkspaceDirectoryName="pool-users", WorkspaceDirectoryDescription="Pool users",
        UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS",
        SubnetIds=["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"])["DirectoryId"]
    server.advance(2)
    bundle = public_bundle(ws, "Standard with Windows 11 (Server 2022 based)")
    for mode in ("ALWAYS_ON", "AUTO_STOP"):
        pool_id = ws.create_workspaces_pool(PoolName=f"pool-{mode.lower().replace('_', '-')}", Description="d",
                                            BundleId=bundle, DirectoryId=directory, RunningMode=mode,
                                            Capacity={"DesiredUserSessions": 1})["WorkspacesPool"]["PoolId"]
        server.advance(2)
        ws.start_workspaces_pool(PoolId=pool_id)
        server.advance(3600)
        assert ws.describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"][0]["State"] == "RUNNING"
        assert code(ws.start_workspaces_pool, PoolId=pool_id) == "InvalidResourceStateException"


# 6. AWS's published public bundle ids ----------------------------------------------------------------------------

def test_published_bundle_ids_are_found_in_their_region(make_client, make_directory):
    west = make_client(region="us-west-2")
    (value,) = west.describe_workspace_bundles(BundleIds=["wsb-bh8rsxt14"])["Bundles"]
    assert (value["Name"], value["Owner"], value["ComputeType"], value["RootStorage"], value["UserStorage"]) == (
        "Value with Windows 10 (English)", "Amazon", {"Name": "VALUE"}, {"Capacity": "80"}, {"Capacity": "10"})
    found = west.describe_workspace_bundles(BundleIds=["wsb-df76rqys9", "wsb-b0s22j3d7"])["Bundles"]
    assert {b["BundleId"]: (b["Name"], b["ComputeType"]["Name"], b["UserStorage"]["Capacity"]) for b in found} == {
        "wsb-df76rqys9": ("Value with Windows 10 and Office 2016", "VALUE", "10"),
        "wsb-b0s22j3d7": ("Performance with Windows 7", "PERFORMANCE", "100")}
    listed = {b["BundleId"] for page in west.get_paginator("describe_workspace_bundles").paginate(Owner="AMAZON")
              for b in page["Bundles"]}
    assert {"wsb-bh8rsxt14", "wsb-df76rqys9", "wsb-b0s22j3d7"} <= listed
    # A script naming it creates a WorkSpace there, as Terraform's acceptance tests do.
    created = west.create_workspaces(Workspaces=[{"DirectoryId": make_directory("us-west-2"), "UserName": "jdoe",
                                                  "BundleId": "wsb-bh8rsxt14"}])
    assert not created["FailedRequests"] and created["PendingRequests"][0]["BundleId"] == "wsb-bh8rsxt14"
    # Public bundle ids belong to a Region.
    assert make_client().describe_workspace_bundles(BundleIds=["wsb-bh8rsxt14"])["Bundles"] == []


# 7. Error messages stay bounded and never hold Python reprs ------------------------------------------------------

def _message(call, **kw) -> str:
    response = error(call, **kw)
    assert response["Error"]["Code"] == "ValidationException"
    return response["Error"]["Message"]


def test_a_long_bad_value_gives_a_short_message_without_python_reprs(ws):
    # 26 filters (at most 25), each holding a list: once shown as "[{'Name': 'PoolName', 'Values': ['x...'], ...".
    filters = [{"Name": "PoolName", "Values": ["x" * 120, "yy"], "Operator": "EQUALS"}] * 26
    message = _message(ws.describe_workspaces_pools, Filters=filters)
    assert message.startswith("1 validation error detected: Value '[{Name=PoolName, Values=[xxxx")
    assert "...' at 'filters' failed to satisfy constraint: Member must have length less than or equal to 25" \
        in message
    assert len(message) < 400
    for repr_mark in ("['", "{'", "':"):
        assert repr_mark not in message
    long_id = _message(ws.describe_workspaces, WorkspaceIds=["ws-abcdefghi"] * 5000)
    assert len(long_id) < 400 and "['" not in long_id
    enum = _message(ws.modify_workspace_state, WorkspaceId="ws-abcdefghi", WorkspaceState="B" * 5000)
    assert len(enum) < 400 and "[AVAILABLE, ADMIN_MAINTENANCE]" in enum


def test_many_failures_are_counted_and_only_the_first_listed(ws):
    items = [{"DirectoryId": "x" * 10, "UserName": "u", "BundleId": "y" * 10} for _ in range(25)]
    message = _message(ws.create_workspaces, Workspaces=items)  # two patterns broken in each of 25 items
    assert message.startswith("50 validation errors detected: ")
    assert message.count("failed to satisfy constraint") == 10
    assert len(message) < 3000 and "['" not in message


def test_a_reservation_survives_export_and_import(own_server):
    srv = own_server("--clock", "manual", "--timing", "instant")
    owner, other = srv.client(key="111122223333"), srv.client(key="444455556666")
    alias_id = owner.create_connection_alias(ConnectionString="kept.example.com")["AliasId"]
    owner.create_connection_alias(ConnectionString="live.example.com")
    srv.advance(60)
    owner.delete_connection_alias(AliasId=alias_id)
    srv.advance(3600)  # gone: only the reservation is left of it
    state = srv.admin("GET", "/state").json()
    srv.admin("POST", "/reset", json={})
    assert srv.admin("PUT", "/state", json=state).status_code == 200
    for string in ("kept.example.com", "LIVE.example.com"):
        assert code(other.create_connection_alias, ConnectionString=string) == "ResourceAlreadyExistsException"
    reserved = [row for row in state["tables"]["claims"] if row["account_id"] == "*"]
    reserved[0]["resource_id"] = "not an account"
    r = srv.admin("PUT", "/state", json=state)
    assert (r.status_code, r.json()["error"]) == (400, "InvalidSnapshot")
