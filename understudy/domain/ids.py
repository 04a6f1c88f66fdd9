"""Resource identifiers in AWS's shapes (`ws-` and nine characters, `d-` and ten hex digits...)."""

import secrets
import string

_LOWER_ALNUM = string.ascii_lowercase + string.digits


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


def workspace_id() -> str:
    return "ws-" + _random(_LOWER_ALNUM, 9)


def directory_id() -> str:
    return "d-" + _random("0123456789abcdef", 10)


def bundle_id() -> str:
    return "wsb-" + _random(_LOWER_ALNUM, 9)


def image_id() -> str:
    return "wsi-" + _random(_LOWER_ALNUM, 9)


def alias_id() -> str:
    return "wsca-" + _random(_LOWER_ALNUM, 9)


def ip_group_id() -> str:
    return "wsipg-" + _random(_LOWER_ALNUM, 9)


def request_id() -> str:
    h = secrets.token_hex(16)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
