"""Who gets in: SigV4 checking (`--auth strict`), keys mapped to accounts, and `--policy` permissions."""

import datetime as dt
import json
import re
import subprocess
import sys
from unittest import mock
from urllib.parse import quote

import httpx
import pytest
from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import VPC, Server, raw_exchange
from understudy import config

ALICE, ALICE_SECRET, ALICE_ACCOUNT = "AKIAALICE", "alice-secret", "111122223333"
BOB, BOB_SECRET, BOB_ACCOUNT = "AKIABOB", "bob-secret", "444455556666"
TARGET = "WorkspacesService.DescribeAccount"
JSON_11 = "application/x-amz-json-1.1"



@pytest.fixture
def strict(own_server, tmp_path):
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"credentials": [
        {"access_key_id": ALICE, "secret_access_key": ALICE_SECRET, "account_id": ALICE_ACCOUNT},
        {"access_key_id": BOB, "secret_access_key": BOB_SECRET, "account_id": BOB_ACCOUNT},
    ]}))
    return own_server("--auth", "strict", "--credentials", str(creds))


def error_of(call) -> tuple[int, str, str]:
    with pytest.raises(ClientError) as e:
        call()
    r = e.value.response
    return r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"]


def signed(srv: Server, body: bytes, key: str = ALICE, secret: str = ALICE_SECRET, target: str = TARGET,
           when: dt.datetime | None = None) -> AWSRequest:
    """A request signed by botocore's own SigV4Auth, optionally as if signed at `when`."""
    request = AWSRequest(method="POST", url=srv.url + "/", data=body,
                         headers={"X-Amz-Target": target, "Content-Type": JSON_11})
    with mock.patch("botocore.auth.get_current_datetime", return_value=when or dt.datetime.now(dt.UTC)):
        SigV4Auth(Credentials(key, secret), "workspaces", "us-east-1").add_auth(request)
    return request


def send(request: AWSRequest) -> httpx.Response:
    return httpx.post(request.url, headers=dict(request.headers.items()), content=request.body or b"", timeout=30)


def _enable_byol(srv: Server) -> None:
    """Sets what only alice's account shows, so an answer proves which account ran the request."""
    srv.client(key=ALICE, secret=ALICE_SECRET).modify_account(DedicatedTenancySupport="ENABLED",
                                                             DedicatedTenancyManagementCidrRange="10.7.0.0/16")


def test_the_right_secret_gets_in_and_acts_in_its_account(strict):
    alice = strict.client(key=ALICE, secret=ALICE_SECRET)
    alice.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.7.0.0/16")
    assert alice.describe_account()["DedicatedTenancySupport"] == "ENABLED"
    assert strict.client(key=BOB, secret=BOB_SECRET).describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_a_wrong_secret_is_an_invalid_signature(strict):
    status, code, message = error_of(strict.client(key=ALICE, secret="not-alices-secret").describe_account)
    assert (status, code) == (403, "InvalidSignatureException")
    assert message.startswith("The request signature we calculated does not match the signature you provided.")


def test_an_unknown_key_is_an_unrecognized_client(strict):
    status, code, message = error_of(strict.client(key="AKIANOBODY", secret="whatever").describe_account)
    assert (status, code, message) == (403, "UnrecognizedClientException",
                                       "The security token included in the request is invalid.")


def test_no_credentials_is_a_missing_authentication_token(strict):
    r = httpx.post(strict.url + "/", headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11}, content=b"{}")
    assert r.status_code == 403
    assert r.json() == {"__type": "MissingAuthenticationTokenException", "message": "Missing Authentication Token"}
    assert r.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


def test_a_tampered_body_is_an_invalid_signature(strict):
    request = signed(strict, b'{"DedicatedTenancySupport": "ENABLED"}',
                     target="WorkspacesService.ModifyAccount")
    r = httpx.post(request.url, headers=dict(request.headers.items()),
                   content=b'{"DedicatedTenancySupport": "DISABLED"}')
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")
    assert "The Canonical String for this request should have been" in r.json()["message"]
    _enable_byol(strict)
    untampered = send(signed(strict, b"{}"))
    assert untampered.json()["DedicatedTenancySupport"] == "ENABLED", "the untampered request runs as alice"


