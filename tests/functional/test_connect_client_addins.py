"""Amazon Connect client add-ins of a directory through boto3: one per directory, described with paging,
updated, deleted, and gone with the directory's registration."""

import re

import pytest

from tests.helpers import code

URL = "https://example.my.connect.aws/ccp-v2"


def add_ins(ws, directory_id: str) -> list[dict]:
    return ws.describe_connect_client_add_ins(ResourceId=directory_id)["AddIns"]


def test_an_add_in_is_created_and_described(ws, registered):
    add_in_id = ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)["AddInId"]
    assert re.fullmatch(r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}", add_in_id)
    assert add_ins(ws, registered) == [{"AddInId": add_in_id, "ResourceId": registered, "Name": "Connect",
                                        "URL": URL}]


def test_a_directory_has_one_add_in_only(ws, registered, make_directory):
    ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)
    for name in ("Connect", "Other"):
        assert code(ws.create_connect_client_add_in, ResourceId=registered, Name=name, URL=URL) == \
            "ResourceAlreadyExistsException"
    other = make_directory()
    ws.create_connect_client_add_in(ResourceId=other, Name="Connect", URL=URL)
    assert [a["ResourceId"] for a in add_ins(ws, other)] == [other]
    assert len(add_ins(ws, registered)) == 1


def test_paging_returns_each_add_in_once(ws, registered):
    add_in_id = ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)["AddInId"]
    page = ws.describe_connect_client_add_ins(ResourceId=registered, MaxResults=1)
    assert [a["AddInId"] for a in page["AddIns"]] == [add_in_id] and "NextToken" not in page
    assert code(ws.describe_connect_client_add_ins, ResourceId=registered, NextToken="not a token!") == \
        "InvalidParameterValuesException"


def test_an_add_in_is_updated(ws, registered):
    add_in_id = ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)["AddInId"]
    ws.update_connect_client_add_in(AddInId=add_in_id, ResourceId=registered, Name="Contact centre")
    ws.update_connect_client_add_in(AddInId=add_in_id, ResourceId=registered, URL="https://other.example.com/ccp")
    (add_in,) = add_ins(ws, registered)
    assert (add_in["Name"], add_in["URL"]) == ("Contact centre", "https://other.example.com/ccp")


def test_an_add_in_is_deleted_and_another_can_follow(ws, registered):
    add_in_id = ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)["AddInId"]
    ws.delete_connect_client_add_in(AddInId=add_in_id, ResourceId=registered)
    assert add_ins(ws, registered) == []
    ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)
    assert len(add_ins(ws, registered)) == 1


def test_an_unknown_add_in_is_not_found(ws, registered, make_directory):
    add_in_id = ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)["AddInId"]
    unknown = "00000000-0000-0000-0000-000000000000"
    assert code(ws.update_connect_client_add_in, AddInId=unknown, ResourceId=registered, Name="x") == \
        "ResourceNotFoundException"
    assert code(ws.delete_connect_client_add_in, AddInId=unknown, ResourceId=registered) == \
        "ResourceNotFoundException"
    # The add-in of one directory is not found through another.
    assert code(ws.delete_connect_client_add_in, AddInId=add_in_id, ResourceId=make_directory()) == \
        "ResourceNotFoundException"


@pytest.mark.parametrize("call, kw", [
    ("create_connect_client_add_in", {"Name": "Connect", "URL": URL}),
    ("describe_connect_client_add_ins", {}),
    ("update_connect_client_add_in", {"AddInId": "00000000-0000-0000-0000-000000000000", "Name": "x"}),
    ("delete_connect_client_add_in", {"AddInId": "00000000-0000-0000-0000-000000000000"}),
])
def test_an_unknown_directory_is_not_found(ws, call, kw):
    assert code(getattr(ws, call), ResourceId="d-1234567890", **kw) == "ResourceNotFoundException"


def test_add_ins_go_with_the_registration(ws, registered, server):
    ws.create_connect_client_add_in(ResourceId=registered, Name="Connect", URL=URL)
    ws.deregister_workspace_directory(DirectoryId=registered)
    server.advance(3600)
    ws.register_workspace_directory(DirectoryId=registered)
    server.advance(3600)
    assert add_ins(ws, registered) == []
