"""X-Amz-Target and a JSON body in; the operation's model and its typed parameters out.

Types are checked here, as AWS's JSON services do while deserializing (a wrong type is a
`SerializationException`, not a validation error). Members the model does not have are dropped
silently: old clients still send fields that newer models removed (`EnableWorkDocs`).
"""

import base64
import binascii
import datetime as dt
from collections.abc import Callable
from functools import cache
from typing import Any

import orjson
from botocore.model import OperationModel, Shape

from understudy.domain.errors import SerializationException, UnknownOperationException
from understudy.protocol import spec

_UTC = dt.UTC
# Deeper JSON is refused before the model is consulted: no WorkSpaces input nests beyond ~6 levels,
# and a bound keeps hostile bodies cheap. [CHOSEN; AWS documents no depth limit]
MAX_DEPTH = 64
# At most this many arrays and objects in one body, counted by their opening brackets before decoding
# (C speed; a bracket inside a string counts too, so the bound is generous): the depth walk after
# decoding is then short, whatever the body. The largest input, 25 WorkSpaces of 50 tags each, has
# about 1,500. [CHOSEN]
MAX_CONTAINERS = 20_000
_TYPE_NAMES = {str: "STRING_VALUE", bool: "BOOLEAN_VALUE", int: "NUMBER_VALUE", float: "NUMBER_VALUE",
               list: "START_ARRAY", dict: "START_OBJECT"}


def parse(target: str | None, body: bytes) -> tuple[str, OperationModel, dict[str, Any]]:
    """Returns (botocore service name, operation model, params)."""
    service, op = resolve_target(target)
    containers = body.count(b"[") + body.count(b"{")
    if containers > MAX_CONTAINERS:
        raise SerializationException(f"The body holds more than {MAX_CONTAINERS} JSON arrays and objects.")
    try:
        raw = orjson.loads(body) if body.strip() else {}
    except orjson.JSONDecodeError as e:
        raise SerializationException(f"Body is not valid JSON: {e}") from None
    if not isinstance(raw, dict):
        raise SerializationException("Start of structure or map expected: the body must be a JSON object.")
    # Each level of nesting is a container: a body of fewer than MAX_DEPTH cannot be deeper, and needs no walk.
    if containers > MAX_DEPTH and _deeper_than(raw, MAX_DEPTH):
        raise SerializationException(f"JSON nesting is deeper than {MAX_DEPTH} levels.")
    return service, op, _reader(op.input_shape)(raw) if op.input_shape is not None else {}


def _deeper_than(value: object, limit: int) -> bool:
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in (v.values() if isinstance(v, dict) else v) if isinstance(c, (dict, list)))
    return False


def resolve_target(target: str | None) -> tuple[str, OperationModel]:
    prefix, _, name = (target or "").partition(".")
    service = spec.SERVICES.get(prefix)
    op = spec.operation_model(service, name) if service and name else None
    if service is None:
        raise UnknownOperationException(
            f"Understudy serves WorkSpaces (X-Amz-Target WorkspacesService.*) and Directory Service "
            f"(DirectoryService_20150416.*) over AWS JSON 1.1; this request's X-Amz-Target is "
            f"{_shown_target(target)}. Point only those services' clients at Understudy.")
    if op is None:
        raise UnknownOperationException(f"Operation {_shown_target(target)} is not supported."
                                        + spec.operation_advice(service, name))
    return service, op


def _shown_target(target: str | None) -> str:
    """The X-Amz-Target as its client wrote it. Its bytes were read as Latin-1, HTTP's own, and are shown as
    the UTF-8 clients write (an unknown `Déscribe...` was echoed as `DÃ©scribe...`)."""
    if target is None:
        return "absent"
    text = target.encode("latin-1").decode("utf-8", "replace")
    return text[:100] + "..." if len(text) > 100 else text


def _mismatch(value: object, wanted: str) -> SerializationException:
    got = _TYPE_NAMES.get(type(value), type(value).__name__)
    return SerializationException(f"{got} can not be converted to {wanted}")


Reader = Callable[[Any], Any]


@cache  # shapes come from the cached service models, so each is compiled once per process
def _reader(shape: Shape) -> Reader:
    """A function that takes a decoded JSON value of this shape to its typed value, or raises the
    SerializationException AWS gives. Built once per shape: a request reads no model metadata."""
    t = shape.type_name
    if t == "structure":
        return _structure(shape)
    if t == "list":
        return _list(shape)
    if t == "map":
        return _map(shape)
    return _SCALARS.get(t, _as_is)


def _structure(shape: Shape) -> Reader:
    members: list[tuple[str, Reader]] = []  # filled on first use: a shape may contain itself

    def read(value: object) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise _mismatch(value, "a structure")
        if not members:  # built whole, then set: a thread or a failure never leaves it half-built
            members[:] = [(name, _reader(member)) for name, member in shape.members.items()]
        return {name: reader(value[name]) for name, reader in members if value.get(name) is not None}
    return read


def _list(shape: Shape) -> Reader:
    def read(value: object) -> list[Any]:
        if not isinstance(value, list):
            raise _mismatch(value, "a list")
        item = _reader(shape.member)
        return [item(v) for v in value]
    return read


def _map(shape: Shape) -> Reader:
    def read(value: object) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise _mismatch(value, "a map")
        key, item = _reader(shape.key), _reader(shape.value)
        return {key(k): item(v) for k, v in value.items()}
    return read


def _as_is(value: object) -> object:
    return value


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _mismatch(value, "a String")
    return value


def _boolean(value: object) -> bool:
    if not isinstance(value, bool):
        raise _mismatch(value, "a Boolean")
    return value


def _integer(wanted: str) -> Reader:
    def read(value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _mismatch(value, wanted)
        return value
    return read


def _double(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _mismatch(value, "a Double")
    return float(value)


def _blob(value: object) -> bytes:
    if not isinstance(value, str):
        raise _mismatch(value, "a Blob")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SerializationException("Blob value is not valid base64.") from None


def _timestamp(value: object) -> dt.datetime:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, _UTC)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise _mismatch(value, "a Timestamp") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=_UTC)
    raise _mismatch(value, "a Timestamp")


_SCALARS: dict[str, Reader] = {"string": _string, "boolean": _boolean, "integer": _integer("an Integer"),
                               "long": _integer("a Long"), "float": _double, "double": _double,
                               "timestamp": _timestamp, "blob": _blob}