def test_a_tampered_signed_header_is_an_invalid_signature(strict):
    request = signed(strict, b"{}")
    headers = dict(request.headers.items())
    headers["X-Amz-Target"] = "WorkspacesService.DescribeWorkspaces"
    r = httpx.post(request.url, headers=headers, content=b"{}")
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")


def test_a_request_signed_more_than_5_minutes_ago_has_expired(strict):
    r = send(signed(strict, b"{}", when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)))
    # AWS's wording, and its status for this one: 400 (github.com/aws/aws-sdk-js/issues/254).
    assert (r.status_code, r.json()["__type"]) == (400, "InvalidSignatureException")
    assert re.fullmatch(r"Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)",
                        r.json()["message"])
    assert send(signed(strict, b"{}", when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=4))).status_code == 200


def test_a_request_signed_more_than_5_minutes_ahead_is_not_yet_current(strict):
    r = send(signed(strict, b"{}", when=dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10)))
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")
    assert r.json()["message"].startswith("Signature not yet current: ")


def test_the_window_follows_the_wall_clock_not_the_emulated_one(strict):
    _enable_byol(strict)
    strict.admin("POST", "/clock", json={"mode": "manual", "advance_seconds": 86400 * 30})
    assert strict.client(key=ALICE, secret=ALICE_SECRET).describe_account()["DedicatedTenancySupport"] == "ENABLED"


def presigned(srv: Server, secret: str = ALICE_SECRET, expires: int = 300,
              when: dt.datetime | None = None) -> AWSRequest:
    request = AWSRequest(method="POST", url=srv.url + "/", headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11})
    with mock.patch("botocore.auth.get_current_datetime", return_value=when or dt.datetime.now(dt.UTC)):
        SigV4QueryAuth(Credentials(ALICE, secret), "workspaces", "us-east-1", expires=expires).add_auth(request)
    return request


def test_a_presigned_url_from_botocore_gets_in_as_its_account(strict):
    _enable_byol(strict)
    request = presigned(strict)
    assert "X-Amz-Signature=" in request.url and "Authorization" not in request.headers
    r = httpx.post(request.url, headers=dict(request.headers.items()), content=b"")
    assert r.status_code == 200, r.text
    assert r.json()["DedicatedTenancySupport"] == "ENABLED"  # alice's account, not the default one


