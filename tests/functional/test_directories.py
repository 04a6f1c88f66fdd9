"""WorkSpaces directory registration: register, describe, page, modify settings and deregister."""

import re

import pytest

from tests.helpers import VPC, code, error


@pytest.fixture
def ds(make_client):
    return make_client("ds")


@pytest.fixture
def active(ds, server):
    """A factory of Active Simple AD directories."""

    def make(n: int = 1) -> list[str]:
        ids = [ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                   VpcSettings=VPC)["DirectoryId"] for _ in range(n)]
        server.advance(3)
        return ids

    return make


@pytest.fixture
def registered(ws, active, server):
    """A Simple AD directory registered with WorkSpaces."""
    (directory_id,) = active()
    ws.register_workspace_directory(DirectoryId=directory_id)
    server.advance(2)
    return directory_id


def describe(ws, directory_id: str) -> dict:
    return ws.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"][0]


def pool_directory(ws, name: str) -> str:
    return ws.register_workspace_directory(WorkspaceDirectoryName=name, WorkspaceDirectoryDescription="Pool users",
                                           UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS",
                                           SubnetIds=VPC["SubnetIds"])["DirectoryId"]


def test_registration_goes_registering_then_registered(ws, active, server):
    (directory_id,) = active()
    r = ws.register_workspace_directory(DirectoryId=directory_id)
    assert (r["DirectoryId"], r["State"]) == (directory_id, "REGISTERING")
    assert describe(ws, directory_id)["State"] == "REGISTERING"
    server.advance(2)
    assert describe(ws, directory_id)["State"] == "REGISTERED"


def test_a_registered_simple_ad_directory_is_described_as_aws_does(ws, registered, account):
    d = describe(ws, registered)
    assert (d["DirectoryType"], d["DirectoryName"], d["Alias"]) == ("SIMPLE_AD", "corp.example.com", registered)
    assert d["CustomerUserName"] == "Administrator"
    assert re.fullmatch(r"SLiad\+[A-Z0-9]{6}", d["RegistrationCode"])
    assert d["IamRoleId"] == f"arn:aws:iam::{account}:role/workspaces_DefaultRole"
    assert re.fullmatch(r"sg-[0-9a-f]{17}", d["WorkspaceSecurityGroupId"])
    assert d["SubnetIds"] == VPC["SubnetIds"]
    assert len(d["DnsIpAddresses"]) == 2
    assert d["Tenancy"] == "SHARED"
    assert d["WorkspaceAccessProperties"]["DeviceTypeWindows"] == "ALLOW"
    assert d["WorkspaceAccessProperties"]["DeviceTypeWeb"] == "DENY"
    assert d["SelfservicePermissions"]["RestartWorkspace"] == "ENABLED"
    assert d["SelfservicePermissions"]["RebuildWorkspace"] == "DISABLED"
    assert d["WorkspaceCreationProperties"]["EnableInternetAccess"] is False
    assert (d["UserIdentityType"], d["WorkspaceType"]) == ("AWS_DIRECTORY_SERVICE", "PERSONAL")


def test_the_registration_code_carries_the_region(make_client, server):
    ds, ws = make_client("ds", region="us-west-2"), make_client(region="us-west-2")
    directory_id = ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                       VpcSettings=VPC)["DirectoryId"]
    server.advance(3)
    ws.register_workspace_directory(DirectoryId=directory_id)
    assert describe(ws, directory_id)["RegistrationCode"].startswith("WSpdx+")


def test_an_ad_connector_registers_as_ad_connector_with_its_service_account(ws, ds, server):
    directory_id = ds.connect_directory(Name="corp.example.com", Password="secret", Size="Small", ConnectSettings={
        **VPC, "CustomerDnsIps": ["192.168.0.10", "192.168.0.11"], "CustomerUserName": "svc-connector"})["DirectoryId"]
    server.advance(3)
    ws.register_workspace_directory(DirectoryId=directory_id)
    d = describe(ws, directory_id)
    assert (d["DirectoryType"], d["CustomerUserName"]) == ("AD_CONNECTOR", "svc-connector")
    assert d["DnsIpAddresses"] == ["192.168.0.10", "192.168.0.11"]


