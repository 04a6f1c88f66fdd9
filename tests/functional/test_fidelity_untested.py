"""Refusals the handlers already made but no test pinned (docs/fidelity.md, once "Untested"): each asserts the
error code through boto3 and, where the call could have changed something, that nothing changed."""

import pytest

from tests.helpers import VPC, code, other_account, public_bundle

BAD_TOKEN = "not-a-token!"
SUBNETS = ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]


@pytest.fixture
def ds(make_client):
    return make_client("ds")


@pytest.fixture
def stopped_pool(ws, server) -> str:
    """A STOPPED pool on a Windows bundle in a registered pools directory."""
    directory_id = ws.register_workspace_directory(
        WorkspaceDirectoryName="pool-users", WorkspaceDirectoryDescription="Pool users",
        UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS", SubnetIds=SUBNETS)["DirectoryId"]
    server.advance(2)
    pool_id = ws.create_workspaces_pool(
        PoolName="engineering", Description="Engineering desktops", DirectoryId=directory_id,
        BundleId=public_bundle(ws, "Standard with Windows 11 (Server 2022 based)"),
        Capacity={"DesiredUserSessions": 5})["WorkspacesPool"]["PoolId"]
    server.advance(2)
    return pool_id


def pool(ws, pool_id: str) -> dict:
    (doc,) = ws.describe_workspaces_pools(PoolIds=[pool_id])["WorkspacesPools"]
    return doc


# Bad NextTokens: InvalidParameterValuesException from the shared token decoder (operations/paging.py).

def test_describe_application_associations_refuses_a_bad_next_token(ws):
    application_id = ws.describe_applications()["Applications"][0]["ApplicationId"]
    assert code(ws.describe_application_associations, ApplicationId=application_id,
                AssociatedResourceTypes=["WORKSPACE"], NextToken=BAD_TOKEN) == "InvalidParameterValuesException"


def test_describe_workspaces_connection_status_refuses_a_bad_next_token(ws):
    assert code(ws.describe_workspaces_connection_status, NextToken=BAD_TOKEN) == "InvalidParameterValuesException"


def test_describe_workspaces_pool_sessions_refuses_a_bad_next_token(ws, stopped_pool):
    assert code(ws.describe_workspaces_pool_sessions, PoolId=stopped_pool,
                NextToken=BAD_TOKEN) == "InvalidParameterValuesException"


# UpdateConnectionAliasPermission

def test_sharing_an_alias_with_its_own_account_is_refused(ws, server, account):
    alias_id = ws.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")["AliasId"]
    server.advance(2)
    assert code(ws.update_connection_alias_permission, AliasId=alias_id, ConnectionAliasPermission={
        "SharedAccountId": account, "AllowAssociation": True}) == "InvalidParameterValuesException"
    assert ws.describe_connection_alias_permissions(AliasId=alias_id)["ConnectionAliasPermissions"] == []


def test_an_alias_that_is_not_created_cannot_be_shared(ws, server, account):
    alias_id = ws.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")["AliasId"]
    assert ws.describe_connection_aliases(AliasIds=[alias_id])["ConnectionAliases"][0]["State"] == "CREATING"
    grantee = other_account(account)
    assert code(ws.update_connection_alias_permission, AliasId=alias_id, ConnectionAliasPermission={
        "SharedAccountId": grantee, "AllowAssociation": True}) == "InvalidResourceStateException"
    server.advance(2)
    assert ws.describe_connection_alias_permissions(AliasId=alias_id)["ConnectionAliasPermissions"] == []


# ModifyAccount

def test_enabling_dedicated_tenancy_twice_is_refused(ws):
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    before = ws.describe_account_modifications()["AccountModifications"]
    assert code(ws.modify_account, DedicatedTenancySupport="ENABLED") == "InvalidResourceStateException"
    assert ws.describe_account_modifications()["AccountModifications"] == before
    r = ws.describe_account()
    assert (r["DedicatedTenancySupport"], r["DedicatedTenancyManagementCidrRange"]) == ("ENABLED", "10.0.0.0/16")


# UpdateWorkspacesPool

def test_a_pool_cannot_move_to_a_bundle_that_is_not_windows(ws, stopped_pool):
    before = pool(ws, stopped_pool)["BundleId"]
    linux = public_bundle(ws, "Standard with Amazon Linux 2")
    assert code(ws.update_workspaces_pool, PoolId=stopped_pool, BundleId=linux) == "OperationNotSupportedException"
    doc = pool(ws, stopped_pool)
    assert (doc["BundleId"], doc["State"]) == (before, "STOPPED")


# ds CreateMicrosoftAD and ConnectDirectory

def microsoft_ad(ds, **vpc) -> str:
    return ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!",
                                  VpcSettings={**VPC, **vpc})["DirectoryId"]


def ad_connector(ds, **connect) -> str:
    return ds.connect_directory(Name="corp.example.com", Password="secret", Size="Small", ConnectSettings={
        **VPC, "CustomerDnsIps": ["10.0.0.10"], "CustomerUserName": "Admin", **connect})["DirectoryId"]


@pytest.mark.parametrize("create", [microsoft_ad, ad_connector], ids=["CreateMicrosoftAD", "ConnectDirectory"])
def test_directory_creation_is_refused_over_the_quota(own_server, account, create):
    ds = own_server("--clock", "manual", quotas={"directories": 1}).client("ds", key=account)
    first = create(ds)
    assert code(create, ds=ds) == "DirectoryLimitExceededException"
    assert [d["DirectoryId"] for d in ds.describe_directories()["DirectoryDescriptions"]] == [first]


@pytest.mark.parametrize("create", [microsoft_ad, ad_connector], ids=["CreateMicrosoftAD", "ConnectDirectory"])
def test_directory_creation_needs_two_distinct_subnets(ds, create):
    same = [VPC["SubnetIds"][0]] * 2
    assert code(create, ds=ds, SubnetIds=same) == "InvalidParameterException"
    assert ds.describe_directories()["DirectoryDescriptions"] == []
