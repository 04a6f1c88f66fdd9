"""Region outages: the control plane, what WorkSpaces and the API do during one, and the runbook drill."""

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from examples import failover_runbook
from tests.helpers import describe_workspace as describe

P, S = "us-east-1", "us-west-2"


def test_outage_control_plane(server, outage):
    o = outage("eu-west-1", api="up")
    assert o["region"] == "eu-west-1" and o["api"] == "up" and o["since"] > 0
    listed = server.admin("GET", "/outages").json()["outages"]
    assert {"region": "eu-west-1", "api": "up", "since": o["since"]} in listed
    assert server.admin("DELETE", "/outages/eu-west-1").json() == {"region": "eu-west-1", "ended": True}
    assert server.admin("DELETE", "/outages/eu-west-1").status_code == 404
    assert server.admin("POST", "/outages", json={"region": "eu-west-1", "api": "sideways"}).status_code == 400
    assert server.admin("POST", "/outages", json={}).status_code == 400


def test_with_the_api_up_workspaces_turn_unhealthy_and_come_back(make_client, make_workspace, outage, server):
    east = make_client(region=P)
    wid = make_workspace(P, WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    outage(P, api="up")
    assert describe(east, wid)["State"] == "UNHEALTHY"
    server.admin("DELETE", f"/outages/{P}")
    assert describe(east, wid)["State"] == "AVAILABLE"


def test_with_the_api_down_calls_answer_a_retryable_503(make_client, outage):
    outage(P)
    with pytest.raises(ClientError) as e:
        make_client(region=P).describe_workspaces()
    assert e.value.response["Error"]["Code"] == "ServiceUnavailableException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    assert make_client(region=S).describe_workspaces()["Workspaces"] == []  # other Regions answer


def test_the_standby_side_sees_its_primary_unhealthy(make_client, make_workspace, make_directory, outage):
    primary = make_workspace(P)
    west = make_client(region=S)
    sid = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S)}])["PendingStandbyRequests"][0]["WorkspaceId"]
    outage(P)
    assert describe(west, sid)["RelatedWorkspaces"][0]["State"] == "UNHEALTHY"


@pytest.mark.socket
def test_the_failover_runbook_end_to_end(make_client, make_workspace, make_directory, outage, server, account,
                                         monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", account)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    # boto3's default session keeps the credentials it first read: this test's other backend may have run first.
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    directory = make_directory(P)
    primaries = [make_workspace(P, user=u, directory=directory) for u in ("ann", "ben", "cat")]
    standby_directory = make_directory(S)
    first = failover_runbook.ensure_standbys(P, S, standby_directory, server.url)
    assert len(first["created"]) == 3 and first["failed"] == []
    assert failover_runbook.ensure_standbys(P, S, standby_directory, server.url) == \
        {"primaries": 3, "created": [], "failed": []}
    server.advance(3600)
    assert failover_runbook.fail_over(P, S, server.url) == \
        {"region_down": False, "standbys": 3, "started": [], "failed": []}

    outage(P)
    result = failover_runbook.fail_over(P, S, server.url)
    assert result["region_down"] and sorted(result["started"]) == sorted(first["created"])
    server.advance(60)
    west = make_client(region=S)
    assert {describe(west, sid)["State"] for sid in first["created"]} == {"AVAILABLE"}

    server.admin("DELETE", f"/outages/{P}")
    assert {describe(make_client(region=P), pid)["State"] for pid in primaries} == {"AVAILABLE"}


def _runbook(server, *args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    return subprocess.run([sys.executable, "examples/failover_runbook.py", "--endpoint", server.url,
                           "--primary-region", P, "--standby-region", S, *args], capture_output=True, text=True,
                          env={**clean, "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
                               **env}, cwd=Path(__file__).resolve().parents[2], timeout=60)


@pytest.mark.socket
def test_the_runbook_says_what_it_needs_and_never_passes_off_nothing_as_success(own_server):
    server = own_server()  # of its own: the default account that a key of other than 12 digits falls into is empty
    r = _runbook(server, "failover")
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines() == ["error: no AWS credentials. Set AWS_ACCESS_KEY_ID and "
                                             "AWS_SECRET_ACCESS_KEY (or a profile). Against Understudy any values "
                                             "do, and a 12-digit access key id picks the account."]
    r = _runbook(server, "--standby-directory", "d-1234567890", "ensure", AWS_ACCESS_KEY_ID="not-twelve-digits",
                 AWS_SECRET_ACCESS_KEY="x")
    assert r.returncode != 0
    assert '"primaries": 0' in r.stdout and "error: found no primaries to act on" in r.stderr


@pytest.mark.socket
def test_outage_commands(server):
    def run(*args):
        return subprocess.run([sys.executable, "-m", "understudy", "outage", *args, "--endpoint", server.url],
                              capture_output=True, text=True, timeout=60)

    assert "outage in eu-central-1" in run("start", "eu-central-1", "--api", "up").stdout
    assert "eu-central-1" in run("list").stdout and "api up" in run("list").stdout
    assert "ended" in run("end", "eu-central-1").stdout
    assert run("end", "eu-central-1").returncode != 0
