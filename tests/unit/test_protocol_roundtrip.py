"""Every operation of both models, through botocore's own serializer and parser.

A request built by botocore's serializer from model-generated input must parse back to that input;
our serialization of model-generated output must parse back equal through botocore's parser.
"""

import datetime as dt

import pytest
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from understudy.domain import errors
from understudy.protocol import parser, serializer, spec

OPERATIONS = [(s, name) for s in ("workspaces", "ds") for name in spec.operation_names(s)]


def sample(shape, name: str = "value"):
    """A valid value for a shape: enums' first value, minimums honoured, one member of a union."""
    t, m = shape.type_name, shape.metadata
    if t == "structure":
        members = list(shape.members.items())
        if shape.is_tagged_union:
            members = members[:1]
        return {n: sample(s, n) for n, s in members}
    if t == "list":
        return [sample(shape.member, name) for _ in range(max(1, m.get("min", 1)))]
    if t == "map":
        return {sample(shape.key, "mapkey"): sample(shape.value, name)}
    if t == "string":
        if shape.enum:
            return shape.enum[0]
        text = name
        return (text * (m.get("min", 0) // len(text) + 1))[: max(len(text), m.get("min", 0))][: m.get("max", 10**6)]
    if t in ("integer", "long"):
        return int(m.get("min", 1))
    if t in ("float", "double"):
        return float(m.get("min", 1.5))
    if t == "boolean":
        return True
    if t == "timestamp":
        return dt.datetime(2026, 11, 27, 12, 30, tzinfo=dt.UTC)
    if t == "blob":
        return b"\x89PNG bytes"
    raise AssertionError(f"no sample for {t}")


def normalize(value):
    """Timestamps as epoch seconds (naive ones are UTC), containers as plain dicts and lists."""
    if isinstance(value, dt.datetime):
        return (value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp()
    if isinstance(value, dict):
        return {k: normalize(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def test_both_models_are_loaded():
    assert len([o for o in OPERATIONS if o[0] == "workspaces"]) == 91
    assert ("ds", "CreateDirectory") in OPERATIONS


@pytest.mark.parametrize(("service", "name"), OPERATIONS)
def test_request_from_botocore_parses_to_the_same_params(service, name):
    op = spec.operation_model(service, name)
    params = sample(op.input_shape) if op.input_shape else {}
    request = create_serializer("json").serialize_to_request(params, op)
    headers = {k.lower(): v for k, v in request["headers"].items()}
    got_service, got_op, got = parser.parse(headers["x-amz-target"], request["body"] or b"")
    assert (got_service, got_op.name) == (service, name)
    assert normalize(got) == normalize(params)


@pytest.mark.parametrize(("service", "name"), [o for o in OPERATIONS if spec.operation_model(*o).output_shape])
def test_our_response_parses_back_equal_through_botocore(service, name):
    op = spec.operation_model(service, name)
    result = sample(op.output_shape)
    body = serializer.serialize(op, result)
    parsed = create_parser("json").parse({"body": body, "headers": {}, "status_code": 200}, op.output_shape)
    parsed.pop("ResponseMetadata", None)
    assert normalize(parsed) == normalize(result)


def test_errors_parse_with_code_message_and_modelled_members():
    op = spec.operation_model("workspaces", "DescribeWorkspaceSnapshots")
    err = errors.ResourceNotFoundException("The WorkSpace ws-12345678 could not be found.", resource_id="ws-12345678")
    shape = spec.service_model("workspaces").shape_for("ResourceNotFoundException")
    response = {"body": serializer.error_body(err), "headers": serializer.error_headers(err), "status_code": 400}
    parsed = create_parser("json").parse(response, op.output_shape)
    assert parsed["Error"] == {"Code": "ResourceNotFoundException",
                               "Message": "The WorkSpace ws-12345678 could not be found."}
    modelled = create_parser("json").parse(response, shape)
    assert modelled["ResourceId"] == "ws-12345678"


def test_absent_values_and_empty_nested_collections_are_omitted_top_level_lists_kept():
    op = spec.operation_model("workspaces", "DescribeWorkspaces")
    body = serializer.serialize(op, {"Workspaces": [], "NextToken": None})
    assert body == b'{"Workspaces":[]}'
    body = serializer.serialize(op, {"Workspaces": [{"WorkspaceId": "ws-abcdefghi", "RelatedWorkspaces": [],
                                                     "WorkspaceProperties": {}, "_private": 1}]})
    assert body == b'{"Workspaces":[{"WorkspaceId":"ws-abcdefghi"}]}'


def test_timestamps_are_epoch_numbers():
    op = spec.operation_model("workspaces", "DescribeWorkspaceSnapshots")
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    body = serializer.serialize(op, {"RestoreSnapshots": [{"SnapshotTime": when}, {"SnapshotTime": 1767323045.5}]})
    assert body == b'{"RestoreSnapshots":[{"SnapshotTime":1767323045.0},{"SnapshotTime":1767323045.5}]}'
