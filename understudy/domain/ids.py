"""Resource identifiers in AWS's shapes (`ws-` and nine characters, `d-` and ten hex digits...)."""

import os
import random
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


# Request ids only need to differ from each other, not to be unguessable: a generator seeded once from
# the system's randomness spares every request a system call (about a tenth of a by-id read's time).
# A forked process seeds its own, so two servers never repeat each other's ids.
_REQUEST_IDS = random.Random(secrets.randbits(128))
os.register_at_fork(after_in_child=lambda: _REQUEST_IDS.seed(secrets.randbits(128)))


def request_id() -> str:
    h = f"{_REQUEST_IDS.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
