"""SigV4 verification for `--auth strict`: the Authorization header form and the presigned query form.

botocore's own signer is the reference: the canonical request is rebuilt from what arrived (POST,
the path `/`, the query, exactly the headers the client listed as signed, the body's SHA-256) with
`SigV4Auth`'s pieces, and the signature it computes is compared in constant time.

The 5-minute window is measured against the wall clock, never the server's `store.clock()`: clients
sign with their wall clock, and the emulated clock may be frozen or advanced by days in tests.
"""

import datetime as dt
import hashlib
import hmac
import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from understudy.domain.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)

MAX_SKEW = dt.timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_ALGORITHM = "AWS4-HMAC-SHA256"
_PARAM = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
_SCOPE = re.compile(r"^([^/]+)/(\d{8})/([^/]+)/([^/]+)/aws4_request$")
# AWS's wordings, as SDK users quote them (e.g. github.com/aws/aws-sdk-js/issues/254, hassy/artillery-dino#2).
_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
             "Access Key and signing method. Consult the service documentation for details.")


def check(mode: str, headers: dict[str, str], query: dict[str, str], body: bytes, secrets: dict[str, str],
          now: dt.datetime | None = None) -> None:
    """Raises the AWS error for a request whose signature does not hold; `permissive` checks nothing."""
    if mode != "strict":
        return
    now = now or dt.datetime.now(dt.UTC)
    presigned = "authorization" not in headers and "X-Amz-Signature" in query
    fields = _presigned_fields(query) if presigned else _header_fields(headers)
    m = _SCOPE.match(fields["Credential"])
    if m is None:
        raise IncompleteSignatureException(
            f"Credential should be scoped to a valid Region, not '{fields['Credential']}'.")
    access_key, day, region, service = m.groups()
    secret = secrets.get(access_key)
    if secret is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    signed_at = _date(fields["Date"])
    _check_time(signed_at, now, int(fields["Expires"]) if presigned else None)
    expected, canonical, to_sign = _signature(access_key, secret, region, service, fields, headers,
                                              {k: v for k, v in query.items() if k != "X-Amz-Signature"}, body)
    if day != fields["Date"][:8] or not hmac.compare_digest(expected.encode(), fields["Signature"].encode()):
        raise InvalidSignatureException(f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n"
                                        f"'{canonical}'\n\nThe String-to-Sign should have been\n'{to_sign}'\n")


def _header_fields(headers: dict[str, str]) -> dict[str, str]:
    auth = headers.get("authorization")
    if auth is None:
        raise MissingAuthenticationTokenException("Missing Authentication Token")
    algorithm, _, rest = auth.strip().partition(" ")
    if algorithm != _ALGORITHM:
        raise IncompleteSignatureException(f"Unsupported AWS 'algorithm': '{algorithm}'. Sign with {_ALGORITHM}.")
    fields = dict(_PARAM.findall(rest))
    missing = [f"Authorization header requires '{name}' parameter." for name in ("Credential", "Signature",
                                                                                 "SignedHeaders") if name not in fields]
    if "x-amz-date" not in headers:
        missing.append("Authorization header requires existence of a 'X-Amz-Date' header.")
    if missing:
        raise IncompleteSignatureException(" ".join(missing) + f" Authorization={auth}")
    return {**fields, "Date": headers["x-amz-date"]}


def _presigned_fields(query: dict[str, str]) -> dict[str, str]:
    names = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders")
    missing = [n for n in names if n not in query]
    if missing or query["X-Amz-Algorithm"] != _ALGORITHM or not query["X-Amz-Expires"].isdigit():
        raise IncompleteSignatureException(
            f"A presigned request needs {', '.join(names)} and X-Amz-Signature, with algorithm {_ALGORITHM} and "
            f"X-Amz-Expires in seconds; missing or wrong: {', '.join(missing) or 'X-Amz-Algorithm/X-Amz-Expires'}.")
    return {"Credential": query["X-Amz-Credential"], "SignedHeaders": query["X-Amz-SignedHeaders"],
            "Signature": query["X-Amz-Signature"], "Date": query["X-Amz-Date"], "Expires": query["X-Amz-Expires"]}


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, _AMZ_DATE).replace(tzinfo=dt.UTC)
    except ValueError:
        pass
    raise IncompleteSignatureException(f"X-Amz-Date must be in the ISO 8601 form YYYYMMDD'T'HHMMSS'Z', not '{text}'.")


def _stamp(t: dt.datetime) -> str:
    return t.strftime(_AMZ_DATE)


def _check_time(signed_at: dt.datetime, now: dt.datetime, expires: int | None) -> None:
    """AWS allows 5 minutes of skew either way; a presigned request lives X-Amz-Expires seconds after signing."""
    if signed_at > now + MAX_SKEW:
        raise InvalidSignatureException(
            f"Signature not yet current: {_stamp(signed_at)} is still later than {_stamp(now + MAX_SKEW)} "
            f"({_stamp(now)} + 5 min.)")
    window, label = (MAX_SKEW, "5 min.") if expires is None else (dt.timedelta(seconds=expires), f"{expires} sec.")
    if signed_at < now - window:
        err = InvalidSignatureException(
            f"Signature expired: {_stamp(signed_at)} is now earlier than {_stamp(now - window)} "
            f"({_stamp(now)} - {label})")
        err.status = 400  # AWS answers this one 400, not 403 (statusCode in github.com/aws/aws-sdk-js/issues/254)
        raise err


def _signature(access_key: str, secret: str, region: str, service: str, fields: dict[str, str],
               headers: dict[str, str], query: dict[str, str], body: bytes) -> tuple[str, str, str]:
    """(signature, canonical request, string to sign), each computed by botocore's SigV4Auth."""
    signer = SigV4Auth(Credentials(access_key, secret), service, region)
    signed = HTTPHeaders()
    for name in fields["SignedHeaders"].split(";"):
        signed[name] = headers.get(name.lower(), "")
    request = AWSRequest(method="POST", url="http://understudy/", params=query, data=body)
    request.context["timestamp"] = fields["Date"]
    # The body's hash is always computed from the body that arrived, never taken from x-amz-content-sha256,
    # so a tampered body cannot hide behind the hash header it was signed with.
    canonical = "\n".join(["POST", "/", signer.canonical_query_string(request), signer.canonical_headers(signed) + "\n",
                           fields["SignedHeaders"], hashlib.sha256(body).hexdigest()])
    to_sign = signer.string_to_sign(request, canonical)
    return signer.signature(to_sign, request), canonical, to_sign
