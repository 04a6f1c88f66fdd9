"""Connection aliases (cross-Region redirection) through boto3: the clock, the per-Region rules,
association with registered directories, deletion, the quota, paging and sharing with one other account."""

import re

import pytest

from tests.helpers import code, error, other_account, pages


def alias(client, alias_id: str) -> dict:
    (doc,) = client.describe_connection_aliases(AliasIds=[alias_id])["ConnectionAliases"]
    return doc


@pytest.fixture
def created(ws, server, account):
    """create(string, client=ws) -> the id of a CREATED alias. The default string is the test account's own: a
    connection string is reserved to the account that first created it, and tests share a server."""

    def create(string: str | None = None, client=None) -> str:
        string = string or f"desktop.{account}.example.com"
        alias_id = (client or ws).create_connection_alias(ConnectionString=string)["AliasId"]
        server.advance(2)
        return alias_id

    return create


@pytest.fixture
def owner(make_client, account):
    """A second account that owns an alias shared with this test's account."""
    owner_id = other_account(account)
    return owner_id, make_client(account_id=owner_id)


def test_an_alias_goes_creating_then_created(ws, server, account):
    string = f"desktop.{account}.example.com"
    alias_id = ws.create_connection_alias(ConnectionString=string)["AliasId"]
    assert re.fullmatch(r"wsca-[0-9a-z]{9}", alias_id)
    doc = alias(ws, alias_id)
    assert (doc["State"], doc["ConnectionString"], doc["OwnerAccountId"]) == ("CREATING", string, account)
    assert "Associations" not in doc
    server.advance(2)
    assert alias(ws, alias_id)["State"] == "CREATED"


def test_tags_are_kept_and_reserved_keys_refused(ws):
    alias_id = ws.create_connection_alias(ConnectionString="tagged.example.com",
                                          Tags=[{"Key": "team", "Value": "euc"}])["AliasId"]
    assert ws.describe_tags(ResourceId=alias_id)["TagList"] == [{"Key": "team", "Value": "euc"}]
    assert code(ws.create_connection_alias, ConnectionString="other.example.com",
                Tags=[{"Key": "aws:team", "Value": "x"}]) == "InvalidParameterValuesException"


def test_the_same_string_once_in_each_region(make_client, account):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    east.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")
    west.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")
    assert code(east.create_connection_alias, ConnectionString=f"desktop.{account}.example.com") == \
        "ResourceAlreadyExistsException"
    assert code(west.create_connection_alias, ConnectionString=f"Desktop.{account}.Example.com") == \
        "ResourceAlreadyExistsException"


def test_association_before_created_is_refused(ws, make_directory, account):
    directory_id = make_directory()
    alias_id = ws.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")["AliasId"]
    assert code(ws.associate_connection_alias, AliasId=alias_id, ResourceId=directory_id) == \
        "InvalidResourceStateException"


def test_association_with_a_registered_directory(ws, make_directory, created, account):
    directory_id, other_directory = make_directory(), make_directory()
    alias_id = created()
    identifier = ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory_id)["ConnectionIdentifier"]
    assert re.fullmatch(r"[0-9a-f]{20}", identifier)
    assert alias(ws, alias_id)["Associations"] == [{
        "AssociationStatus": "ASSOCIATED_WITH_OWNER_ACCOUNT", "AssociatedAccountId": account,
        "ResourceId": directory_id, "ConnectionIdentifier": identifier}]
    for target in (directory_id, other_directory):
        assert code(ws.associate_connection_alias, AliasId=alias_id, ResourceId=target) == \
            "ResourceAssociatedException"
    ws.disassociate_connection_alias(AliasId=alias_id)
    assert "Associations" not in alias(ws, alias_id)
    again = ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory_id)["ConnectionIdentifier"]
    assert again == identifier
    ws.disassociate_connection_alias(AliasId=alias_id)
    elsewhere = ws.associate_connection_alias(AliasId=alias_id, ResourceId=other_directory)["ConnectionIdentifier"]
    assert elsewhere != identifier  # the identifier belongs to the pair, not the alias alone


def test_association_needs_a_registered_directory_of_this_region(ws, make_directory, created):
    alias_id, west_directory = created(), make_directory("us-west-2")
    for directory_id in ("d-1234567890", west_directory):
        response = error(ws.associate_connection_alias, AliasId=alias_id, ResourceId=directory_id)
        assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", directory_id)


def test_disassociating_an_unassociated_alias_is_refused(ws, created):
    assert code(ws.disassociate_connection_alias, AliasId=created()) == "InvalidResourceStateException"


