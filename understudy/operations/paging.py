"""Cursor pages over one kind of resource: NextToken names the last id returned, never an offset."""

import base64
import binascii

from understudy.domain.errors import InvalidParameterValuesException
from understudy.operations.context import Transaction


def encode_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode()


def decode_token(token: str | None) -> str | None:
    if token is None:
        return None
    try:
        return base64.b64decode(token.encode(), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise InvalidParameterValuesException("The value for NextToken is not valid.") from None


def cut(items: list, limit: int, key: str | None = None) -> tuple[list, str | None]:
    """The first `limit` items, and the token that resumes after the last of them when more remain (None when
    none do). The cursor is the item's `key` field, or the item itself when it is an id."""
    if len(items) <= limit:
        return items, None
    last = items[limit - 1]
    return items[:limit], encode_token(last if key is None else last[key])


def page(tx: Transaction, kind: str, *, limit: int, next_token: str | None, id_key: str,
         **filters: str | None) -> tuple[list[dict], str | None]:
    """Up to `limit` resources after the token's cursor, and the token of the next page (or None)."""
    return cut(tx.find(kind, after=decode_token(next_token), limit=limit + 1, **filters), limit, id_key)