def test_a_presigned_url_with_a_wrong_secret_or_past_its_expiry_is_refused(strict):
    wrong = presigned(strict, secret="nope")
    r = httpx.post(wrong.url, headers=dict(wrong.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")
    old = presigned(strict, expires=60, when=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2))
    r = httpx.post(old.url, headers=dict(old.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (400, "InvalidSignatureException")
    assert r.json()["message"].startswith("Signature expired: ") and r.json()["message"].endswith("- 60 sec.)")
    tampered = presigned(strict)
    r = httpx.post(tampered.url.replace("X-Amz-Expires=300", "X-Amz-Expires=3000"),
                   headers=dict(tampered.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")


def test_a_malformed_authorization_header_is_an_incomplete_signature(strict):
    r = httpx.post(strict.url + "/", headers={"X-Amz-Target": TARGET, "Authorization": "AWS4-HMAC-SHA256 Nonsense",
                                              "X-Amz-Date": "20261127T000000Z"}, content=b"{}")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")
    # AWS's wording for a part without '=' (iann0036/cloud9-sync#10).
    assert r.json()["message"].startswith("'Nonsense' not a valid key=value pair (missing equal-sign)")
    r = httpx.post(strict.url + "/", headers={"X-Amz-Target": TARGET, "X-Amz-Date": "20261127T000000Z",
                                              "Authorization": "AWS4-HMAC-SHA256 SignedHeaders=host, Signature=ab"},
                   content=b"{}")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")
    assert "requires 'Credential' parameter" in r.json()["message"]


def test_the_directory_service_is_checked_too(strict):
    status, code, _ = error_of(strict.client("ds", key=ALICE, secret="wrong").describe_directories)
    assert (status, code) == (403, "InvalidSignatureException")
    ds = strict.client("ds", key=ALICE, secret=ALICE_SECRET)
    made = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    assert [d["DirectoryId"] for d in ds.describe_directories()["DirectoryDescriptions"]] == [made]


def test_permissive_is_the_default_and_trusts_any_secret(own_server):
    srv = own_server()
    default = config.DEFAULT_ACCOUNT
    srv.client(key=default, secret="one").modify_account(DedicatedTenancySupport="ENABLED",
                                                        DedicatedTenancyManagementCidrRange="10.9.0.0/16")
    assert srv.client(key=default, secret="anything").describe_account()["DedicatedTenancySupport"] == "ENABLED"
    assert srv.client(key="222233334444", secret="one").describe_account()["DedicatedTenancySupport"] == "DISABLED"
    r = httpx.post(srv.url + "/", headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11}, content=b"{}")
    assert r.json()["DedicatedTenancySupport"] == "ENABLED", "an unsigned request runs in the default account"


# Attacks on strict auth: each passed before the authorization was parsed once (issue 11).

class SigV4Unsigned(SigV4Auth):
    """botocore's signer, leaving the named headers out of SignedHeaders (the signature itself is valid)."""

    def __init__(self, *args, leave_out: tuple[str, ...]):
        super().__init__(*args)
        self.leave_out = leave_out

    def headers_to_sign(self, request):
        headers = super().headers_to_sign(request)
        for name in self.leave_out:
            del headers[name]
        return headers


def test_a_second_credential_cannot_smuggle_in_another_identity(strict):
    bob = strict.client(key=BOB, secret=BOB_SECRET)
    group = bob.create_ip_group(GroupName="bobs")["GroupId"]
    request = signed(strict, json.dumps({"GroupId": group}).encode(), target="WorkspacesService.DeleteIpGroup")
    scheme, _, params = request.headers["Authorization"].partition(" ")
    bob_scope = f"{BOB}/{dt.datetime.now(dt.UTC):%Y%m%d}/us-east-1/workspaces/aws4_request"
    for smuggled in (f"Credential={bob_scope}, {params}", f"XCredential={bob_scope}, {params}",
                     f"{params}, Credential={bob_scope}"):
        headers = {**dict(request.headers.items()), "Authorization": f"{scheme} {smuggled}"}
        r = httpx.post(request.url, headers=headers, content=request.body)
        assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException"), smuggled
    assert [g["groupId"] for g in bob.describe_ip_groups()["Result"]] == [group], "Bob's group is untouched"


def test_a_repeated_credential_is_refused_in_permissive_mode_too(own_server):
    srv = own_server()
    request = signed(srv, b"{}", key="111111111111")
    scheme, _, params = request.headers["Authorization"].partition(" ")
    other = f"Credential=222222222222/{dt.datetime.now(dt.UTC):%Y%m%d}/us-east-1/workspaces/aws4_request"
    headers = {**dict(request.headers.items()), "Authorization": f"{scheme} {other}, {params}"}
    r = httpx.post(request.url, headers=headers, content=b"{}")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")
    assert "repeats 'Credential'" in r.json()["message"]


def test_a_repeated_presigned_credential_is_refused(strict):
    request = presigned(strict)
    bob = f"{BOB}/{dt.datetime.now(dt.UTC):%Y%m%d}/us-east-1/workspaces/aws4_request"
    r = httpx.post(request.url + "&X-Amz-Credential=" + bob, headers=dict(request.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")


@pytest.mark.parametrize("left_out, called", [("host", "'Host' or ':authority'"), ("x-amz-target", "'X-Amz-Target'")])
def test_host_and_the_target_must_be_signed(strict, left_out, called):
    request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}",
                         headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11})
    SigV4Unsigned(Credentials(ALICE, ALICE_SECRET), "workspaces", "us-east-1", leave_out=(left_out,)).add_auth(request)
    assert left_out not in request.headers["Authorization"].split("SignedHeaders=")[1].split(",")[0].split(";")
    r = send(request)
    assert (r.status_code, r.json()["__type"]) == (403, "InvalidSignatureException")
    assert r.json()["message"] == f"{called} must be a 'SignedHeader' in the AWS Authorization."


def test_a_request_signed_for_another_service_is_refused(strict):
    request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}",
                         headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11})
    SigV4Auth(Credentials(ALICE, ALICE_SECRET), "s3", "us-east-1").add_auth(request)
    r = send(request)
    # AWS's answer and status (aws/aws-sdk-ruby#431, disneystreaming/smithy4s#1568).
    assert (r.status_code, r.json()["__type"]) == (400, "InvalidSignatureException")
    assert r.json()["message"] == "Credential should be scoped to correct service: 'workspaces'. "
    ds = AWSRequest(method="POST", url=strict.url + "/", data=b"{}",
                    headers={"X-Amz-Target": "DirectoryService_20150416.DescribeDirectories", "Content-Type": JSON_11})
    SigV4Auth(Credentials(ALICE, ALICE_SECRET), "workspaces", "us-east-1").add_auth(ds)
    assert send(ds).json()["message"] == "Credential should be scoped to correct service: 'ds'. "