def test_registering_a_directory_that_is_not_active_is_refused(ws, ds):
    directory_id = ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                       VpcSettings=VPC)["DirectoryId"]
    refused = error(ws.register_workspace_directory, DirectoryId=directory_id)["Error"]
    assert refused["Code"] == "InvalidResourceStateException"
    assert refused["Message"] == (
        "The specified directory is not in a valid state. Confirm that the directory has a status of Active, "
        "and try again.")


def test_registering_an_unknown_directory_is_refused(ws):
    response = error(ws.register_workspace_directory, DirectoryId="d-0000000000")
    assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", "d-0000000000")


def test_a_directory_in_another_region_is_not_found(make_client, active):
    (directory_id,) = active()
    elsewhere = make_client(region="us-west-2")
    assert code(elsewhere.register_workspace_directory, DirectoryId=directory_id) == "ResourceNotFoundException"


def test_registering_twice_is_refused(ws, registered):
    assert code(ws.register_workspace_directory, DirectoryId=registered) == "ResourceAlreadyExistsException"


def test_subnets_must_be_two_distinct_ones(ws, active):
    (directory_id,) = active()
    same = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]
    answer = code(ws.register_workspace_directory, DirectoryId=directory_id, SubnetIds=same)
    assert answer == "OperationNotSupportedException"


def test_dedicated_tenancy_needs_a_byol_account(ws, active):
    first, second = active(2)
    answer = code(ws.register_workspace_directory, DirectoryId=first, Tenancy="DEDICATED")
    assert answer == "InvalidParameterValuesException"
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    ws.register_workspace_directory(DirectoryId=second, Tenancy="DEDICATED")
    assert describe(ws, second)["Tenancy"] == "DEDICATED"


def test_tags_given_at_registration_are_kept(ws, active):
    (directory_id,) = active()
    ws.register_workspace_directory(DirectoryId=directory_id, Tags=[{"Key": "team", "Value": "desktops"}])
    assert ws.describe_tags(ResourceId=directory_id)["TagList"] == [{"Key": "team", "Value": "desktops"}]


def test_reserved_tag_keys_are_refused(ws, active):
    (directory_id,) = active()
    answer = code(ws.register_workspace_directory, DirectoryId=directory_id, Tags=[{"Key": "aws:x", "Value": "y"}])
    assert answer == "InvalidParameterValuesException"


def test_enable_self_service_turns_on_the_self_service_capabilities(ws, active):
    (directory_id,) = active()
    ws.register_workspace_directory(DirectoryId=directory_id, EnableSelfService=True)
    permissions = describe(ws, directory_id)["SelfservicePermissions"]
    assert permissions["RebuildWorkspace"] == permissions["ChangeComputeType"] == "ENABLED"


def test_a_pools_directory_is_registered_by_name(ws, server):
    directory_id = pool_directory(ws, "pool-users")
    assert re.fullmatch(r"wsd-[0-9a-z]{8,63}", directory_id)
    server.advance(2)
    d = ws.describe_workspace_directories(WorkspaceDirectoryNames=["pool-users"])["Directories"][0]
    assert (d["DirectoryId"], d["State"], d["DirectoryType"]) == (directory_id, "REGISTERED", "CUSTOMER_MANAGED")
    assert (d["WorkspaceType"], d["UserIdentityType"]) == ("POOLS", "CUSTOMER_MANAGED")


def test_a_managed_directory_shows_the_settings_it_was_given(ws):
    config = {"DomainName": "corp.example.com",
              "ServiceAccountSecretArn": "arn:aws:secretsmanager:us-east-1:123456789012:secret:svc-AbCdEf"}
    directory_id = ws.register_workspace_directory(
        WorkspaceDirectoryName="ad-pool", WorkspaceDirectoryDescription="Pool users",
        UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS", SubnetIds=VPC["SubnetIds"],
        ActiveDirectoryConfig=config)["DirectoryId"]
    d = describe(ws, directory_id)
    assert (d["ActiveDirectoryConfig"], d["WorkspaceDirectoryDescription"]) == (config, "Pool users")


