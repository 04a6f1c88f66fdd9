"""Results and errors to the wire: JSON per the output shape only, errors as `__type` and `message`.

Timestamps are epoch seconds as JSON numbers (the JS SDK throws on strings). Absent values and
empty nested collections are omitted [AWS], but for the few AWS shows empty (`_SHOWN_EMPTY`); an
empty list that the operation returns at the top level is kept, as AWS does (the AWS CLI's own
example of terminate-workspaces prints `{"FailedRequests": []}`), so `response["Workspaces"]`
works on an empty result. A structure's members are written in the order its stored value holds them, not
the model's: a JSON object's members have no order, and SDKs read them by name.
"""

import base64
import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson
from botocore.model import OperationModel, Shape

from understudy.domain import ids
from understudy.domain.errors import AwsError

CONTENT_TYPE = "application/x-amz-json-1.1"


def serialize(op: OperationModel, result: dict[str, Any] | None) -> bytes:
    shape = op.output_shape
    if shape is None or not result:
        return b"{}"
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        value = result.get(name)
        if value is None:
            continue
        if member.type_name == "list" and not value:
            out[name] = []
            continue
        enc = _encoder(member)
        encoded = enc(value) if enc is not None else value
        if encoded is not None:
            out[name] = encoded
    return orjson.dumps(out)


Encoder = Callable[[Any], Any]

# Nested lists AWS shows even when empty, by (structure shape, member): an idle WorkSpace's
# `"ModificationStates": []` [AWS, the CLI's describe-workspaces example]. A presenter that leaves one out
# still omits it.
_SHOWN_EMPTY = frozenset({("Workspace", "ModificationStates")})


@cache  # shapes come from the cached service models, so each is compiled once per process
def _encoder(shape: Shape) -> Encoder | None:
    """A function that puts a stored value of this shape on the wire, or None where it goes as it is
    (strings, numbers, booleans). Built once per shape: the walk over the shape is not repeated per value."""
    t = shape.type_name
    if t == "structure":
        return _structure(shape)
    if t == "list":
        return _list(shape)
    if t == "map":
        return _map(shape)
    if t == "timestamp":
        return lambda value: value.timestamp() if isinstance(value, dt.datetime) else float(value)
    if t == "blob":
        return lambda value: base64.b64encode(value).decode() if isinstance(value, bytes) else value
    return None


def _structure(shape: Shape) -> Encoder:
    # Each member's encoder, or None where its value goes as it is; filled on first use, as a shape may
    # contain itself. The value's own keys are walked, not the shape's: a stored document holds a few of
    # a structure's many members (a WorkSpace about a third), and its keys outside the shape are dropped.
    members: dict[str, Encoder | None] = {}
    shown_empty = {member for name, member in _SHOWN_EMPTY if name == shape.name}

    def encode(value: Any) -> Any:
        if not members:  # built whole, then set: a thread or a failure never leaves it half-built
            members.update({name: _encoder(member) for name, member in shape.members.items()})
        out: dict[str, Any] = {}
        for name, v in value.items():
            if v is None or name not in members:
                continue
            enc = members[name]
            if enc is not None:
                v = enc(v) if v or name not in shown_empty else []
                if v is None:
                    continue
            out[name] = v
        return out or None
    return encode


def _list(shape: Shape) -> Encoder:
    def encode(value: Any) -> Any:
        enc = _encoder(shape.member)
        items = [e for e in (map(enc, value) if enc is not None else value) if e is not None]
        return items or None
    return encode


def _map(shape: Shape) -> Encoder:
    def encode(value: Any) -> Any:
        enc = _encoder(shape.value)
        return {k: enc(v) if enc is not None else v for k, v in value.items()} or None
    return encode


def error_body(err: AwsError) -> bytes:
    body: dict[str, object] = {"__type": err.code, "message": err.message}
    body.update(err.members)
    return orjson.dumps(body)


def error_headers(err: AwsError) -> dict[str, str]:
    return {"x-amzn-ErrorType": err.code, "content-type": CONTENT_TYPE}


def refusal_headers(err: AwsError) -> dict[str, str]:
    """An error's headers where the edge refuses a request before the gateway sees it: with a request id of
    its own, as every AWS answer carries one (SDKs show it in the error's ResponseMetadata)."""
    return {**error_headers(err), "x-amzn-RequestId": ids.request_id()}