def test_describe_by_alias_ids_shows_only_those(ws, created, account):
    first, second = created(f"one.{account}.example.com"), created(f"two.{account}.example.com")
    assert [a["AliasId"] for a in ws.describe_connection_aliases(AliasIds=[second])["ConnectionAliases"]] == [second]
    both = ws.describe_connection_aliases(AliasIds=[second, first, "wsca-000000000"])["ConnectionAliases"]
    assert [a["AliasId"] for a in both] == sorted([first, second])


def test_describe_by_resource_id(ws, make_directory, created):
    directory_id = make_directory()
    associated, _ = created("one.example.com"), created("two.example.com")
    ws.associate_connection_alias(AliasId=associated, ResourceId=directory_id)
    found = ws.describe_connection_aliases(ResourceId=directory_id)["ConnectionAliases"]
    assert [a["AliasId"] for a in found] == [associated]
    assert ws.describe_connection_aliases(ResourceId="d-0000000000")["ConnectionAliases"] == []


def test_delete_refused_while_associated_then_gone(ws, make_directory, created, server):
    directory_id, alias_id = make_directory(), created()
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory_id)
    assert code(ws.delete_connection_alias, AliasId=alias_id) == "ResourceAssociatedException"
    ws.disassociate_connection_alias(AliasId=alias_id)
    ws.delete_connection_alias(AliasId=alias_id)
    assert alias(ws, alias_id)["State"] == "DELETING"
    server.advance(2)
    assert ws.describe_connection_aliases(AliasIds=[alias_id])["ConnectionAliases"] == []
    response = error(ws.delete_connection_alias, AliasId=alias_id)
    assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", alias_id)


def test_at_most_twenty_per_region(make_client):
    east = make_client()
    for n in range(20):
        east.create_connection_alias(ConnectionString=f"desk{n}.example.com")
    assert code(east.create_connection_alias, ConnectionString="desk20.example.com") == \
        "ResourceLimitExceededException"
    make_client(region="us-west-2").create_connection_alias(ConnectionString="desk20.example.com")


def test_paging(ws):
    made = sorted(ws.create_connection_alias(ConnectionString=f"page{n}.example.com")["AliasId"] for n in range(7))
    answered = [page["ConnectionAliases"] for page in pages(ws.describe_connection_aliases, Limit=3)]
    seen, sizes = [a["AliasId"] for page in answered for a in page], [len(page) for page in answered]
    assert (seen, sizes) == (made, [3, 3, 1])
    assert code(ws.describe_connection_aliases, NextToken="not a token!") == "InvalidParameterValuesException"


def test_a_shared_alias_is_seen_and_associated_by_the_grantee(ws, owner, created, make_directory, account):
    owner_id, owner_ws = owner
    alias_id = created(client=owner_ws)
    owner_ws.update_connection_alias_permission(
        AliasId=alias_id, ConnectionAliasPermission={"SharedAccountId": account, "AllowAssociation": True})
    permissions = owner_ws.describe_connection_alias_permissions(AliasId=alias_id)
    assert permissions["ConnectionAliasPermissions"] == [{"SharedAccountId": account, "AllowAssociation": True}]
    assert [a["OwnerAccountId"] for a in ws.describe_connection_aliases()["ConnectionAliases"]] == [owner_id]
    directory_id = make_directory()
    identifier = ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory_id)["ConnectionIdentifier"]
    expected = [{"AssociationStatus": "ASSOCIATED_WITH_SHARED_ACCOUNT", "AssociatedAccountId": account,
                 "ResourceId": directory_id, "ConnectionIdentifier": identifier}]
    assert alias(owner_ws, alias_id)["Associations"] == expected
    assert [a["AliasId"] for a in ws.describe_connection_aliases(ResourceId=directory_id)["ConnectionAliases"]] == \
        [alias_id]


def test_unsharing_and_deleting_wait_for_the_grantee(ws, owner, created, make_directory, account):
    _, owner_ws = owner
    alias_id = created(client=owner_ws)
    grant = {"SharedAccountId": account, "AllowAssociation": True}
    owner_ws.update_connection_alias_permission(AliasId=alias_id, ConnectionAliasPermission=grant)
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=make_directory())
    revoke = {**grant, "AllowAssociation": False}
    assert code(owner_ws.update_connection_alias_permission, AliasId=alias_id,
                ConnectionAliasPermission=revoke) == "ResourceAssociatedException"
    assert code(ws.delete_connection_alias, AliasId=alias_id) == "AccessDeniedException"
    ws.disassociate_connection_alias(AliasId=alias_id)
    assert code(owner_ws.delete_connection_alias, AliasId=alias_id) == "InvalidResourceStateException"
    owner_ws.update_connection_alias_permission(AliasId=alias_id, ConnectionAliasPermission=revoke)
    assert ws.describe_connection_aliases()["ConnectionAliases"] == []
    owner_ws.delete_connection_alias(AliasId=alias_id)


