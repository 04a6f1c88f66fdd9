"""The pytest plugin (registered by an entry point): an Understudy server for the tests of any project.

    def test_my_runbook(understudy):
        ws = understudy.client("workspaces", "us-west-2")   # or any client: the endpoint env vars are set
        ...
        understudy.advance(1200)                            # 20 minutes later, everything due has happened

Each test gets fresh state (the server is shared by a session and reset before each test) and the
clock and timing its marker asks for: `@pytest.mark.understudy(clock="manual", timing="realistic")`,
defaulting to `--understudy-timing` (instant unless given). While the test runs,
AWS_ENDPOINT_URL_WORKSPACES and AWS_ENDPOINT_URL_DIRECTORY_SERVICE (and _DS) point every AWS SDK at
the server.
"""

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
    return Understudy(understudy_server, "123456789012")
