"""Shared fixtures: a real `understudy serve` process per test worker and backend, and boto3 clients.

Every test that uses the `server` runs twice: on SQLite and on PostgreSQL (a fresh database each
run, on UNDERSTUDY_TEST_PG, by default the local server's `postgres` role). UNDERSTUDY_TEST_BACKENDS
(comma-separated) narrows that for a quick local run. Each test gets an account of its own (a random
12-digit access key), so tests never see each other's state and need no reset. The server's clock
is manual: a test moves time explicitly.
"""

import os
import random
import secrets
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import boto3
import httpx
import psycopg
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

pytest_plugins = ["pytester"]  # tests/integration/test_pytest_plugin.py runs the plugin in a pytest of its own

BACKENDS = os.environ.get("UNDERSTUDY_TEST_BACKENDS", "sqlite,postgresql").split(",")
PG_ADMIN_URL = os.environ.get("UNDERSTUDY_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def code(call, **kw) -> str:
    """The AWS error code a call answers (it must fail)."""
    with pytest.raises(ClientError) as e:
        call(**kw)
    return e.value.response["Error"]["Code"]


def other_account(*taken: str) -> str:
    """A random 12-digit account id, none of `taken`."""
    while True:
        candidate = "".join(random.choice("0123456789") for _ in range(12))
        if candidate not in taken:
            return candidate


@contextmanager
def fresh_pg_database():
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
def database(backend: str, tmp_path: Path):
    if backend == "postgresql":
        with fresh_pg_database() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path}/state.db"


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
    """A real server process; `restart()` keeps its database."""

    def __init__(self, db: str, *args: str):
        self.db, self.args, self.port, self.proc = db, args, free_port(), None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Server":
        cmd = [sys.executable, "-m", "understudy", "serve", "--port", str(self.port), "--db", self.db,
               *self.args]
        self.log_path = Path(os.environ.get("TMPDIR", "/tmp")) / f"understudy-{self.port}.log"
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log.name}")
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
        raise RuntimeError("server did not answer within 30 s")

    def stop(self, sig_kill: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill() if sig_kill else self.proc.terminate()
            self.proc.wait(timeout=30)
        self.log.close()

    def restart(self) -> None:
        self.stop()
        self.start()

    def admin(self, method: str, path: str, **kw) -> httpx.Response:
        return httpx.request(method, self.url + "/_understudy" + path, timeout=60, **kw)

    def advance(self, seconds: float) -> dict:
        return self.admin("POST", "/clock", json={"advance_seconds": seconds}).json()


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, tmp_path_factory):
    with database(request.param, tmp_path_factory.mktemp("db")) as db:
        srv = Server(db, "--clock", "manual", "--timing", "fast").start()
        yield srv
        srv.stop()


@pytest.fixture
def own_server(tmp_path):
    """own_server(*serve_args) -> a server of the test's own, on SQLite in tmp_path; stopped afterwards."""
    servers = []

    def start(*args: str) -> Server:
        srv = Server(f"sqlite:///{tmp_path}/state.db", *args).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture
def account() -> str:
    return "".join(random.choice("0123456789") for _ in range(12))


@pytest.fixture
def make_client(server, account):
    """make_client(service="workspaces", region="us-east-1", account=<this test's>)."""

    def make(service: str = "workspaces", region: str = "us-east-1", account_id: str | None = None):
        return boto3.client(service, endpoint_url=server.url, region_name=region,
                            aws_access_key_id=account_id or account, aws_secret_access_key="secret",
                            config=Config(retries={"max_attempts": 1}))

    return make


@pytest.fixture
def ws(make_client):
    """A WorkSpaces client in us-east-1 for this test's account."""
    return make_client()


@pytest.fixture(autouse=True)
def _clock_fast(request):
    """Every test that uses the server starts on the manual clock with fast timing."""
    if "server" in request.fixturenames:
        request.getfixturevalue("server").admin("POST", "/clock", json={"mode": "manual", "timing": "fast"})


@pytest.fixture
def make_directory(make_client, server):
    """make_directory(region, kind="SimpleAD"|"MicrosoftAD"|"ADConnector"): a directory registered with
    WorkSpaces in that Region, built through the Directory Service and WorkSpaces APIs."""

    def make(region: str = "us-east-1", kind: str = "MicrosoftAD") -> str:
        ds = make_client("ds", region=region)
        vpc = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}
        if kind == "SimpleAD":
            created = ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small", VpcSettings=vpc)
        elif kind == "MicrosoftAD":
            created = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=vpc)
        else:
            connect = {**vpc, "CustomerDnsIps": ["10.0.0.10"], "CustomerUserName": "Admin"}
            created = ds.connect_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                           ConnectSettings=connect)
        server.advance(3600)
        make_client(region=region).register_workspace_directory(DirectoryId=created["DirectoryId"])
        server.advance(3600)
        return created["DirectoryId"]

    return make


@pytest.fixture
def make_workspace(make_client, make_directory, server):
    """make_workspace(region, user, bundle_name=..., directory=None, **properties) -> an AVAILABLE WorkSpace id."""

    def make(region: str = "us-east-1", user: str = "alice", bundle_name: str = "Standard with Windows 10",
             directory: str | None = None, available: bool = True, **extra) -> str:
        client = make_client(region=region)
        token = None
        while True:
            page = client.describe_workspace_bundles(Owner="AMAZON", **({"NextToken": token} if token else {}))
            bundles = [b for b in page["Bundles"] if b["Name"].startswith(bundle_name)]
            token = page.get("NextToken")
            if bundles or not token:
                break
        assert bundles, f"no public bundle named {bundle_name!r}"
        request = {"DirectoryId": directory or make_directory(region), "UserName": user,
                   "BundleId": bundles[0]["BundleId"], **extra}
        r = client.create_workspaces(Workspaces=[request])
        assert not r["FailedRequests"], r["FailedRequests"]
        if available:
            server.advance(3600)
        return r["PendingRequests"][0]["WorkspaceId"]

    return make
