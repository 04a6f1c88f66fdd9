"""The pytest plugin (registered by an entry point): an Understudy server for the tests of any project.

    def test_my_runbook(understudy):
        ws = understudy.client("workspaces", "us-west-2")   # or any client: the endpoint env vars are set
        ...
        understudy.advance(1200)                            # 20 minutes later, everything due has happened

Each test gets fresh state (the server is shared by a session and reset before each test) and the
clock and timing its marker asks for: `@pytest.mark.understudy(clock="manual", timing="realistic")`,
defaulting to `--understudy-timing` (instant unless given). While the test runs,
AWS_ENDPOINT_URL_WORKSPACES and AWS_ENDPOINT_URL_DIRECTORY_SERVICE (and _DS) point every AWS SDK at
the server, and AWS_MAX_ATTEMPTS is 1 unless already set (an expected 503 then costs no retries).

`understudy_mock` is the same without a server: boto3's clients are answered inside the process
(`understudy.mock()`), which is faster and needs no port; only Python's boto3 can reach it.
"""

import os

import pytest

from understudy.embedded import RunningServer, serve_in_thread


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("understudy", "Understudy, a local Amazon WorkSpaces")
    group.addoption("--understudy-timing", default="instant", choices=("instant", "fast", "realistic"),
                    help="default timing profile of the `understudy` fixture (default: instant)")
    group.addoption("--understudy-db", default="sqlite://",
                    help="database of the `understudy` fixture's server (default: in memory)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "understudy(clock='manual', timing='instant'): the Understudy clock for a test")


class Understudy:
    """What a test gets: the server's URL, clients for it, and the control plane."""

    def __init__(self, server: RunningServer, account: str):
        self.server, self.url, self.account = server, server.url, account

    def client(self, service: str = "workspaces", region: str = "us-east-1", account: str | None = None):
        import boto3

        return boto3.client(service, endpoint_url=self.url, region_name=region,
                            aws_access_key_id=account or self.account, aws_secret_access_key="understudy")

    def advance(self, seconds: float) -> dict:
        return self.server.advance(seconds)

    def outage(self, region: str, api: str = "unavailable") -> dict:
        return self.server.admin("POST", "/outages", {"region": region, "api": api})

    def end_outage(self, region: str) -> dict:
        return self.server.admin("DELETE", f"/outages/{region}")

    def sign_in(self, user: str, code: str, **kw: str) -> dict:
        """Signs `user` in with `code` (a directory's RegistrationCode or a DNS name); `source_ip=` and `client=`
        are optional. Answers the outcome (docs/control-plane.md "Sign-ins and DNS")."""
        return self.server.admin("POST", "/sign-ins", {"registration_code": code, "user": user, **kw})

    def sign_out(self, session_id: str) -> dict:
        return self.server.admin("DELETE", f"/sign-ins/{session_id}")

    def set_dns(self, name: str, primary: str, secondary: str | None = None, **kw: bool) -> dict:
        """Points `name` at a PRIMARY connection alias and optionally a SECONDARY; `secondary_health_check=False`
        (or `primary_health_check=False`) makes that record count as healthy always."""
        records = [{"alias_id": alias, "failover": role, "health_check": kw.get(f"{role.lower()}_health_check", True)}
                   for role, alias in (("PRIMARY", primary), ("SECONDARY", secondary)) if alias]
        return self.server.admin("PUT", f"/dns/{name}", {"records": records})


@pytest.fixture
def understudy_mock(request: pytest.FixtureRequest):
    """Understudy in this process, with no server: boto3's WorkSpaces and Directory Service clients are answered
    directly (understudy.mock()). Fresh state in every test; the marker's clock and timing, as for `understudy`."""
    from understudy.inprocess import mock

    marker = request.node.get_closest_marker("understudy")
    wanted = {"clock": "manual", "timing": request.config.getoption("--understudy-timing"),
              **(marker.kwargs if marker else {})}
    with mock(clock=wanted["clock"], timing=wanted["timing"]) as handle:
        yield handle


@pytest.fixture(scope="session")
def understudy_server(request: pytest.FixtureRequest):
    server = serve_in_thread(db=request.config.getoption("--understudy-db"),
                             timing=request.config.getoption("--understudy-timing"))
    yield server
    server.stop()


@pytest.fixture
def understudy(understudy_server: RunningServer, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    marker = request.node.get_closest_marker("understudy")
    wanted = {"clock": "manual", "timing": request.config.getoption("--understudy-timing"),
              **(marker.kwargs if marker else {})}
    understudy_server.reset()
    understudy_server.admin("POST", "/clock", {"mode": wanted["clock"], "timing": wanted["timing"]})
    # botocore names the variable after the service id ("Directory Service"); _DS is set too, for tools
    # that use the endpoint prefix.
    for service in ("WORKSPACES", "DIRECTORY_SERVICE", "DS"):
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", understudy_server.url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "123456789012")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "understudy")
    # An SDK retries a 503 (a simulated outage) up to its attempts, with backoff: several seconds per call
    # that a test expects to fail. One attempt, unless the user chose otherwise.
    if "AWS_MAX_ATTEMPTS" not in os.environ:
        monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return Understudy(understudy_server, "123456789012")
