"""One standby scenario through every kind of client: Understudy is not tuned to one SDK.

Each client, on its own primary: creates its standby from us-west-2, describes both sides, and reads
one error back by its type. boto3 sets up the primaries; the rest is the client's own doing.
The AWS CLI v2 and the Go SDK come from Debian's packages and the JavaScript SDK from npm, which
`.ci/run` installs; where one is missing on a developer's machine its test says so and is skipped (under CI it
fails instead).
"""

import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from aiobotocore.session import get_session

from tests.helpers import missing

CLIENTS = Path(__file__).resolve().parents[2] / "clients"
P, S = "us-east-1", "us-west-2"


@pytest.fixture
def primary_and_directory(make_workspace, make_directory):
    return make_workspace(P), make_directory(S)


def assert_pair(standby: str, primary: str, standby_sees: list, primary_sees: list) -> None:
    assert [(r["WorkspaceId"], r["Region"], r["Type"]) for r in standby_sees] == [(primary, P, "PRIMARY")]
    assert [(r["WorkspaceId"], r["Region"], r["Type"]) for r in primary_sees] == [(standby, S, "STANDBY")]


def test_aiobotocore(server, account, primary_and_directory):
    primary, directory = primary_and_directory

    async def scenario() -> tuple:
        session = get_session()
        kw = {"endpoint_url": server.url, "aws_access_key_id": account, "aws_secret_access_key": "secret"}
        async with session.create_client("workspaces", region_name=S, **kw) as west, \
                session.create_client("workspaces", region_name=P, **kw) as east:
            created = await west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
                {"PrimaryWorkspaceId": primary, "DirectoryId": directory}])
            standby = created["PendingStandbyRequests"][0]["WorkspaceId"]
            w = (await west.describe_workspaces(WorkspaceIds=[standby]))["Workspaces"][0]
            e = (await east.describe_workspaces(WorkspaceIds=[primary]))["Workspaces"][0]
            try:
                await west.create_standby_workspaces(PrimaryRegion=S, StandbyWorkspaces=[
                    {"PrimaryWorkspaceId": primary, "DirectoryId": directory}])
            except west.exceptions.InvalidParameterValuesException as err:
                return standby, w, e, err.response["Error"]["Code"]
            return standby, w, e, None

    standby, w, e, error = asyncio.run(scenario())
    assert_pair(standby, primary, w["RelatedWorkspaces"], e["RelatedWorkspaces"])
    assert error == "InvalidParameterValuesException"


def aws_cli(exe: str, server, account: str, region: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "secret", "AWS_DEFAULT_REGION": region,
           "AWS_MAX_ATTEMPTS": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
           "AWS_PAGER": ""}
    return subprocess.run([exe, "workspaces", *args, "--endpoint-url", server.url, "--output", "json"],
                          capture_output=True, text=True, env=env, timeout=120)


def cli_v1() -> str:
    return shutil.which("aws", path=str(Path(sys.executable).parent)) or pytest.fail("awscli is a test dependency")


def cli_v2() -> str:
    exe = "/usr/bin/aws"
    if not Path(exe).exists() or "aws-cli/2." not in subprocess.run([exe, "--version"], capture_output=True,
                                                                    text=True).stdout:
        missing("the AWS CLI v2 from Debian's awscli package is not installed (.ci/run installs it)")
    return exe


@pytest.mark.parametrize("cli", [cli_v1, cli_v2], ids=["aws-cli-v1", "aws-cli-v2"])
def test_aws_cli(cli, server, account, primary_and_directory):
    exe, (primary, directory) = cli(), primary_and_directory
    item = f"PrimaryWorkspaceId={primary},DirectoryId={directory}"
    created = aws_cli(exe, server, account, S, "create-standby-workspaces", "--primary-region", P,
                      "--standby-workspaces", item)
    assert created.returncode == 0, created.stderr
    standby = json.loads(created.stdout)["PendingStandbyRequests"][0]["WorkspaceId"]
    w = json.loads(aws_cli(exe, server, account, S, "describe-workspaces", "--workspace-ids", standby).stdout)
    e = json.loads(aws_cli(exe, server, account, P, "describe-workspaces", "--workspace-ids", primary).stdout)
    assert_pair(standby, primary, w["Workspaces"][0]["RelatedWorkspaces"], e["Workspaces"][0]["RelatedWorkspaces"])
    refused = aws_cli(exe, server, account, S, "create-standby-workspaces", "--primary-region", S,
                      "--standby-workspaces", item)
    assert refused.returncode != 0 and "(InvalidParameterValuesException)" in refused.stderr


def test_javascript_sdk_v3(server, account, primary_and_directory):
    if shutil.which("node") is None or not (CLIENTS / "js" / "node_modules" / "@aws-sdk").exists():
        missing("node or clients/js/node_modules is missing (.ci/run runs npm ci there)")
    primary, directory = primary_and_directory
    r = subprocess.run(["node", "scenario.mjs", server.url, account, primary, directory], cwd=CLIENTS / "js",
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert_pair(out["standby"], primary, out["standby_sees"], out["primary_sees"])
    assert out["error"] == "InvalidParameterValuesException"


def test_go_sdk_v1(server, account, primary_and_directory, make_client, tmp_path):
    if shutil.which("go") is None or not Path("/usr/share/gocode/src/github.com/aws/aws-sdk-go").exists():
        missing("go or Debian's golang-github-aws-aws-sdk-go-dev is missing (.ci/run installs them)")
    primary, directory = primary_and_directory
    standby = make_client(region=S).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": directory}])["PendingStandbyRequests"][0]["WorkspaceId"]
    env = {**os.environ, "GOPATH": "/usr/share/gocode", "GO111MODULE": "off", "GOFLAGS": "",
           "GOCACHE": os.environ.get("GOCACHE", str(Path.home() / ".cache" / "go-build"))}
    r = subprocess.run(["go", "run", "scenario.go", server.url, account, primary, standby], cwd=CLIENTS / "go",
                       capture_output=True, text=True, timeout=600, env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"primary_state": "AVAILABLE", "standby_state": "PENDING",
                                    "error": "InvalidParameterValuesException"}
