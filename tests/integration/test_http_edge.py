"""The AWS API over raw connections: what the server's own protocol (protocol/server.py) must keep while
it answers plain `POST /` requests directly, past the ASGI layers every other request takes."""

import json
import socket

import pytest

from tests.helpers import Server

pytestmark = pytest.mark.socket

SIGNED = ("Authorization: AWS4-HMAC-SHA256 Credential=123456789012/20261127/us-east-1/workspaces/aws4_request, "
          "SignedHeaders=host, Signature=0\r\n")


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    server = Server(f"sqlite:///{tmp_path_factory.mktemp('edge')}/state.db", "--clock", "manual").start()
    yield server
    server.stop()


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


def test_a_client_that_pipelines_without_reading_then_hangs_up_leaves_no_error_behind(tmp_path):
    """Its answers wait for it to read; when it goes, the request being answered ends quietly."""
    server = Server(f"sqlite:///{tmp_path}/state.db").start()
    try:
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
    finally:
        server.stop()

