"""Parameters against the model's constraints, reported the way AWS's services report them.

Checks what botocore's client skips as well as what it checks: required members, string and
list lengths, number ranges, enums and patterns. Every failure is collected and raised at once:
`1 validation error detected: Value 'x' at 'primaryRegion' failed to satisfy constraint: ...`, with lowerCamel
member paths (`standbyWorkspaces.1.member.directoryId`). [AWS style, docs/evidence.md "Validation errors"]
"""

import re
from functools import cache
from typing import Any

import regex
from botocore.model import OperationModel, Shape

from understudy.domain.errors import ValidationException

# The models' patterns are written for AWS's Java services. Most are Python's too; a few name Unicode
# properties (`\p{L}`, ds's TagKey), which the `regex` package reads, or Java's own classes, put here in
# its terms: `\p{LD}` is Character.isLetterOrDigit, `\p{Punct}` the ASCII punctuation of POSIX
# [Java, java.util.regex.Pattern]. Without this, a valid ds request with tags answered 500.
_JAVA_CLASSES = {r"\p{LD}": r"[\p{L}\p{Nd}]", r"\p{Punct}": r"[!-/:-@\[-`{-~]"}


@cache  # keyed by the models' patterns, a bounded set
def _regex(pattern: str) -> re.Pattern[str] | regex.Pattern[str]:
    try:
        return re.compile(pattern)
    except re.error:
        for java, ours in _JAVA_CLASSES.items():
            pattern = pattern.replace(java, ours)
        return regex.compile(pattern)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


# A value is shown at most this long, and at most this many failures are listed (the count says how many there
# were): an error must not grow with the input (a 6 MB logo, 10,000 ids). Lists and structures are written as
# AWS's Java services write them, `[a, b]` and `{Key=k, Value=v}`, never as Python's reprs.
# [CHOSEN, docs/evidence.md "Validation errors"]
SHOWN_CHARS = 100
SHOWN_ERRORS = 10


def _written(value: object, budget: int) -> str:
    """`value` as AWS would write it inside a message, cut soon after `budget` characters."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, bytes):  # AWS's Java services show a blob as its buffer, never its bytes
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, (list, dict)):
        items = value.items() if isinstance(value, dict) else value
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        parts: list[str] = []
        used = 1
        for item in items:
            if used > budget:
                break
            part = f"{item[0]}={_written(item[1], budget - used)}" if isinstance(value, dict) else \
                _written(item, budget - used)
            parts.append(part)
            used += len(part) + 2
        return opening + ", ".join(parts) + closing
    return str(value)[:budget + 1]


def _show(value: object) -> str:
    if value is None:
        return "null"
    text = _written(value, SHOWN_CHARS)
    return f"'{text[:SHOWN_CHARS]}...'" if len(text) > SHOWN_CHARS else f"'{text}'"


def validate(op: OperationModel, params: dict[str, Any]) -> None:
    if op.input_shape is None:
        return
    errors: list[str] = []
    _structure(op.input_shape, params, "", errors)
    if errors:
        n = len(errors)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ValidationException(head + "; ".join(errors[:SHOWN_ERRORS]))


def _fail(errors: list[str], value: object, path: str, constraint: str) -> None:
    errors.append(f"Value {_show(value)} at '{path}' failed to satisfy constraint: {constraint}")


def _structure(shape: Shape, value: dict[str, Any], path: str, errors: list[str]) -> None:
    required = shape.required_members
    for name, member in shape.members.items():  # failures in the model's order; an absent optional member costs no path
        if name in value:
            _value(member, value[name], f"{path}.{_camel(name)}" if path else _camel(name), errors)
        elif name in required:
            _fail(errors, None, f"{path}.{_camel(name)}" if path else _camel(name), "Member must not be null")


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
