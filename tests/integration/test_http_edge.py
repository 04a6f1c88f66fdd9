"""The AWS API over raw connections: what the server's own protocol (protocol/server.py) must keep while
it answers plain `POST /` requests directly, past the ASGI layers every other request takes. On PostgreSQL
a read's direct answer waits on the store without blocking (store/pipelined.py), so each test runs on both."""

import json
import random
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.helpers import BACKENDS, PG_ADMIN_URL, public_bundle, registered_directory, serving

pytestmark = pytest.mark.socket

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261127/us-east-1/workspaces/aws4_request, "
          "SignedHeaders=host, Signature=0\r\n")


SERVED = [backend for backend in BACKENDS if backend != "inprocess"]


@pytest.fixture(scope="module", params=SERVED)
def srv(request, tmp_path_factory):
    with serving(request.param, tmp_path_factory.mktemp("edge"), "--clock", "manual") as server:
        yield server


def aws(operation: str, body: bytes = b"{}", version: str = "1.1", extra: str = "") -> bytes:
    return (f"POST / HTTP/{version}\r\nHost: 127.0.0.1\r\nX-Amz-Target: WorkspacesService.{operation}\r\n"
            f"Content-Type: application/x-amz-json-1.1\r\n{SIGNED}{extra}Content-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def answers(sock: socket.socket, n: int) -> list[tuple[int, dict[str, str], bytes]]:
    """Reads n responses, framed by their content-length: (status, headers, body) each."""
    buffer, out = b"", []
    while len(out) < n:
        while b"\r\n\r\n" not in buffer:
            chunk = sock.recv(65536)
            assert chunk, f"the server closed the connection after {len(out)} of {n} answers"
            buffer += chunk
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
        length = int(headers["content-length"])
        while len(buffer) < length:
            chunk = sock.recv(65536)
            assert chunk, "the server closed the connection inside an answer"
            buffer += chunk
        out.append((int(status_line.split()[1]), headers, buffer[:length]))
        buffer = buffer[length:]
    return out


def closed(sock: socket.socket) -> bool:
    sock.settimeout(10)
    return sock.recv(1) == b""


def test_pipelined_requests_are_answered_in_order_on_either_path(srv):
    """AWS requests sent back to back, one behind a control-plane request and one refused at the door."""
    requests = [aws("DescribeAccount"), b"GET /_understudy/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
                aws("DescribeWorkspaces", b'{"WorkspaceIds": ["ws-aaaaaaaaa"]}'),
                aws("DescribeWorkspaces", b'{"Limit": 0}'), aws("DescribeAccount", b"[[]]")]
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(b"".join(requests))
        (s1, h1, b1), (s2, _, b2), (s3, h3, b3), (s4, h4, b4), (s5, h5, b5) = answers(s, len(requests))
    assert (s1, json.loads(b1)["DedicatedTenancySupport"]) == (200, "DISABLED")
    assert s2 == 200 and json.loads(b2)["status"] == "ok"
    assert (s3, json.loads(b3)) == (200, {"Workspaces": []})
    assert (s4, json.loads(b4)["__type"]) == (400, "ValidationException")
    assert (s5, json.loads(b5)["__type"]) == (400, "SerializationException")
    for headers in (h1, h3, h4, h5):
        assert headers["content-type"] == "application/x-amz-json-1.1" and headers["x-amzn-requestid"]
    assert len({h1["x-amzn-requestid"], h3["x-amzn-requestid"], h4["x-amzn-requestid"]}) == 3
    assert h4["x-amzn-errortype"] == "ValidationException"


@pytest.mark.parametrize("version, extra", [("1.0", ""), ("1.1", "Connection: close\r\n")])
def test_a_request_that_asks_for_no_more_gets_its_answer_then_the_connection_closes(srv, version, extra):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(aws("DescribeAccount", version=version, extra=extra))
        [(status, headers, body)] = answers(s, 1)
        assert (status, json.loads(body)["DedicatedTenancySupport"]) == (200, "DISABLED")
        assert headers["connection"] == "close"
        assert closed(s)


def test_a_body_sent_in_pieces_is_answered_once_whole(srv):
    body = b'{"WorkspaceIds": ["ws-aaaaaaaaa"]}'
    request = aws("DescribeWorkspaces", body)
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(0, len(request), 7):
            s.sendall(request[i:i + 7])
        [(status, _, answer)] = answers(s, 1)
    assert (status, json.loads(answer)) == (200, {"Workspaces": []})


def test_hundreds_of_pipelined_requests_all_come_back_whole_and_in_order(srv):
    """One read holds many requests: the first is answered directly, the rest wait their turn, and reading
    stops while they do; every one is answered, in order."""
    kinds = [aws("DescribeAccount"), aws("DescribeWorkspaces", b'{"WorkspaceIds": ["ws-aaaaaaaaa"]}'),
             aws("DescribeWorkspaces", b'{"Limit": 0}')]
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(b"".join(kinds[i % 3] for i in range(300)))
        got = answers(s, 300)
    for i, (status, _, body) in enumerate(got):
        expected = [(200, "DedicatedTenancySupport"), (200, "Workspaces"), (400, "__type")][i % 3]
        assert (status, expected[1] in json.loads(body)) == (expected[0], True), i


@pytest.mark.parametrize("backend", SERVED)
def test_a_client_that_pipelines_without_reading_then_hangs_up_leaves_no_error_behind(backend, tmp_path):
    """Its answers wait for it to read; when it goes, the request being answered ends quietly."""
    with serving(backend, tmp_path) as server:
        bundles = aws("DescribeWorkspaceBundles", b'{"Owner": "AMAZON"}')  # about 10 KB of answer each
        s = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.sendall(bundles * 2000)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # a reset
        s.close()
        other = socket.create_connection(("127.0.0.1", server.port), timeout=30)
        with other:
            other.sendall(aws("DescribeAccount"))
            [(status, _, _)] = answers(other, 1)
        assert status == 200
        server.stop()
        log = server.log_path.read_text()
        assert "Traceback" not in log and "Exception in ASGI application" not in log, log[-2000:]


def test_many_clients_reading_by_id_at_once_each_get_their_own_workspace(srv):
    """On PostgreSQL their reads wait on the store together, on one connection: each answer is still its own."""
    ws, ds = srv.client(), srv.client("ds")
    directory = registered_directory(srv, ds, ws)
    bundle = public_bundle(ws, "Standard with Windows 11 (Server 2022 based)")
    created = ws.create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": f"reader{i}", "BundleId": bundle} for i in range(12)])
    ids = [w["WorkspaceId"] for w in created["PendingRequests"]]
    assert len(ids) == 12, created["FailedRequests"]

    def client(seed: int) -> list[tuple[str, list[str]]]:
        rng, seen = random.Random(seed), []
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            for _ in range(25):
                wid = rng.choice(ids)
                s.sendall(aws("DescribeWorkspaces", json.dumps({"WorkspaceIds": [wid]}).encode()))
                [(status, _, body)] = answers(s, 1)
                assert status == 200, body
                seen.append((wid, [w["WorkspaceId"] for w in json.loads(body)["Workspaces"]]))
        return seen

    with ThreadPoolExecutor(16) as pool:
        seen = [pair for pairs in pool.map(client, range(16)) for pair in pairs]
    assert len(seen) == 16 * 25
    assert [shown for _, shown in seen] == [[wid] for wid, _ in seen]


def test_many_clients_writing_and_reading_at_once_each_read_their_own_last_write(srv):
    """Answered together in batches (on SQLite, the batch's reads in one snapshot, which a write ends): each
    client's read still shows the write it was answered just before, whatever else the batch held."""
    ws = srv.client()
    groups = [ws.create_ip_group(GroupName=f"batch-{i}")["GroupId"] for i in range(16)]

    def client(group: str) -> list[tuple[str, str]]:
        seen = []
        with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
            for n in range(20):
                tag = {"ResourceId": group, "Tags": [{"Key": "n", "Value": str(n)}]}
                s.sendall(aws("CreateTags", json.dumps(tag).encode()))
                [(status, _, body)] = answers(s, 1)
                assert status == 200, body
                s.sendall(aws("DescribeTags", json.dumps({"ResourceId": group}).encode()))
                [(status, _, body)] = answers(s, 1)
                assert status == 200, body
                seen.append((str(n), json.loads(body)["TagList"][0]["Value"]))
        return seen

    with ThreadPoolExecutor(16) as pool:
        seen = [pair for pairs in pool.map(client, groups) for pair in pairs]
    assert len(seen) == 16 * 20 and [read for _, read in seen] == [written for written, _ in seen]


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")
def test_reads_whose_connection_the_database_drops_are_answered_all_the_same(tmp_path):
    """The connection the server's reads wait on is ended while many are in flight: none is lost or failed."""
    with serving("postgresql", tmp_path) as server:
        name = server.db.rsplit("/", 1)[1]
        body = b'{"WorkspaceIds": ["ws-aaaaaaaaa"]}'

        def client(_) -> list[int]:
            with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
                statuses = []
                for _ in range(40):
                    s.sendall(aws("DescribeWorkspaces", body))
                    statuses += [status for status, _, _ in answers(s, 1)]
                return statuses

        assert client(0) == [200] * 40  # the server's reads have their connection now
        with ThreadPoolExecutor(8) as pool:
            running = pool.map(client, range(8))
            with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
                for _ in range(5):
                    admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                                  "AND pid <> pg_backend_pid()", (name,))
                    time.sleep(0.05)
            statuses = [status for each in running for status in each]
        assert statuses == [200] * 8 * 40
        server.stop()
        log = server.log_path.read_text()
        assert "the pipelined reads' connection failed" in log  # the connection the reads waited on was the one dropped
        assert "a request failed" not in log and "internal failure" not in log



@pytest.mark.parametrize("head", [
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: abc\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Amz-Target: a\x01b\r\nContent-Length: 2\r\n\r\n{}",
    b"POST /\x7f HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
], ids=["length-not-a-number", "length-negative", "control-character", "request-line"])
def test_a_request_that_is_not_http_gets_awss_json_error_and_a_closed_connection(srv, head):
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(head)
        [(status, headers, body)] = answers(s, 1)
        assert closed(s)
    assert (status, headers["content-type"], headers["connection"]) == (400, "application/x-amz-json-1.1", "close")
    assert json.loads(body)["__type"] == "SerializationException" and "not valid HTTP" in json.loads(body)["message"]
