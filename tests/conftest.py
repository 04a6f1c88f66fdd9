"""Shared fixtures: a real `understudy serve` process per test worker and backend, and boto3 clients.

Every test that uses the `server` runs twice: on SQLite and on PostgreSQL (a fresh database each
run, on UNDERSTUDY_TEST_PG, by default the local server's `postgres` role). UNDERSTUDY_TEST_BACKENDS
(comma-separated) narrows that for a quick local run. Each test gets an account of its own (a random
12-digit access key), so tests never see each other's state and need no reset. The server's clock
is manual: a test moves time explicitly. Fixtures only: the helpers the tests share are in tests/helpers.py.
"""

import pytest

from tests.helpers import BACKENDS, InProcessServer, Server, other_account, pages, registered_directory, serving

pytest_plugins = ["pytester"]  # tests/integration/test_pytest_plugin.py runs the plugin in a pytest of its own


def pytest_collection_modifyitems(config, items):
    """On the in-process backend alone, tests whose subprocesses must reach a listening server are left out."""
    if BACKENDS == ["inprocess"]:
        kept = [item for item in items if item.get_closest_marker("socket") is None]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(scope="session", params=BACKENDS)
def server(request, tmp_path_factory):
    with serving(request.param, tmp_path_factory.mktemp("db"), "--clock", "manual", "--timing", "fast") as srv:
        yield srv


@pytest.fixture
def own_server(tmp_path):
    """own_server(*serve_args, quotas={name: n}) -> a server of the test's own, on SQLite in tmp_path, with those
    quotas (`--quota name=n`); stopped afterwards."""
    servers = []

    def start(*args: str, quotas: dict[str, int] | None = None) -> Server:
        kind = InProcessServer if BACKENDS == ["inprocess"] else Server
        srv = kind(f"sqlite:///{tmp_path}/state.db", *args, quotas=quotas).start()
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture
def account() -> str:
    return other_account()


@pytest.fixture
def make_client(server, account):
    """make_client(service="workspaces", region="us-east-1", account=<this test's>)."""

    def make(service: str = "workspaces", region: str = "us-east-1", account_id: str | None = None):
        return server.client(service, region=region, key=account_id or account, secret="secret")

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
    """make_directory(region, kind="SimpleAD"|"MicrosoftAD"|"ADConnector", account_id=<this test's>): a directory
    registered with WorkSpaces in that Region, built through the Directory Service and WorkSpaces APIs."""

    def make(region: str = "us-east-1", kind: str = "MicrosoftAD", account_id: str | None = None) -> str:
        return registered_directory(server, make_client("ds", region=region, account_id=account_id),
                                    make_client(region=region, account_id=account_id), kind)

    return make


@pytest.fixture
def registered(make_directory) -> str:
    """A directory registered with WorkSpaces in us-east-1 (make_directory's defaults)."""
    return make_directory()


@pytest.fixture
def make_workspace(make_client, make_directory, server):
    """make_workspace(region, user, bundle_name=..., directory=None, **properties) -> an AVAILABLE WorkSpace id."""

    def make(region: str = "us-east-1", user: str = "alice", bundle_name: str = "Standard with Windows 10",
             directory: str | None = None, available: bool = True, **extra) -> str:
        client = make_client(region=region)
        bundle = next((b for page in pages(client.describe_workspace_bundles, Owner="AMAZON")
                       for b in page["Bundles"] if b["Name"].startswith(bundle_name)), None)
        assert bundle, f"no public bundle named {bundle_name!r}"
        request = {"DirectoryId": directory or make_directory(region), "UserName": user,
                   "BundleId": bundle["BundleId"], **extra}
        r = client.create_workspaces(Workspaces=[request])
        assert not r["FailedRequests"], r["FailedRequests"]
        if available:
            server.advance(3600)
        return r["PendingRequests"][0]["WorkspaceId"]

    return make


@pytest.fixture
def outage(server):
    """outage(region, api="unavailable") starts a Region outage on the shared server; each ends after the test."""
    started = []

    def start(region: str, api: str = "unavailable") -> dict:
        started.append(region)
        r = server.admin("POST", "/outages", json={"region": region, "api": api})
        assert r.status_code == 200
        return r.json()

    yield start
    for region in started:
        server.admin("DELETE", f"/outages/{region}")