def test_an_identity_center_directory_needs_its_instance(ws):
    answer = code(ws.register_workspace_directory, WorkspaceDirectoryName="idc-users",
                  UserIdentityType="AWS_IAM_IDENTITY_CENTER")
    assert answer == "InvalidParameterValuesException"
    arn = "arn:aws:sso:::instance/ssoins-1234567890abcdef"
    directory_id = ws.register_workspace_directory(WorkspaceDirectoryName="idc-users", IdcInstanceArn=arn,
                                                   UserIdentityType="AWS_IAM_IDENTITY_CENTER")["DirectoryId"]
    d = describe(ws, directory_id)
    assert (d["DirectoryType"], d["IDCConfig"]["InstanceArn"]) == ("AWS_IAM_IDENTITY_CENTER", arn)
    assert d["WorkspaceType"] == "PERSONAL"  # when not given


def test_a_registration_with_neither_id_nor_identity_type_is_refused(ws):
    answer = code(ws.register_workspace_directory, WorkspaceDirectoryName="nameless")
    assert answer == "ValidationException"


def test_directory_names_are_unique(ws):
    pool_directory(ws, "pool-users")
    assert code(pool_directory, ws=ws, name="pool-users") == "ResourceAlreadyExistsException"


def test_the_registered_directories_quota_is_enforced(ws):
    # Only WorkSpaces-managed directories can reach it: Directory Service stops at the same 50 first.
    for i in range(50):
        pool_directory(ws, f"pool-{i}")
    assert code(pool_directory, ws=ws, name="pool-50") == "ResourceLimitExceededException"


def test_filters_select_by_workspace_type(ws, registered):
    pool = pool_directory(ws, "pool-users")
    r = ws.describe_workspace_directories(Filters=[{"Name": "WORKSPACE_TYPE", "Values": ["POOLS"]}])
    assert [d["DirectoryId"] for d in r["Directories"]] == [pool]
    r = ws.describe_workspace_directories(Filters=[{"Name": "USER_IDENTITY_TYPE", "Values": ["AWS_DIRECTORY_SERVICE"]}])
    assert [d["DirectoryId"] for d in r["Directories"]] == [registered]


def test_unknown_ids_give_an_empty_list(ws):
    assert ws.describe_workspace_directories(DirectoryIds=["d-0000000000"])["Directories"] == []


def test_paging_returns_each_directory_exactly_once(ws):
    created = {pool_directory(ws, f"pool-{i}") for i in range(7)}
    pages = [ws.describe_workspace_directories(Limit=3)]
    while "NextToken" in pages[-1]:
        pages.append(ws.describe_workspace_directories(Limit=3, NextToken=pages[-1]["NextToken"]))
    seen = [d["DirectoryId"] for p in pages for d in p["Directories"]]
    assert [len(p["Directories"]) for p in pages] == [3, 3, 1]
    assert sorted(seen) == sorted(created)


def test_a_bad_next_token_is_refused(ws):
    assert code(ws.describe_workspace_directories, NextToken="%%%") == "InvalidParameterValuesException"


def test_deregistration_goes_deregistering_then_gone(ws, ds, registered, server):
    ws.deregister_workspace_directory(DirectoryId=registered)
    assert describe(ws, registered)["State"] == "DEREGISTERING"
    server.advance(2)
    assert ws.describe_workspace_directories(DirectoryIds=[registered])["Directories"] == []
    ds.delete_directory(DirectoryId=registered)


def test_deregistering_a_directory_with_workspaces_is_refused(ws, registered, make_workspace):
    make_workspace(directory=registered)
    assert code(ws.deregister_workspace_directory, DirectoryId=registered) == "OperationNotSupportedException"
    assert describe(ws, registered)["State"] == "REGISTERED"


