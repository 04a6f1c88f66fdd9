"""What the server refuses at its door: oversized bodies and headers, deep JSON, long lists, slow clients,
and control-plane callers without the admin token."""

import http.client
import json
import re
import socket
import subprocess
import sys
import time

import httpx
import pytest

from tests.helpers import Server, free_port, raw_exchange
from understudy.protocol import limits, parser

TARGET = {"X-Amz-Target": "WorkspacesService.DescribeWorkspaces", "Content-Type": "application/x-amz-json-1.1",
          "Authorization": "AWS4-HMAC-SHA256 Credential=123456789012/20261127/us-east-1/workspaces/aws4_request, "
                           "SignedHeaders=host, Signature=0"}


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(f"sqlite:///{tmp_path_factory.mktemp('limits')}/state.db", "--clock", "manual").start()
    yield server
    server.stop()


def aws_error(r: httpx.Response) -> str:
    assert r.headers["content-type"] == "application/x-amz-json-1.1"
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", r.headers["x-amzn-requestid"])  # as AWS's do
    body = r.json()
    assert set(body) >= {"__type", "message"} and r.headers["x-amzn-ErrorType"] == body["__type"]
    return body["__type"]


def test_a_body_over_the_limit_is_413_in_aws_json(srv):
    r = httpx.post(srv.url + "/", headers=TARGET, content=b" " * (limits.MAX_BODY_BYTES + 1), timeout=30)
    assert (r.status_code, aws_error(r)) == (413, "RequestEntityTooLargeException")
    chunks = iter([b" " * 65536] * (limits.MAX_BODY_BYTES // 65536 + 1))
    chunked = httpx.post(srv.url + "/", headers=TARGET, content=chunks, timeout=30)
    assert (chunked.status_code, aws_error(chunked)) == (413, "RequestEntityTooLargeException")
    assert httpx.post(srv.url + "/", headers=TARGET, content=b"{}" + b" " * 1000).status_code == 200


@pytest.mark.parametrize("target, size", [("DescribeWorkspaces", limits.AWS_BODY_BYTES + 1),
                                          ("ImportClientBranding", limits.MAX_BODY_BYTES + 1)])
def test_a_client_that_writes_its_whole_body_before_reading_still_reads_the_413(srv, target, size):
    """Python's http.client, and requests on top of it, sends the whole body before it reads the answer. The
    server refuses as soon as the head arrives, then reads and drops what is still coming before it closes:
    closing with that unread, the client got a connection reset in place of the 413."""
    host, port = srv.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.request("POST", "/", body=b" " * size, headers={**TARGET, "X-Amz-Target": f"WorkspacesService.{target}"})
        r = conn.getresponse()
        assert (r.status, json.loads(r.read())["__type"]) == (413, "RequestEntityTooLargeException")
    finally:
        conn.close()


def test_a_client_that_goes_on_sending_after_its_refusal_is_cut_off(srv):
    """What follows a refusal is read and dropped for LINGER_SECONDS at most: then the connection is closed."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: WorkspacesService.DescribeWorkspaces\r\n"
                     b"Content-Length: %d\r\n\r\n" % (100 * limits.MAX_BODY_BYTES))
        assert sock.recv(65536).startswith(b"HTTP/1.1 413 ")
        stop = time.monotonic() + limits.LINGER_SECONDS + 10
        with pytest.raises(OSError):  # the reset of a closed connection, at most LINGER_SECONDS on
            while time.monotonic() < stop:
                sock.sendall(b" " * 65536)
                time.sleep(0.01)


def test_headers_over_the_limit_are_431_in_aws_json(srv):
    r = httpx.post(srv.url + "/", headers={**TARGET, "X-Padding": "a" * limits.MAX_HEADER_BYTES}, content=b"{}")
    assert (r.status_code, aws_error(r)) == (431, "RequestHeaderFieldsTooLargeException")


def test_json_nested_deeper_than_64_is_a_serialization_exception(srv):
    deep = {"Workspaces": 1}
    for _ in range(70):
        deep = {"x": deep}
    r = httpx.post(srv.url + "/", headers=TARGET, content=json.dumps(deep))
    assert (r.status_code, aws_error(r)) == (400, "SerializationException")
    assert "deeper than 64" in r.json()["message"]
    orjson_limit = b'{"x":' + b"[" * 5000 + b"]" * 5000 + b"}"
    r = httpx.post(srv.url + "/", headers=TARGET, content=orjson_limit)
    assert (r.status_code, aws_error(r)) == (400, "SerializationException")


def test_a_list_longer_than_the_model_allows_is_a_validation_exception(srv):
    body = {"WorkspaceIds": [f"ws-{i:010d}" for i in range(26)]}  # the model's max is 25
    r = httpx.post(srv.url + "/", headers=TARGET, content=json.dumps(body))
    assert (r.status_code, aws_error(r)) == (400, "ValidationException")
    assert "Member must have length less than or equal to 25" in r.json()["message"]


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes the connection (EOF) before `seconds` pass."""
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
        return True
    except TimeoutError:
        return False


def test_idle_and_kept_alive_connections_time_out_and_half_sent_ones_get_a_408(srv):
    host, port = "127.0.0.1", srv.port
    idle = socket.create_connection((host, port))
    half = socket.create_connection((host, port))
    half.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n")  # never finishes its head
    slow_body = socket.create_connection((host, port))
    slow_body.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{")
    slow_asgi = socket.create_connection((host, port))  # Origin: the ASGI path, whose app waits for the body
    slow_asgi.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nOrigin: http://x\r\nContent-Length: 10\r\n\r\n{")
    whole_then_half = socket.create_connection((host, port))  # half a request behind a whole one, in one send
    whole_then_half.sendall(b"GET /_understudy/health HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x")
    late = socket.create_connection((host, port))  # the same, whose second request is finished after 5 s
    late.sendall(b"GET /_understudy/health HTTP/1.1\r\nHost: x\r\n\r\nGET /_understudy/health HTTP/1.1\r\nHo")
    kept = socket.create_connection((host, port))
    kept.sendall(b"GET /_understudy/health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert kept.recv(65536).startswith(b"HTTP/1.1 200")
    started = time.monotonic()
    assert closed_within(kept, limits.KEEP_ALIVE_SECONDS + 3)
    # Past the keep-alive time, a begun request still waits for its rest, as long as its deadline allows.
    late.sendall(b"st: x\r\n\r\n")
    late.settimeout(5)
    seen = b""
    while seen.count(b"HTTP/1.1 200 ") < 2:
        seen += late.recv(65536) or b"<closed>"
        assert not seen.endswith(b"<closed>"), seen
    late.close()
    answers = {}
    for name, sock in (("idle", idle), ("half", half), ("slow_body", slow_body), ("slow_asgi", slow_asgi),
                       ("whole_then_half", whole_then_half)):
        sock.settimeout(limits.REQUEST_DEADLINE_SECONDS + 5 - (time.monotonic() - started))
        answers[name] = b""
        while chunk := sock.recv(65536):
            answers[name] += chunk
    assert answers.pop("idle") == b""  # it began no request: it is closed with no answer
    pipelined = answers["whole_then_half"]
    assert pipelined.startswith(b"HTTP/1.1 200 ") and pipelined.count(b"HTTP/1.1 408 ") == 1, pipelined
    answers["whole_then_half"] = pipelined[pipelined.index(b"HTTP/1.1 408 "):]
    for answer in answers.values():  # half a request is answered before the connection ends
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 408 ") and b"connection: close" in head.lower(), answer
        assert re.search(rb"(?i)x-amzn-requestid: [0-9a-f]{8}-[0-9a-f]{4}-", head), answer
        assert json.loads(body)["__type"] == "RequestTimeoutException", answer
    for sock in (idle, half, slow_body, slow_asgi, whole_then_half):
        sock.close()
    kept.close()
    assert httpx.get(srv.url + "/_understudy/health").status_code == 200


def test_a_given_admin_token_is_required_on_the_control_plane(tmp_path):
    srv = Server(f"sqlite:///{tmp_path}/state.db", "--admin-token", "s3cret").start()
    try:
        assert srv.admin("GET", "/health").status_code == 200, "health stays open for readiness probes"
        for method, path in (("GET", "/clock"), ("POST", "/reset"), ("GET", "/outages")):
            r = srv.admin(method, path)
            assert r.status_code == 401 and r.json()["error"] == "Unauthorized"
            assert srv.admin(method, path, headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert srv.admin(method, path, headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert httpx.post(srv.url + "/moto-api/reset").status_code == 401
        cli = [sys.executable, "-m", "understudy", "clock", "show", "--endpoint", srv.url]
        denied = subprocess.run(cli, capture_output=True, text=True, timeout=60, env={"PATH": ""})
        assert denied.returncode != 0 and "Unauthorized" in denied.stderr
        allowed = subprocess.run(cli, capture_output=True, text=True, timeout=60,
                                 env={"PATH": "", "UNDERSTUDY_ADMIN_TOKEN": "s3cret"})
        assert allowed.returncode == 0 and "mode real" in allowed.stdout
        assert httpx.post(srv.url + "/", headers=TARGET, content=b"{}").status_code == 200, "the AWS API is not"
    finally:
        srv.stop()


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.1.2.3", "workspaces.example.com"])
def test_serve_refuses_a_non_loopback_address_without_a_token(host):
    r = subprocess.run([sys.executable, "-m", "understudy", "serve", "--host", host, "--port", str(free_port()),
                        "--db", "sqlite://"], capture_output=True, text=True, timeout=60, env={"PATH": ""})
    assert r.returncode == 2 and "--admin-token" in r.stderr


def test_only_operations_that_carry_files_take_large_bodies(srv):
    r = httpx.post(srv.url + "/", headers=TARGET, content=b"{}" + b" " * limits.AWS_BODY_BYTES, timeout=30)
    assert (r.status_code, aws_error(r)) == (413, "RequestEntityTooLargeException")
    branding = {**TARGET, "X-Amz-Target": "WorkspacesService.ImportClientBranding"}
    r = httpx.post(srv.url + "/", headers=branding, content=b"{}" + b" " * (2 * limits.AWS_BODY_BYTES), timeout=30)
    assert r.status_code == 400 and aws_error(r) == "ValidationException", "read and parsed, not refused at the door"


def test_many_arrays_are_refused_before_decoding(srv):
    body = b'{"WorkspaceIds": [' + b",".join([b"[]"] * (parser.MAX_CONTAINERS + 1)) + b"]}"
    r = httpx.post(srv.url + "/", headers=TARGET, content=body, timeout=30)
    assert (r.status_code, aws_error(r)) == (400, "SerializationException")


UPLOAD_HEAD = ("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: WorkspacesService.ImportClientBranding\r\n"
               f"Content-Type: application/x-amz-json-1.1\r\nContent-Length: {limits.MAX_BODY_BYTES}\r\n\r\n").encode()
BRANDING = {**TARGET, "X-Amz-Target": "WorkspacesService.ImportClientBranding"}


def held_uploads(port: int, sent: int) -> list[socket.socket]:
    """Uploads that have declared the largest body and sent `sent` bytes of it, enough to fill the budget."""
    held = []
    for _ in range(limits.IN_FLIGHT_BYTES // limits.MAX_BODY_BYTES):
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        s.sendall(UPLOAD_HEAD + b"{" + b" " * (sent - 1))
        held.append(s)
    time.sleep(0.5)  # let the server read what they sent
    return held


def test_bodies_in_flight_share_one_budget(srv):
    """Uploads hold what they have sent while the rest arrives: past the budget, a retryable 503. The rest of
    the API has a budget of its own."""
    held = held_uploads(srv.port, limits.MAX_BODY_BYTES - 1)
    try:
        for body in (b"{}" + b" " * 1000, iter([b"{}", b" " * 1000])):  # declared, and chunked (the ASGI path)
            r = httpx.post(srv.url + "/", headers=BRANDING, content=body, timeout=30)
            assert (r.status_code, aws_error(r)) == (503, "ServiceUnavailableException")
            assert r.headers["connection"] == "close"
        assert httpx.post(srv.url + "/", headers=TARGET, content=b"{}").status_code == 200, "other calls go on"
    finally:
        for s in held:
            s.close()
    time.sleep(0.5)
    r = httpx.post(srv.url + "/", headers=BRANDING, content=b"{}" + b" " * 1000, timeout=30)
    assert r.status_code == 400 and aws_error(r) == "ValidationException", "the budget came back"


def test_a_declared_length_holds_nothing_until_it_is_sent(srv):
    """Connections that declare the largest body and send nothing of it refuse nobody."""
    held = held_uploads(srv.port, 1)
    try:
        r = httpx.post(srv.url + "/", headers=BRANDING, content=b"{}" + b" " * 1000, timeout=30)
        assert r.status_code == 400 and aws_error(r) == "ValidationException"
    finally:
        for s in held:
            s.close()


def test_a_head_over_64_kib_is_refused_while_it_arrives(srv):
    # 70 KiB of headers, the head still unfinished: the server answers without waiting for its end.
    head, body = raw_exchange(srv.port, b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"".join(
        f"X-Padding-{i}: ".encode() + b"a" * 4096 + b"\r\n" for i in range(17)))
    assert head.startswith(b"HTTP/1.1 431") and json.loads(body)["__type"] == "RequestHeaderFieldsTooLargeException"
