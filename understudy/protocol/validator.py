"""Parameters against the model's constraints, reported the way AWS's services report them.

Checks what botocore's client skips as well as what it checks: required members, string and
list lengths, number ranges, enums and patterns. Every failure is collected and raised at once:
`1 validation error detected: Value 'x' at 'primaryRegion' failed to satisfy constraint: ...`,
with lowerCamel member paths (`standbyWorkspaces.1.member.directoryId`). [AWS style, BEHAVIOUR.md Wire]
"""

import re
from functools import cache
from typing import Any

from botocore.model import OperationModel, Shape

from understudy.domain.errors import ValidationException


@cache
def _regex(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


# A value is shown at most this long: an error must not grow with the input (a 6 MB logo, 10,000 ids). [CHOSEN]
SHOWN_CHARS = 256


def _show(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "'" + str(value).lower() + "'"
    if isinstance(value, bytes):  # AWS's Java services show a blob as its buffer, never its bytes
        return f"'java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]'"
    text = "[" + ", ".join(str(v) for v in value[:SHOWN_CHARS]) + "]" if isinstance(value, list) else str(value)
    return f"'{text[:SHOWN_CHARS]}...'" if len(text) > SHOWN_CHARS else f"'{text}'"


def validate(op: OperationModel, params: dict[str, Any]) -> None:
    if op.input_shape is None:
        return
    errors: list[str] = []
    _structure(op.input_shape, params, "", errors)
    if errors:
        n = len(errors)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ValidationException(head + "; ".join(errors))


def _fail(errors: list[str], value: object, path: str, constraint: str) -> None:
    errors.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {constraint}")


def _structure(shape: Shape, value: dict[str, Any], path: str, errors: list[str]) -> None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        mpath = f"{path}.{_camel(name)}" if path else _camel(name)
        if name not in value:
            if name in required:
                _fail(errors, None, mpath, "Member must not be null")
            continue
        _value(member, value[name], mpath, errors)


def _value(shape: Shape, value: Any, path: str, errors: list[str]) -> None:
    m = shape.metadata
    t = shape.type_name
    if t in ("string", "list", "map", "blob"):
        n = len(value)
        if "min" in m and n < m["min"]:
            _fail(errors, value, path, f"Member must have length greater than or equal to {m['min']}")
        if "max" in m and n > m["max"]:
            _fail(errors, value, path, f"Member must have length less than or equal to {m['max']}")
    if t in ("integer", "long", "float", "double"):
        if "min" in m and value < m["min"]:
            _fail(errors, value, path, f"Member must have value greater than or equal to {m['min']}")
        if "max" in m and value > m["max"]:
            _fail(errors, value, path, f"Member must have value less than or equal to {m['max']}")
    if t == "string":
        if shape.enum and value not in shape.enum:
            _fail(errors, value, path, "Member must satisfy enum value set: [" + ", ".join(shape.enum) + "]")
        if "pattern" in m and not _regex(m["pattern"]).search(value):
            _fail(errors, value, path, f"Member must satisfy regular expression pattern: {m['pattern']}")
    elif t == "structure":
        _structure(shape, value, path, errors)
    elif t == "list":
        for i, item in enumerate(value, 1):
            _value(shape.member, item, f"{path}.{i}.member", errors)
    elif t == "map":
        for k, v in value.items():
            _value(shape.key, k, f"{path}.{k}.key", errors)
            _value(shape.value, v, f"{path}.{k}.value", errors)
