"""A request's SigV4 authorization, parsed once: from the Authorization header or the presigned query.

Identity (account and Region), the signature check of `--auth strict` and the `--policy` check all
read the one `Authorization` value this module returns, so no two of them can see different keys.
The parse is strict in every auth mode, as AWS's front end is: each parameter once, no parameter
it does not know, a well-formed credential scope. `permissive` trusts any secret, not any shape.
"""

import re
from typing import NamedTuple

from understudy.domain.errors import IncompleteSignatureException

ALGORITHM = "AWS4-HMAC-SHA256"
# SigV4 caps a presigned request's life at 7 days [AWS: sigv4-query-string-auth, "X-Amz-Expires ... 604800"].
MAX_EXPIRES = 604_800
_HEADER_PARAMS = ("Credential", "SignedHeaders", "Signature")
_QUERY_PARAMS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders",
                 "X-Amz-Signature")
_SCOPE = re.compile(r"([^/\s]+)/([0-9]{8})/([^/\s]+)/([^/\s]+)/aws4_request")
_SIGNED_HEADERS = re.compile(r"[a-z0-9!#$%&'*+.^_`|~-]+(;[a-z0-9!#$%&'*+.^_`|~-]+)*")
_EXPIRES = re.compile(r"[0-9]{1,7}")  # ASCII digits only: str.isdigit() also takes '²'
# The header as SDKs write it, read in one match: what it matches, the parse below would read the same way (its
# credential and signed headers as _SCOPE and _SIGNED_HEADERS take them, no comma inside a value). Anything
# else takes that parse, which says what is wrong.
_AS_SDKS_SIGN = re.compile(r"AWS4-HMAC-SHA256 Credential=([^/\s,]+)/([0-9]{8})/([^/\s,]+)/([^/\s,]+)/aws4_request, ?"
                           r"SignedHeaders=([a-z0-9!#$%&'*+.^_`|~-]+(?:;[a-z0-9!#$%&'*+.^_`|~-]+)*), ?"
                           r"Signature=([0-9a-f]+)")


class Authorization(NamedTuple):  # built on every request: a tuple costs a fifth of a frozen dataclass
    access_key: str
    day: str  # the scope's date, YYYYMMDD
    region: str
    service: str  # the scope's signing name
    signed_headers: tuple[str, ...]
    signature: str
    date: str | None  # X-Amz-Date as sent; checked by the signature check, which needs it
    expires: int | None  # seconds, for the presigned form only

    @property
    def presigned(self) -> bool:
        return self.expires is not None

    @property
    def credential(self) -> str:
        return f"{self.access_key}/{self.day}/{self.region}/{self.service}/aws4_request"


def parse(headers: dict[str, str], query: dict[str, str]) -> Authorization | None:
    """The request's authorization; None when it carries none (neither header nor presigned query)."""
    if "authorization" in headers:
        return _from_header(headers["authorization"], headers.get("x-amz-date"))
    if any(name in query for name in _QUERY_PARAMS):
        return _from_query(query)
    return None


def _from_header(value: str, date: str | None) -> Authorization:
    well_formed = _AS_SDKS_SIGN.fullmatch(value)
    if well_formed is not None:
        access_key, day, region, service, signed_headers, signature = well_formed.groups()
        return Authorization(access_key, day, region, service, tuple(signed_headers.split(";")), signature, date, None)
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm}'. Sign with {ALGORITHM}.")
    params: dict[str, str] = {}
    for part in rest.split(","):
        name, eq, text = part.strip().partition("=")
        if not eq:
            raise IncompleteSignatureException(
                f"'{part.strip()}' not a valid key=value pair (missing equal-sign) in Authorization header: '{value}'.")
        if name not in _HEADER_PARAMS:
            raise IncompleteSignatureException(
                f"'{name}' is not a parameter of the Authorization header; it takes Credential, SignedHeaders and "
                f"Signature, once each: '{value}'.")
        if name in params:
            raise IncompleteSignatureException(f"The Authorization header repeats '{name}': '{value}'.")
        params[name] = text
    missing = [f"Authorization header requires '{name}' parameter." for name in _HEADER_PARAMS if name not in params]
    if missing:
        raise IncompleteSignatureException(" ".join(missing) + f" Authorization={value}")
    return _authorization(params["Credential"], params["SignedHeaders"], params["Signature"], date, None)


def _from_query(query: dict[str, str]) -> Authorization:
    missing = [name for name in _QUERY_PARAMS if name not in query]
    if missing:
        raise IncompleteSignatureException(
            f"A presigned request needs {', '.join(_QUERY_PARAMS)}; missing: {', '.join(missing)}.")
    if query["X-Amz-Algorithm"] != ALGORITHM:
        raise IncompleteSignatureException(
            f"Unsupported AWS 'algorithm': '{query['X-Amz-Algorithm']}'. Sign with {ALGORITHM}.")
    expires = query["X-Amz-Expires"]
    if _EXPIRES.fullmatch(expires) is None or int(expires) > MAX_EXPIRES:
        raise IncompleteSignatureException(
            f"X-Amz-Expires must be a whole number of seconds from 0 to {MAX_EXPIRES} (7 days), not '{expires}'.")
    return _authorization(query["X-Amz-Credential"], query["X-Amz-SignedHeaders"], query["X-Amz-Signature"],
                          query["X-Amz-Date"], int(expires))


def _authorization(credential: str, signed_headers: str, signature: str, date: str | None,
                   expires: int | None) -> Authorization:
    m = _SCOPE.fullmatch(credential)
    if m is None:
        raise IncompleteSignatureException(
            f"Credential must have the form <key>/<YYYYMMDD>/<region>/<service>/aws4_request, not '{credential}'.")
    if _SIGNED_HEADERS.fullmatch(signed_headers) is None:
        raise IncompleteSignatureException(
            f"SignedHeaders must be lower-case header names separated by ';', not '{signed_headers}'.")
    if not signature.isascii():
        raise IncompleteSignatureException("Signature must be hexadecimal.")
    access_key, day, region, service = m.groups()
    return Authorization(access_key, day, region, service, tuple(signed_headers.split(";")), signature, date, expires)
