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

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from understudy.domain.errors import (
    IncompleteSignatureException,
    InvalidSignatureException,
    MissingAuthenticationTokenException,
    UnrecognizedClientException,
)
from understudy.protocol.authorization import Authorization

MAX_SKEW = dt.timedelta(minutes=5)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
# AWS's wordings, as SDK users quote them (e.g. github.com/aws/aws-sdk-js/issues/254, hassy/artillery-dino#2).
_MISMATCH = ("The request signature we calculated does not match the signature you provided. Check your AWS Secret "
             "Access Key and signing method. Consult the service documentation for details.")
# Headers whose change would change what the request does. AWS requires `host` signed (aws/aws-sdk-php#2469);
# X-Amz-Target names the operation, so an unsigned one would let a captured request run as another operation.
# Every SDK signs both. [CHOSEN for x-amz-target]
_MUST_SIGN = (("host", "'Host' or ':authority'"), ("x-amz-target", "'X-Amz-Target'"))


def check(mode: str, auth: Authorization | None, headers: dict[str, str], query: dict[str, str], body: bytes,
          secrets: dict[str, str], signing_name: str | None, now: dt.datetime | None = None) -> None:
    """Raises the AWS error for a request whose signature does not hold; `permissive` checks nothing.

    `signing_name` is the service the request is for (None when its X-Amz-Target names none, which the
    parser refuses next); a credential scoped to another service is refused, as AWS does.
    """
    if mode != "strict":
        return
    if auth is None:
        raise MissingAuthenticationTokenException("Missing Authentication Token")
    now = now or dt.datetime.now(dt.UTC)
    secret = secrets.get(auth.access_key)
    if secret is None:
        raise UnrecognizedClientException("The security token included in the request is invalid.")
    if auth.date is None:
        raise IncompleteSignatureException("Authorization header requires existence of a 'X-Amz-Date' header. "
                                           f"Authorization={headers['authorization']}")
    if signing_name is not None and auth.service != signing_name:
        # AWS's wording, trailing space included (aws/aws-sdk-ruby#431, disneystreaming/smithy4s#1568: a 400).
        err = InvalidSignatureException(f"Credential should be scoped to correct service: '{signing_name}'. ")
        err.status = 400
        raise err
    for name, called in _MUST_SIGN:
        # Host is required even when absent (HTTP/1.0), as AWS does; the target only when sent.
        if (name == "host" or name in headers) and name not in auth.signed_headers:
            raise InvalidSignatureException(f"{called} must be a 'SignedHeader' in the AWS Authorization.")
    signed_at = _date(auth.date)
    _check_time(signed_at, now, auth.expires)
    expected, canonical, to_sign = _signature(auth, secret, headers,
                                              {k: v for k, v in query.items() if k != "X-Amz-Signature"}, body)
    if auth.day != auth.date[:8] or not hmac.compare_digest(expected.encode(), auth.signature.encode()):
        raise InvalidSignatureException(f"{_MISMATCH}\n\nThe Canonical String for this request should have been\n"
                                        f"'{canonical}'\n\nThe String-to-Sign should have been\n'{to_sign}'\n")


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


def _signature(auth: Authorization, secret: str, headers: dict[str, str], query: dict[str, str],
               body: bytes) -> tuple[str, str, str]:
    """(signature, canonical request, string to sign), each computed by botocore's SigV4Auth."""
    signer = SigV4Auth(Credentials(auth.access_key, secret), auth.service, auth.region)
    signed = HTTPHeaders()
    for name in auth.signed_headers:
        signed[name] = headers.get(name.lower(), "")
    request = AWSRequest(method="POST", url="http://understudy/", params=query, data=body)
    request.context["timestamp"] = auth.date
    # The body's hash is always computed from the body that arrived, never taken from x-amz-content-sha256,
    # so a tampered body cannot hide behind the hash header it was signed with.
    canonical = "\n".join(["POST", "/", signer.canonical_query_string(request), signer.canonical_headers(signed) + "\n",
                           ";".join(auth.signed_headers), hashlib.sha256(body).hexdigest()])
    to_sign = signer.string_to_sign(request, canonical)
    return signer.signature(to_sign, request), canonical, to_sign
