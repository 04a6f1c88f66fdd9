"""Results and errors to the wire: JSON per the output shape only, errors as `__type` and `message`.

Timestamps are epoch seconds as JSON numbers (the JS SDK throws on strings). Absent values and
empty nested collections are omitted [AWS]; an empty list that the operation returns at the top
level is kept, as AWS does (the AWS CLI's own example of terminate-workspaces prints
`{"FailedRequests": []}`), so `response["Workspaces"]` works on an empty result.
"""

import base64
import datetime as dt

import orjson
from botocore.model import OperationModel, Shape

from understudy.domain.errors import AwsError

CONTENT_TYPE = "application/x-amz-json-1.1"


def serialize(op: OperationModel, result: dict | None) -> bytes:
    shape = op.output_shape
    if shape is None or not result:
        return b"{}"
    out = {}
    for name, member in shape.members.items():
        value = result.get(name)
        if value is None:
            continue
        if member.type_name == "list" and not value:
            out[name] = []
            continue
        encoded = _value(member, value)
        if encoded is not None:
            out[name] = encoded
    return orjson.dumps(out)


def _value(shape: Shape, value: object) -> object:
    t = shape.type_name
    if t == "structure":
        out = {}
        for name, member in shape.members.items():
            v = value.get(name)
            if v is not None:
                encoded = _value(member, v)
                if encoded is not None:
                    out[name] = encoded
        return out or None
    if t == "list":
        items = [e for e in (_value(shape.member, v) for v in value) if e is not None]
        return items or None
    if t == "map":
        return {k: _value(shape.value, v) for k, v in value.items()} or None
    if t == "timestamp":
        return value.timestamp() if isinstance(value, dt.datetime) else float(value)
    if t == "blob":
        return base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return value


def error_body(err: AwsError) -> bytes:
    body = {"__type": err.code, "message": err.message}
    body.update(err.members)
    return orjson.dumps(body)


def error_headers(err: AwsError) -> dict[str, str]:
    return {"x-amzn-ErrorType": err.code, "content-type": CONTENT_TYPE}
