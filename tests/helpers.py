"""Helpers the tests share: servers of their own, databases, clients, errors and pages. Fixtures live in conftest.

Backends: UNDERSTUDY_TEST_BACKENDS (comma-separated, default both) narrows the servers a test runs on;
PostgreSQL is reached as UNDERSTUDY_TEST_PG, by default the local server's `postgres` role. A third
backend, `inprocess`, is the same app inside the test process (`InProcessServer`): no socket, so the
mutation run (tools/mutation.py) sees the code it mutates; tests that need a socket say so with the
`socket` mark and are left out there.
"""

import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import boto3
import httpx
import psycopg
import pytest
from botocore.awsrequest import AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from starlette.testclient import TestClient

from understudy import cli, config
from understudy.app import create_app
from understudy.inprocess import RawBody

BACKENDS = os.environ.get("UNDERSTUDY_TEST_BACKENDS", "sqlite,postgresql").split(",")
PG_ADMIN_URL = os.environ.get("UNDERSTUDY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}


def missing(reason: str) -> NoReturn:
    """A tool this test needs is not installed: skipped on a developer's machine, but a failure under CI
    (`.ci/run` sets CI and installs every tool), so a broken install can never pass as a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run should have installed it")
    pytest.skip(reason, allow_module_level=True)


def error(call: Callable, **kw) -> dict:
    """The whole error response a call answers (it must fail, with a message: AWS's errors always say something)."""
    with pytest.raises(ClientError) as e:
        call(**kw)
    message = e.value.response["Error"].get("Message")
    assert isinstance(message, str) and message.strip(), f"{e.value.response['Error']} has no message"
    return e.value.response


def said(call: Callable, **kw) -> tuple[str, str]:
    """The AWS error code and message a call answers (it must fail)."""
    answer = error(call, **kw)["Error"]
    return answer["Code"], answer["Message"]


def code(call: Callable, **kw) -> str:
    """The AWS error code a call answers (it must fail)."""
    return error(call, **kw)["Error"]["Code"]


def pages(call: Callable, **kw) -> Iterator[dict]:
    """Each page a paged call answers, following NextToken until there is none."""
    token = None
    while True:
        page = call(**kw, **({"NextToken": token} if token else {}))
        yield page
        token = page.get("NextToken")
        if not token:
            return


def public_bundle(client, name: str) -> str:
    """The id of the public (AMAZON) bundle named exactly `name`."""
    for page in pages(client.describe_workspace_bundles, Owner="AMAZON"):
        for bundle in page["Bundles"]:
            if bundle["Name"] == name:
                return bundle["BundleId"]
    raise AssertionError(f"no public bundle named {name!r}")


def enable_byol(client) -> None:
    """Turns on BYOL (dedicated tenancy) for the client's account, which importing an image needs."""
    client.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")


def import_byol(client, name: str, process: str = "BYOL_REGULAR", **extra) -> str:
    """The id of a new BYOL image imported from an AMI (IMPORTING until the clock moves on)."""
    return client.import_workspace_image(Ec2ImageId="ami-0123456789abcdef0", IngestionProcess=process,
                                         ImageName=name, ImageDescription="Golden image", **extra)["ImageId"]


def describe_workspace(client, wid: str) -> dict | None:
    """A WorkSpace as DescribeWorkspaces shows it, or None when it shows no such WorkSpace."""
    found = client.describe_workspaces(WorkspaceIds=[wid])["Workspaces"]
    return found[0] if found else None


def registered_directory(server: "Server", ds, ws, kind: str = "MicrosoftAD") -> str:
    """A directory of `kind` ("SimpleAD", "MicrosoftAD" or "ADConnector") made through the `ds` client and registered
    through the `ws` client (one account and Region), the manual clock of `server` moved on past each step."""
    if kind == "SimpleAD":
        created = ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small", VpcSettings=VPC)
    elif kind == "MicrosoftAD":
        created = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)
    else:
        connect = {**VPC, "CustomerDnsIps": ["10.0.0.10"], "CustomerUserName": "Admin"}
        created = ds.connect_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                       ConnectSettings=connect)
    server.advance(3600)
    ws.register_workspace_directory(DirectoryId=created["DirectoryId"])
    server.advance(3600)
    return created["DirectoryId"]


def other_account(*taken: str) -> str:
    """A random 12-digit account id, none of `taken`."""
    while True:
        candidate = "".join(random.choice("0123456789") for _ in range(12))
        if candidate not in taken:
            return candidate


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one server (or several sharing it), dropped afterwards."""
    name = "understudy_test_" + secrets.token_hex(4)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def database(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on `backend` ("sqlite" in tmp_path, or "postgresql"), gone afterwards."""
    if backend == "postgresql":
        with fresh_pg_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path}/state.db"


