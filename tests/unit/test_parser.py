"""The parser: targets, bodies and JSON types, as AWS's JSON services deserialize them."""

import pytest

from understudy.domain import errors
from understudy.protocol import parser

T = "WorkspacesService.DescribeWorkspaces"


def test_empty_body_is_an_empty_request():
    assert parser.parse(T, b"")[2] == {}
    assert parser.parse(T, b"  {}  ")[2] == {}


def test_the_directory_service_target_is_recognised():
    service, op, params = parser.parse("DirectoryService_20150416.DescribeDirectories", b'{"Limit": 5}')
    assert (service, op.name, params) == ("ds", "DescribeDirectories", {"Limit": 5})


@pytest.mark.parametrize("target", [None, "", "WorkspacesService", "WorkspacesService.Nope", "X.DescribeWorkspaces"])
def test_unknown_targets(target):
    with pytest.raises(errors.UnknownOperationException):
        parser.parse(target, b"{}")


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'"text"', b"{\"Limit\": "])
def test_bodies_that_are_not_a_json_object(body):
    with pytest.raises(errors.SerializationException):
        parser.parse(T, body)


@pytest.mark.parametrize(("body", "message"), [
    (b'{"Limit": "5"}', "STRING_VALUE can not be converted to an Integer"),
    (b'{"Limit": true}', "BOOLEAN_VALUE can not be converted to an Integer"),
    (b'{"DirectoryId": 5}', "NUMBER_VALUE can not be converted to a String"),
    (b'{"WorkspaceIds": "ws-abcdefghi"}', "STRING_VALUE can not be converted to a list"),
    (b'{"WorkspaceIds": [{}]}', "START_OBJECT can not be converted to a String"),
])
def test_wrong_json_types_are_serialization_errors(body, message):
    with pytest.raises(errors.SerializationException) as e:
        parser.parse(T, body)
    assert e.value.message == message


def test_members_the_model_no_longer_has_are_dropped_and_nulls_are_absent():
    params = parser.parse("WorkspacesService.RegisterWorkspaceDirectory",
                          b'{"DirectoryId": "d-1234567890", "EnableWorkDocs": true, "Tenancy": null}')[2]
    assert params == {"DirectoryId": "d-1234567890"}


def test_timestamps_accept_epoch_numbers_and_iso_strings():
    target = "WorkspacesService.DescribeWorkspacesPoolSessions"
    assert parser.parse(target, b'{"PoolId": "wspool-12345678"}')[2] == {"PoolId": "wspool-12345678"}
    op = "DirectoryService_20150416.DescribeSnapshots"
    assert parser.parse(op, b"{}")[2] == {}