def test_a_presigned_url_lives_at_most_seven_days(strict):
    week = presigned(strict, expires=604800)
    assert httpx.post(week.url, headers=dict(week.headers.items()), content=b"").status_code == 200
    decade = presigned(strict, expires=10 * 365 * 86400)
    r = httpx.post(decade.url, headers=dict(decade.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")
    assert "604800" in r.json()["message"]


@pytest.mark.parametrize("expires", ["\u00b2", "1" * 20, "-5", "", "3e2", "\uff15"])
def test_a_malformed_expiry_is_a_client_error(strict, expires):
    request = presigned(strict)
    url = re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=" + quote(expires), request.url)
    r = httpx.post(url, headers=dict(request.headers.items()), content=b"")
    assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(header=st.one_of(
    st.text(max_size=200),
    st.builds(lambda parts: "AWS4-HMAC-SHA256 " + ", ".join(parts), st.lists(st.one_of(
        st.sampled_from(["Credential=AKIAALICE/20261127/us-east-1/workspaces/aws4_request", "SignedHeaders=host",
                         "Signature=00", "Credential=", "SignedHeaders=;;", "Credential=a/b/c/d/e"]),
        st.text(max_size=40)), max_size=5))),
    date=st.one_of(st.none(), st.text(max_size=20), st.just("20261127T000000Z")),
    expires=st.one_of(st.none(), st.text(max_size=25), st.sampled_from(["\u00b2", "9" * 20, "604801"])),
    credential=st.one_of(st.just(f"{ALICE}/{dt.datetime.now(dt.UTC):%Y%m%d}/us-east-1/workspaces/aws4_request"),
                         st.text(max_size=80)))
def test_no_malformed_authorization_gets_a_server_error(strict, header, date, expires, credential):
    headers = {"X-Amz-Target": TARGET, "Content-Type": JSON_11}
    if date is not None:
        headers["X-Amz-Date"] = date
    params = {}
    if expires is None:
        headers["Authorization"] = header
    else:
        params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Credential": credential, "X-Amz-Date": date or "",
                  "X-Amz-Expires": expires, "X-Amz-SignedHeaders": "host", "X-Amz-Signature": "00"}
    try:
        r = httpx.post(strict.url + "/", params=params, headers=headers, content=b"{}", timeout=30)
    except (UnicodeEncodeError, httpx.LocalProtocolError):
        return  # httpx will not send it; neither would any client
    assert 400 <= r.status_code < 500, r.text
    assert r.headers["content-type"].startswith("application/x-amz-json-1.1")  # a control character too


# Permissions.

POLICY = {"policies": {
    # Reads only: everything else is implicitly denied.
    "AKIAREADER": [{"Effect": "Allow", "Action": "workspaces:Describe*"}],
    # Everything, except terminating any WorkSpace and touching one named directory.
    "AKIAOPERATOR": {"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": ["workspaces:TerminateWorkspaces"],
         "Resource": "arn:aws:workspaces:*:*:workspace/ws-*"},
        {"Effect": "Deny", "Action": "workspaces:*", "Resource": "arn:aws:workspaces:us-east-1:*:directory/d-10cced*"},
    ]},
    # An account's statements apply to every key of that account.
    "222233334444": [{"Effect": "Deny", "Action": "workspaces:ModifyAccount"},
                     {"Effect": "Allow", "Action": "workspaces:*"}],
}}


@pytest.fixture
def guarded(own_server, tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps(POLICY))
    return own_server("--policy", str(path), "--clock", "manual")