def test_one_grantee_per_alias_and_only_the_owner_shares(ws, owner, created, account):
    owner_id, owner_ws = owner
    alias_id = created(client=owner_ws)
    owner_ws.update_connection_alias_permission(
        AliasId=alias_id, ConnectionAliasPermission={"SharedAccountId": account, "AllowAssociation": True})
    second = {"SharedAccountId": other_account(account, owner_id), "AllowAssociation": True}
    assert code(owner_ws.update_connection_alias_permission, AliasId=alias_id,
                ConnectionAliasPermission=second) == "ResourceLimitExceededException"
    assert code(ws.update_connection_alias_permission, AliasId=alias_id,
                ConnectionAliasPermission=second) == "AccessDeniedException"
    assert code(ws.describe_connection_alias_permissions, AliasId=alias_id) == "AccessDeniedException"


def test_the_owner_ends_a_grantee_association_but_not_the_reverse(ws, owner, created, make_directory, account):
    owner_id, owner_ws = owner
    alias_id = created(client=owner_ws)
    owner_ws.update_connection_alias_permission(
        AliasId=alias_id, ConnectionAliasPermission={"SharedAccountId": account, "AllowAssociation": True})
    directory_id = make_directory()
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory_id)
    owner_ws.disassociate_connection_alias(AliasId=alias_id)
    assert ws.describe_connection_aliases(ResourceId=directory_id)["ConnectionAliases"] == []
    owners_directory = make_directory(kind="SimpleAD", account_id=owner_id)
    owner_ws.associate_connection_alias(AliasId=alias_id, ResourceId=owners_directory)
    assert code(ws.disassociate_connection_alias, AliasId=alias_id) == "InvalidResourceStateException"


def test_the_grantee_pages_over_its_own_and_shared_aliases(ws, owner, created, account):
    _, owner_ws = owner
    grant = {"SharedAccountId": account, "AllowAssociation": True}
    expected = [created(f"own{n}.example.com") for n in range(2)]
    for n in range(2):
        shared = created(f"shared{n}.example.com", client=owner_ws)
        owner_ws.update_connection_alias_permission(AliasId=shared, ConnectionAliasPermission=grant)
        expected.append(shared)
    seen = [a["AliasId"] for page in pages(ws.describe_connection_aliases, Limit=1) for a in page["ConnectionAliases"]]
    assert seen == sorted(expected)


def test_an_unshared_account_cannot_see_or_touch_an_alias(ws, make_client, make_directory, created, account):
    alias_id = created()
    stranger = make_client(account_id=other_account(account))
    assert stranger.describe_connection_aliases()["ConnectionAliases"] == []
    assert stranger.describe_connection_aliases(AliasIds=[alias_id])["ConnectionAliases"] == []
    calls = [
        lambda: stranger.associate_connection_alias(AliasId=alias_id, ResourceId="d-1234567890"),
        lambda: stranger.disassociate_connection_alias(AliasId=alias_id),
        lambda: stranger.delete_connection_alias(AliasId=alias_id),
        lambda: stranger.describe_connection_alias_permissions(AliasId=alias_id),
        lambda: stranger.update_connection_alias_permission(
            AliasId=alias_id, ConnectionAliasPermission={"SharedAccountId": account, "AllowAssociation": True}),
    ]
    for call in calls:
        response = error(call)
        assert (response["Error"]["Code"], response["ResourceId"]) == ("ResourceNotFoundException", alias_id)
    assert alias(ws, alias_id)["State"] == "CREATED"


def test_a_directory_with_an_associated_alias_cannot_be_deregistered(ws, make_directory, created):
    directory, alias_id = make_directory(), created()
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory)
    assert code(ws.deregister_workspace_directory, DirectoryId=directory) == "InvalidResourceStateException"
    ws.disassociate_connection_alias(AliasId=alias_id)
    ws.deregister_workspace_directory(DirectoryId=directory)
    assert ws.describe_workspace_directories(DirectoryIds=[directory])["Directories"][0]["State"] == "DEREGISTERING"
