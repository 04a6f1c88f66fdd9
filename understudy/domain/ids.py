"""Identifiers: resource ids in AWS's shapes (each family's in families.py), and request ids."""

import hashlib
import os
import random
import secrets
import string

_BASE36 = string.digits + string.ascii_lowercase


def random_id(prefix: str, alphabet: str, length: int) -> str:
    """A new id: the prefix and `length` characters drawn from `alphabet` (families.py gives each family's)."""
    return prefix + "".join(secrets.choice(alphabet) for _ in range(length))


def stable_id(prefix: str, *parts: str) -> str:
    """The same id every time for the same parts: for catalogue entries that every server must agree on."""
    n = int.from_bytes(hashlib.sha256("|".join(parts).encode()).digest(), "big")
    chars = []
    for _ in range(9):
        n, r = divmod(n, 36)
        chars.append(_BASE36[r])
    return prefix + "".join(chars)


# Request ids only need to differ from each other, not to be unguessable: a generator seeded once from
# the system's randomness spares every request a system call (about a tenth of a by-id read's time).
# A forked process seeds its own, so two servers never repeat each other's ids.
_REQUEST_IDS = random.Random(secrets.randbits(128))
os.register_at_fork(after_in_child=lambda: _REQUEST_IDS.seed(secrets.randbits(128)))


def request_id() -> str:
    h = f"{_REQUEST_IDS.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
