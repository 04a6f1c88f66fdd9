"""The standby scenario through the AWS CLI: a second client sees what boto3 sees."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

P, S = "us-east-1", "us-west-2"


def aws(server, account: str, region: str, *args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
    if exe is None:
        pytest.fail("the AWS CLI is a test dependency (pip install -e '.[test]')")
    env = {**os.environ, "AWS_ACCESS_KEY_ID": account, "AWS_SECRET_ACCESS_KEY": "secret",
           "AWS_DEFAULT_REGION": region, "AWS_MAX_ATTEMPTS": "1", "AWS_CONFIG_FILE": os.devnull,
           "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    return subprocess.run([exe, "workspaces", *args, "--endpoint-url", server.url, "--output", "json"],
                          capture_output=True, text=True, env=env, timeout=120)


def test_standby_through_the_aws_cli(server, account, make_workspace, make_directory):
    primary = make_workspace(P)
    directory = make_directory(S)
    created = aws(server, account, S, "create-standby-workspaces", "--primary-region", P, "--standby-workspaces",
                  f"PrimaryWorkspaceId={primary},DirectoryId={directory},DataReplication=PRIMARY_AS_SOURCE")
    assert created.returncode == 0, created.stderr
    standby = json.loads(created.stdout)["PendingStandbyRequests"][0]["WorkspaceId"]

    west = json.loads(aws(server, account, S, "describe-workspaces", "--workspace-ids", standby).stdout)
    assert west["Workspaces"][0]["RelatedWorkspaces"] == [
        {"WorkspaceId": primary, "Region": P, "State": "AVAILABLE", "Type": "PRIMARY"}]
    east = json.loads(aws(server, account, P, "describe-workspaces", "--workspace-ids", primary).stdout)
    assert east["Workspaces"][0]["StandbyWorkspacesProperties"][0]["StandbyWorkspaceId"] == standby

    refused = aws(server, account, S, "create-standby-workspaces", "--primary-region", S, "--standby-workspaces",
                  f"PrimaryWorkspaceId={primary},DirectoryId={directory}")
    assert refused.returncode != 0
    assert "InvalidParameterValuesException" in refused.stderr