def test_an_allow_on_describe_lets_reads_in_and_nothing_else(guarded):
    reader = guarded.client(key="AKIAREADER")
    assert reader.describe_workspaces()["Workspaces"] == []
    status, code, message = error_of(lambda: reader.create_connection_alias(ConnectionString="www.example.com"))
    assert (status, code) == (400, "AccessDeniedException")
    assert message == ("User: arn:aws:iam::000000000000:user/AKIAREADER is not authorized to perform: "
                       "workspaces:CreateConnectionAlias on resource: * because no identity-based policy allows "
                       "the workspaces:CreateConnectionAlias action")
    assert reader.describe_connection_aliases()["ConnectionAliases"] == [], "the denied call changed nothing"


def test_an_explicit_deny_on_a_resource_wins_over_an_allow(guarded):
    operator = guarded.client(key="AKIAOPERATOR")
    status, code, message = error_of(lambda: operator.terminate_workspaces(
        TerminateWorkspaceRequests=[{"WorkspaceId": "ws-0123456789"}]))
    assert (status, code) == (400, "AccessDeniedException")
    assert message == ("User: arn:aws:iam::000000000000:user/AKIAOPERATOR is not authorized to perform: "
                       "workspaces:TerminateWorkspaces on resource: "
                       "arn:aws:workspaces:us-east-1:000000000000:workspace/ws-0123456789 "
                       "with an explicit deny in an identity-based policy")
    _, code, message = error_of(lambda: operator.describe_workspace_directories(DirectoryIds=["d-10cced0001"]))
    assert code == "AccessDeniedException" and "directory/d-10cced0001" in message
    assert operator.describe_workspace_directories(DirectoryIds=["d-9067000001"])["Directories"] == []
    # The resource pattern names a Region: the same directory id elsewhere is allowed.
    west = guarded.client(region="us-west-2", key="AKIAOPERATOR")
    assert west.describe_workspace_directories(DirectoryIds=["d-10cced0001"])["Directories"] == []


def test_account_statements_apply_to_every_key_of_that_account(guarded):
    status, code, _ = error_of(lambda: guarded.client(key="222233334444").modify_account(
        DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.8.0.0/16"))
    assert (status, code) == (400, "AccessDeniedException")
    assert guarded.client(key="222233334444").describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_a_caller_without_a_policy_is_allowed(guarded):
    other = guarded.client(key="999988887777")
    other.create_connection_alias(ConnectionString="www.example.com")
    assert len(other.describe_connection_aliases()["ConnectionAliases"]) == 1


def test_a_policy_with_what_understudy_cannot_enforce_is_refused_at_start(tmp_path):
    path = tmp_path / "policy.json"
    path.write_text(json.dumps({"policies": {"AKIAX": [{"Effect": "Allow", "NotAction": "workspaces:*"}]}}))
    r = subprocess.run([sys.executable, "-m", "understudy", "serve", "--db", "sqlite://", "--policy", str(path)],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "--policy" in r.stderr


def test_a_repeated_target_or_authorization_header_is_refused(own_server):
    srv = own_server()
    request = signed(srv, b"{}")
    headers = [(k, v) for k, v in request.headers.items()]
    for name, value in (("X-Amz-Target", "WorkspacesService.DescribeWorkspaces"),
                        ("Authorization", request.headers["Authorization"])):
        r = httpx.post(request.url, headers=[(name, value), *headers], content=b"{}")
        assert (r.status_code, r.json()["__type"]) == (403, "IncompleteSignatureException")
        assert name.lower() in r.json()["message"]


def test_host_must_be_signed_even_when_http_1_0_sends_none(strict):
    """HTTP/1.0 needs no Host header; a signature that leaves it out is still refused, as AWS does."""
    request = AWSRequest(method="POST", url=strict.url + "/", data=b"{}",
                         headers={"X-Amz-Target": TARGET, "Content-Type": JSON_11})
    SigV4Unsigned(Credentials(ALICE, ALICE_SECRET), "workspaces", "us-east-1", leave_out=("host",)).add_auth(request)
    lines = [f"{k}: {v}" for k, v in request.headers.items()] + ["Content-Length: 2"]
    head, body = raw_exchange(strict.port, ("POST / HTTP/1.0\r\n" + "\r\n".join(lines) + "\r\n\r\n{}").encode())
    assert head.startswith(b"HTTP/1.1 403") and json.loads(body)["__type"] == "InvalidSignatureException"