def raw_exchange(port: int, request: bytes) -> tuple[bytes, bytes]:
    """Sends raw bytes to a server on 127.0.0.1 and reads until it closes: (the answer's head, its body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    return head, body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _self_and_parent(pid: int | None) -> tuple[int | None, ...]:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (OSError, TypeError):
        return (pid,)
    return pid, int(next(line.split()[1] for line in status.splitlines() if line.startswith("PPid:")))


class Server:
    """A real server process; `restart()` keeps its database. `quotas` become `--quota NAME=N` flags."""

    def __init__(self, db: str, *args: str, quotas: Mapping[str, int] | None = None):
        quota_args = [arg for name, n in (quotas or {}).items() for arg in ("--quota", f"{name}={n}")]
        self.db, self.args, self.port, self.proc = db, (*args, *quota_args), free_port(), None
        self.log = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        cmd = [sys.executable, "-m", "understudy", "serve", "--port", str(self.port), "--db", self.db,
               *self.args]
        # A log of this start alone: a name of its own, written afresh, so no line of an earlier server on the same
        # port (or of this one before a restart) is ever read as this one's.
        handle, name = tempfile.mkstemp(prefix=f"understudy-{self.port}-", suffix=".log")
        os.close(handle)
        self.log_path = Path(name)
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.close()
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                health = httpx.get(self.url + "/_understudy/health", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.05)
                continue
            # The port was free when chosen, but another test worker may have taken it since: only our own
            # process's answer counts (or, with --workers, one of its children's).
            if health.status_code == 200 and self.proc.pid in _self_and_parent(health.json().get("pid")):
                return self
            self.stop()
            self.port = free_port()
            return self.start()
        self.stop(sig_kill=True)
        raise RuntimeError(f"server did not answer within 30 s; see {self.log_path}")

    def stop(self, sig_kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if sig_kill else self.proc.terminate()
            self.proc.wait(timeout=30)
        if self.log is not None:
            self.log.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def client(self, service: str = "workspaces", *, region: str = "us-east-1", key: str = "123456789012",
               secret: str = "x", **config: object):
        """A boto3 client of this server with botocore's `retries={"max_attempts": 1}` unless `config` (botocore
        Config options) says otherwise."""
        return boto3.client(service, endpoint_url=self.url, region_name=region, aws_access_key_id=key,
                            aws_secret_access_key=secret,
                            config=Config(**{"retries": {"max_attempts": 1}, **config}))

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        """A plain HTTP request to `path` (with its query, if any) on this server."""
        return httpx.request(method, self.url + path, timeout=60, **kw)

    def admin(self, method: str, path: str, **kw) -> httpx.Response:
        return self.request(method, "/_understudy" + path, **kw)

    def advance(self, seconds: float) -> dict:
        return self.admin("POST", "/clock", json={"advance_seconds": seconds}).json()


class InProcessServer(Server):
    """The app `understudy serve` runs, in this process: boto3 clients and control-plane calls reach it through
    Starlette's TestClient instead of a socket. `url` and `port` name no listener."""

    def __init__(self, db: str, *args: str, quotas: Mapping[str, int] | None = None):
        super().__init__(db, *args, quotas=quotas)
        self.port, self.http = 0, None

    @property
    def url(self) -> str:
        return "http://localhost"

    def start(self) -> "InProcessServer":
        # The serve command's own option parsing, so `*args` mean what they mean to `understudy serve`.
        options = cli.serve.make_context("serve", ["--db", self.db, *self.args]).params
        for name in ("log_level", "workers", "host", "port"):
            options.pop(name)
        self.http = TestClient(create_app(config.from_options(**options)), base_url=self.url)
        self.http.__enter__()
        return self

    def stop(self, sig_kill: bool = False) -> None:
        if self.http is not None:
            self.http.__exit__(None, None, None)
            self.http = None

    def client(self, service: str = "workspaces", **kw):
        client = super().client(service, **kw)
        client.meta.events.register_first("before-send", self._send)
        return client

    def _send(self, request, **_) -> AWSResponse:
        body = request.body or b""
        body = body.read() if hasattr(body, "read") else body
        r = self.http.request(request.method, request.url, headers=dict(request.headers.items()), content=body)
        return AWSResponse(request.url, r.status_code, r.headers, RawBody(r.content))

    def request(self, method: str, path: str, **kw) -> httpx.Response:
        return self.http.request(method, path, **kw)


@contextmanager
def serving(backend: str, tmp_path: Path, *args: str) -> Iterator[Server]:
    """A server started on an empty database of `backend` (see `database`), stopped and its database gone after;
    `inprocess` is an InProcessServer on SQLite."""
    if backend == "inprocess":
        srv = InProcessServer(f"sqlite:///{tmp_path}/state.db", *args).start()
        try:
            yield srv
        finally:
            srv.stop()
        return
    with database(backend, tmp_path) as db:
        srv = Server(db, *args).start()
        try:
            yield srv
        finally:
            srv.stop()
