"""The parser: targets, bodies and JSON types, as AWS's JSON services deserialize them."""

import datetime as dt

import pytest
from botocore.model import ShapeResolver

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


# Neither model takes a timestamp, a float or a map of its own as input today; a model update may, so the parser reads
# every JSON 1.1 type. These shapes stand in for such a member.
_SHAPES = ShapeResolver({
    "Input": {"type": "structure", "members": {"When": {"shape": "When"}, "Ratio": {"shape": "Ratio"},
                                              "Labels": {"shape": "Labels"}, "Data": {"shape": "Data"}}},
    "When": {"type": "timestamp"}, "Ratio": {"type": "double"}, "Data": {"type": "blob"},
    "Labels": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Key"}}, "Key": {"type": "string"},
})
UTC = dt.UTC


def read(value: dict) -> dict:
    return parser._reader(_SHAPES.get_shape_by_name("Input"))(value)


@pytest.mark.parametrize(("given", "meant"), [
    (1700000000, dt.datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
    (1700000000.5, dt.datetime(2023, 11, 14, 22, 13, 20, 500000, tzinfo=UTC)),
    ("2026-12-07T12:00:00Z", dt.datetime(2026, 12, 7, 12, tzinfo=UTC)),
    ("2026-12-07T12:00:00", dt.datetime(2026, 12, 7, 12, tzinfo=UTC)),
    ("2026-12-07T13:00:00+01:00", dt.datetime(2026, 12, 7, 12, tzinfo=UTC)),
])
def test_timestamps_are_epoch_seconds_or_iso_8601_in_utc_unless_told(given, meant):
    assert read({"When": given})["When"] == meant


@pytest.mark.parametrize(("given", "message"), [
    ({"When": "yesterday"}, "STRING_VALUE can not be converted to a Timestamp"),
    ({"When": True}, "BOOLEAN_VALUE can not be converted to a Timestamp"),
    ({"Ratio": "0.5"}, "STRING_VALUE can not be converted to a Double"),
    ({"Labels": ["a"]}, "START_ARRAY can not be converted to a map"),
    ({"Data": "not base64!"}, "Blob value is not valid base64."),
    ({"Data": 5}, "NUMBER_VALUE can not be converted to a Blob"),
])
def test_other_types_are_checked_too(given, message):
    with pytest.raises(errors.SerializationException) as e:
        read(given)
    assert e.value.message == message


def test_doubles_maps_and_blobs_are_read_as_python_values():
    assert read({"Ratio": 1, "Labels": {"k": "v"}, "Data": "aGk="}) == {"Ratio": 1.0, "Labels": {"k": "v"},
                                                                         "Data": b"hi"}


def test_an_unknown_target_is_echoed_as_the_utf_8_its_client_wrote():
    sent = "WorkspacesService.Déscribe".encode().decode("latin-1")  # as the server reads the header's bytes
    with pytest.raises(errors.UnknownOperationException) as e:
        parser.resolve_target(sent)
    assert "WorkspacesService.Déscribe is not supported" in e.value.message
    with pytest.raises(errors.UnknownOperationException) as e:
        parser.resolve_target(b"WorkspacesService.\xff".decode("latin-1"))  # not UTF-8: shown, not refused again
    assert "WorkspacesService.\ufffd is not supported" in e.value.message


def test_a_long_unknown_target_is_shown_cut_at_100_characters():
    target = "Nope." + "x" * 150
    with pytest.raises(errors.UnknownOperationException) as e:
        parser.parse(target, b"{}")
    assert f"this request's X-Amz-Target is {target[:100]}.... Point only" in e.value.message
    with pytest.raises(errors.UnknownOperationException) as e:
        parser.parse(None, b"{}")
    assert "X-Amz-Target is absent." in e.value.message
