"""`--auth strict`'s SigV4 check (understudy/protocol/signature.py), at a fixed `now`: requests signed by botocore's own
signer, in the header form and the presigned form, and the errors AWS answers when one does not hold."""

import datetime as dt
import random
from unittest import mock
from urllib.parse import parse_qsl, urlsplit

import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from understudy.domain.errors import AwsError
from understudy.protocol import authorization, signature

NOW = dt.datetime(2026, 12, 7, 12, 0, 0, tzinfo=dt.UTC)
SECRETS = {"AKIAALICE": "alice-secret"}
TARGET = "WorkspacesService.DescribeAccount"


def signed(when: dt.datetime = NOW, body: bytes = b"{}", secret: str = "alice-secret", service: str = "workspaces",
           presign_for: int | None = None, **extra: str) -> tuple[dict[str, str], dict[str, str], bytes]:
    """(headers, query, body) of a request botocore signed at `when`, as the server receives them (botocore's
    presigned form carries no body)."""
    request = AWSRequest(method="POST", url="http://127.0.0.1:4566/", data=body,
                         headers={"X-Amz-Target": TARGET, "Content-Type": "application/x-amz-json-1.1", **extra})
    credentials = Credentials("AKIAALICE", secret)
    signer = (SigV4Auth(credentials, service, "us-east-1") if presign_for is None
              else SigV4QueryAuth(credentials, service, "us-east-1", expires=presign_for))
    with mock.patch("botocore.auth.get_current_datetime", return_value=when):
        signer.add_auth(request)
    headers = {k.lower(): v for k, v in request.headers.items()}
    headers.setdefault("host", "127.0.0.1:4566")
    return headers, dict(parse_qsl(urlsplit(request.url).query)), request.body or b""


def check(headers: dict[str, str], query: dict[str, str], body: bytes, now: dt.datetime = NOW) -> None:
    signature.check("strict", authorization.parse(headers, query), headers, query, body, SECRETS, "workspaces", now)


def refusal(headers: dict[str, str], query: dict[str, str], body: bytes, now: dt.datetime = NOW) -> AwsError:
    with pytest.raises(AwsError) as e:
        check(headers, query, body, now)
    return e.value


def test_a_request_botocore_signed_holds_in_both_forms():
    check(*signed())
    check(*signed(presign_for=300))


def test_a_signed_header_the_request_lacks_counts_as_empty():
    headers, query, body = signed(**{"X-Custom": ""})
    check({k: v for k, v in headers.items() if k != "x-custom"}, query, body)


def test_a_wrong_secret_or_body_is_the_mismatch_with_the_canonical_request_it_expected():
    headers, query, body = signed(secret="not-alices")
    e = refusal(headers, query, body)
    assert (e.code, e.status) == ("InvalidSignatureException", 403)
    assert e.message.startswith("The request signature we calculated does not match the signature you provided.")
    canonical = "\n".join(["POST", "/", "", "content-type:application/x-amz-json-1.1", f"host:{headers['host']}",
                           f"x-amz-date:{headers['x-amz-date']}", f"x-amz-target:{TARGET}", "",
                           "content-type;host;x-amz-date;x-amz-target",
                           "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"])
    assert f"The Canonical String for this request should have been\n'{canonical}'\n" in e.message
    assert f"\nThe String-to-Sign should have been\n'AWS4-HMAC-SHA256\n{headers['x-amz-date']}\n" in e.message
    assert refusal(headers, query, b'{"a": 1}').code == "InvalidSignatureException"


def test_five_minutes_of_skew_either_way_and_no_more():
    check(*signed(when=NOW + dt.timedelta(minutes=5)))
    check(*signed(when=NOW - dt.timedelta(minutes=5)))
    early = refusal(*signed(when=NOW + dt.timedelta(minutes=5, seconds=1)))
    assert (early.code, early.status) == ("InvalidSignatureException", 403)
    assert early.message == ("Signature not yet current: 20261207T120501Z is still later than 20261207T120500Z "
                             "(20261207T120000Z + 5 min.)")
    late = refusal(*signed(when=NOW - dt.timedelta(minutes=5, seconds=1)))
    assert (late.code, late.status) == ("InvalidSignatureException", 400)
    assert late.message == ("Signature expired: 20261207T115459Z is now earlier than 20261207T115500Z "
                            "(20261207T120000Z - 5 min.)")


def test_a_presigned_request_lives_its_expiry_after_signing():
    check(*signed(when=NOW - dt.timedelta(seconds=3600), presign_for=3600))
    late = refusal(*signed(when=NOW - dt.timedelta(seconds=3601), presign_for=3600))
    assert late.message == ("Signature expired: 20261207T105959Z is now earlier than 20261207T110000Z "
                            "(20261207T120000Z - 3600 sec.)")


def test_a_credential_for_another_service_is_refused_with_400():
    e = refusal(*signed(service="ds"))
    assert (e.code, e.status, e.message) == (
        "InvalidSignatureException", 400, "Credential should be scoped to correct service: 'workspaces'. ")


def test_permissive_checks_nothing():
    headers, query, body = signed(secret="not-alices")
    signature.check("permissive", authorization.parse(headers, query), headers, query, body, SECRETS, "workspaces",
                    NOW)


def _read_the_long_way(value: str) -> authorization.Authorization | str:
    with mock.patch.object(authorization, "_AS_SDKS_SIGN", mock.Mock(fullmatch=lambda _value: None)):
        return _read(value)


def _read(value: str) -> authorization.Authorization | str:
    try:
        return authorization.parse({"authorization": value, "x-amz-date": "20261208T000000Z"}, {})
    except AwsError as e:
        return f"{e.code}: {e.message}"


SIGNED = ("AWS4-HMAC-SHA256 Credential=123456789012/20261208/us-east-1/workspaces/aws4_request, "
          "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0f" * 32)


@pytest.mark.parametrize("seed", range(4))
def test_an_authorization_header_reads_the_same_whether_or_not_it_is_written_as_sdks_write_it(seed):
    """The header SDKs send is read in one match (authorization._AS_SDKS_SIGN); any header, near that form or
    not, must read as the full parse reads it: the same value, or the same error."""
    rng, alphabet, matched = random.Random(seed), "aZ09 ,=/;\t-_.", 0
    for _ in range(3000):
        chars = list(SIGNED)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(chars))
            edit = rng.random()
            if edit < 0.4:
                chars[at] = rng.choice(alphabet)
            elif edit < 0.7:
                del chars[at]
            else:
                chars.insert(at, rng.choice(alphabet))
        value = "".join(chars)
        matched += authorization._AS_SDKS_SIGN.fullmatch(value) is not None
        assert _read(value) == _read_the_long_way(value), value
    assert _read(SIGNED) == _read_the_long_way(SIGNED) and matched > 300  # both ways were taken, many times
