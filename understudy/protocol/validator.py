"""Parameters against the model's constraints, reported the way AWS's services report them.

Checks what botocore's client skips as well as what it checks: required members, string and
list lengths, number ranges, enums and patterns. Every failure is collected and raised at once:
`1 validation error detected: Value 'x' at 'primaryRegion' failed to satisfy constraint: ...`, with lowerCamel
member paths (`standbyWorkspaces.1.member.directoryId`). [AWS style, docs/evidence.md "Validation errors"]
"""

import re
from collections.abc import Callable
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
    _checker(op.input_shape)(params, (), errors)
    if errors:
        n = len(errors)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ValidationException(head + "; ".join(errors[:SHOWN_ERRORS]))


# A member's path is written only when it fails: while checking, it is the pair (its parent's path, its own
# step), `()` at the top, so a valid request (nearly all of them) builds no path strings. A step is a
# member's name, or a list item's or map entry's (index or key, role): `3.member`, `Owner.key`.
Step = str | tuple[object, str]
Path = tuple[()] | tuple["Path", Step]


def _written_path(path: Path) -> str:
    steps: list[str] = []
    while path:
        path, step = path
        steps.append(step if isinstance(step, str) else f"{step[0]}.{step[1]}")
    return ".".join(reversed(steps))


def _fail(errors: list[str], value: object, path: Path, constraint: str) -> None:
    errors.append(f"Value {_show(value)} at '{_written_path(path)}' failed to satisfy constraint: {constraint}")


Checker = Callable[[Any, Path, list[str]], None]


@cache  # shapes come from the cached service models, so each is compiled once per process
def _checker(shape: Shape) -> Checker:
    """A function that checks a value of this shape and appends its failures. Built once per shape, so a
    request's check reads no model metadata: a by-id read's check was a tenth of its gateway's time."""
    t, m = shape.type_name, shape.metadata
    if t == "structure":
        return _structure(shape)
    least, most = m.get("min"), m.get("max")
    if t in ("string", "list", "map", "blob"):
        measure: Checker | None = _length(least, most)
    elif t in ("integer", "long", "float", "double"):
        measure = _range(least, most)
    else:
        measure = None
    if t == "string":
        return _string(measure, shape.enum, m.get("pattern"))
    if t == "list":
        return _list(measure, shape)
    if t == "map":
        return _map(measure, shape)
    return measure or _nothing


def _nothing(value: Any, path: Path, errors: list[str]) -> None:
    return None


def _structure(shape: Shape) -> Checker:
    members: list[tuple[str, str, Checker, bool]] = []  # filled on first use: a shape may contain itself

    def check(value: dict[str, Any], path: Path, errors: list[str]) -> None:
        if not members:  # built whole, then set: a thread or a failure never leaves it half-built
            required = shape.required_members
            members[:] = [(name, _camel(name), _checker(member), name in required)
                          for name, member in shape.members.items()]
        for name, camel, checker, required in members:  # failures in the model's order
            if name in value:
                checker(value[name], (path, camel), errors)
            elif required:
                _fail(errors, None, (path, camel), "Member must not be null")
    return check


def _length(least: int | None, most: int | None) -> Checker | None:
    if least is None and most is None:
        return None

    def check(value: Any, path: Path, errors: list[str]) -> None:
        n = len(value)
        if least is not None and n < least:
            _fail(errors, value, path, f"Member must have length greater than or equal to {least}")
        if most is not None and n > most:
            _fail(errors, value, path, f"Member must have length less than or equal to {most}")
    return check


def _range(least: float | None, most: float | None) -> Checker | None:
    if least is None and most is None:
        return None

    def check(value: Any, path: Path, errors: list[str]) -> None:
        if least is not None and value < least:
            _fail(errors, value, path, f"Member must have value greater than or equal to {least}")
        if most is not None and value > most:
            _fail(errors, value, path, f"Member must have value less than or equal to {most}")
    return check


def _string(measure: Checker | None, enum: list[str], pattern: str | None) -> Checker:
    allowed = frozenset(enum)
    compiled = _regex(pattern) if pattern is not None else None

    def check(value: Any, path: Path, errors: list[str]) -> None:
        if measure is not None:
            measure(value, path, errors)
        if "\x00" in value:  # [CHOSEN] no AWS name, id or tag holds it, and PostgreSQL cannot store it
            _fail(errors, value, path, "Member must not contain the NUL character (U+0000)")
        if allowed and value not in allowed:
            _fail(errors, value, path, "Member must satisfy enum value set: [" + ", ".join(enum) + "]")
        if compiled is not None and not compiled.search(value):
            _fail(errors, value, path, f"Member must satisfy regular expression pattern: {pattern}")
    return check


def _list(measure: Checker | None, shape: Shape) -> Checker:
    def check(value: Any, path: Path, errors: list[str]) -> None:
        if measure is not None:
            measure(value, path, errors)
        item = _checker(shape.member)
        for i, v in enumerate(value, 1):
            item(v, (path, (i, "member")), errors)
    return check


def _map(measure: Checker | None, shape: Shape) -> Checker:
    def check(value: Any, path: Path, errors: list[str]) -> None:
        if measure is not None:
            measure(value, path, errors)
        key, item = _checker(shape.key), _checker(shape.value)
        for k, v in value.items():
            key(k, (path, (k, "key")), errors)
            item(v, (path, (k, "value")), errors)
    return check

