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


def page(tx: Transaction, kind: str, *, limit: int, next_token: str | None, id_key: str,
         **filters: str | None) -> tuple[list[dict], str | None]:
    """Up to `limit` resources after the token's cursor, and the token of the next page (or None)."""
    rows = tx.find(kind, after=decode_token(next_token), limit=limit + 1, **filters)
    if len(rows) > limit:
        rows = rows[:limit]
        return rows, encode_token(rows[-1][id_key])
    return rows, None