def test_deregistering_while_registering_is_refused(ws, active):
    (directory_id,) = active()
    ws.register_workspace_directory(DirectoryId=directory_id)
    answer = code(ws.deregister_workspace_directory, DirectoryId=directory_id)
    assert answer == "InvalidResourceStateException"


def test_deregistering_an_unknown_directory_is_refused(ws):
    assert code(ws.deregister_workspace_directory, DirectoryId="d-0000000000") == "ResourceNotFoundException"


def test_a_directory_can_be_registered_again_after_deregistration(ws, registered, server):
    ws.deregister_workspace_directory(DirectoryId=registered)
    assert code(ws.register_workspace_directory, DirectoryId=registered) == "InvalidResourceStateException"
    server.advance(2)
    assert ws.register_workspace_directory(DirectoryId=registered)["State"] == "REGISTERING"


def test_creation_properties_are_modified_in_place(ws, registered):
    ws.modify_workspace_creation_properties(ResourceId=registered, WorkspaceCreationProperties={
        "EnableInternetAccess": True, "DefaultOu": "OU=WorkSpaces,DC=corp,DC=example,DC=com"})
    props = describe(ws, registered)["WorkspaceCreationProperties"]
    assert props["EnableInternetAccess"] is True
    assert props["DefaultOu"] == "OU=WorkSpaces,DC=corp,DC=example,DC=com"
    assert props["UserEnabledAsLocalAdministrator"] is True


def test_self_service_permissions_are_modified(ws, registered):
    ws.modify_selfservice_permissions(ResourceId=registered, SelfservicePermissions={"RebuildWorkspace": "ENABLED"})
    permissions = describe(ws, registered)["SelfservicePermissions"]
    assert (permissions["RebuildWorkspace"], permissions["RestartWorkspace"]) == ("ENABLED", "ENABLED")


def test_access_properties_are_modified(ws, registered):
    ws.modify_workspace_access_properties(ResourceId=registered, WorkspaceAccessProperties={
        "DeviceTypeWeb": "ALLOW", "DeviceTypeWindows": "DENY"})
    access = describe(ws, registered)["WorkspaceAccessProperties"]
    assert (access["DeviceTypeWeb"], access["DeviceTypeWindows"], access["DeviceTypeOsx"]) == ("ALLOW", "DENY", "ALLOW")


def test_client_properties_live_on_the_directory(ws, registered):
    before = ws.describe_client_properties(ResourceIds=[registered])["ClientPropertiesList"]
    assert before == [{"ResourceId": registered,
                       "ClientProperties": {"ReconnectEnabled": "ENABLED", "LogUploadEnabled": "ENABLED"}}]
    ws.modify_client_properties(ResourceId=registered, ClientProperties={"ReconnectEnabled": "DISABLED"})
    after = ws.describe_client_properties(ResourceIds=[registered])["ClientPropertiesList"][0]["ClientProperties"]
    assert after == {"ReconnectEnabled": "DISABLED", "LogUploadEnabled": "ENABLED"}


@pytest.mark.parametrize("call", ["modify_workspace_creation_properties", "modify_selfservice_permissions",
                                  "modify_workspace_access_properties", "modify_client_properties"])
def test_modifying_an_unknown_directory_is_refused(ws, call):
    field = {"modify_workspace_creation_properties": ("WorkspaceCreationProperties", {"EnableInternetAccess": True}),
             "modify_selfservice_permissions": ("SelfservicePermissions", {"RestartWorkspace": "DISABLED"}),
             "modify_workspace_access_properties": ("WorkspaceAccessProperties", {"DeviceTypeWeb": "ALLOW"}),
             "modify_client_properties": ("ClientProperties", {"ReconnectEnabled": "DISABLED"})}[call]
    response = error(getattr(ws, call), ResourceId="d-0000000000", **{field[0]: field[1]})
    assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", "d-0000000000")


def test_describing_client_properties_of_an_unknown_directory_is_refused(ws, registered):
    answer = code(ws.describe_client_properties, ResourceIds=[registered, "d-0000000000"])
    assert answer == "ResourceNotFoundException"
