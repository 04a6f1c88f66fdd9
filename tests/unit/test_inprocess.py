"""understudy.mock(): boto3 answered inside the process, alone and beside moto's mock_aws."""

import os
import subprocess
import sys
from pathlib import Path

import boto3
import botocore.handlers
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from moto import mock_aws

import understudy
from tests.helpers import VPC

P, S = "us-east-1", "us-west-2"


def _workspace(region: str, user: str = "alice", advance=lambda seconds: None) -> str:
    """A new WorkSpace (AVAILABLE at once with instant timing) in a registered directory of `region`, made
    through boto3 alone; `advance` moves a clock that takes time past each step of the directory."""
    ds, ws = boto3.client("ds", region_name=region), boto3.client("workspaces", region_name=region)
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    advance(3600)
    ws.register_workspace_directory(DirectoryId=directory)
    advance(3600)
    bundle = next(b["BundleId"] for b in ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"]
                  if b["Name"].startswith("Standard with Windows 10"))
    r = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": user, "BundleId": bundle}])
    assert r["FailedRequests"] == []
    return r["PendingRequests"][0]["WorkspaceId"]


def _standby_directory(region: str) -> str:
    ds, ws = boto3.client("ds", region_name=region), boto3.client("workspaces", region_name=region)
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory)
    return directory


def test_a_standby_pair_with_boto3_alone():
    with understudy.mock():
        primary = _workspace(P)
        west = boto3.client("workspaces", region_name=S)  # no endpoint_url, no credentials given
        r = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": primary, "DirectoryId": _standby_directory(S)}])
        assert r["FailedStandbyRequests"] == []
        standby = west.describe_workspaces()["Workspaces"][0]
        assert standby["RelatedWorkspaces"] == [{"WorkspaceId": primary, "Region": P, "State": "AVAILABLE",
                                                 "Type": "PRIMARY"}]


@pytest.mark.parametrize("moto_outside", [True, False])
def test_it_nests_with_moto_each_answering_its_own_services(moto_outside):
    outer, inner = (mock_aws(), understudy.mock()) if moto_outside else (understudy.mock(), mock_aws())
    with outer, inner:
        s3 = boto3.client("s3", region_name=P)
        s3.create_bucket(Bucket="runbook-state")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["runbook-state"]
        ws = boto3.client("workspaces", region_name=P)
        # DescribeAccount is Understudy's alone: moto's WorkSpaces does not implement it
        assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"
        assert ws.describe_workspaces(WorkspaceIds=[_workspace(P)])["Workspaces"][0]["State"] == "AVAILABLE"


def test_the_handle_drives_the_clock_outages_and_reset():
    with understudy.mock(timing="fast") as u:
        wid = _workspace(P, advance=u.advance)
        ws = u.client(region=P)
        assert ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "PENDING"
        u.advance(3600)
        assert ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "AVAILABLE"
        u.outage(P)
        with pytest.raises(ClientError) as e:
            ws.describe_workspaces()
        assert (e.value.response["Error"]["Code"], e.value.response["ResponseMetadata"]["RetryAttempts"]) == \
            ("ServiceUnavailableException", 0)
        u.end_outage(P)
        u.reset()
        assert ws.describe_workspaces()["Workspaces"] == []


@understudy.mock()
def test_as_a_decorator_each_run_starts_empty():
    assert boto3.client("workspaces", region_name=P).describe_workspaces()["Workspaces"] == []
    _workspace(P)


def test_state_does_not_outlive_the_block_and_the_clients_go_back_to_the_network():
    with understudy.mock():
        _workspace(P)
    with understudy.mock():
        assert boto3.client("workspaces", region_name=P).describe_workspaces()["Workspaces"] == []
    assert not [h for h in botocore.handlers.BUILTIN_HANDLERS if "understudy" in repr(h[1])]
    unreachable = boto3.client("workspaces", region_name=P, endpoint_url="http://127.0.0.1:9",
                               aws_access_key_id="a", aws_secret_access_key="b")
    with pytest.raises(EndpointConnectionError):
        unreachable.describe_workspaces()


def test_the_pytest_fixture(pytester):
    pytester.makepyfile(test_user='''
import boto3


def test_in_process(understudy_mock):
    assert boto3.client("workspaces", region_name="eu-west-1").describe_workspaces()["Workspaces"] == []
    assert understudy_mock.advance(60)["mode"] == "manual"
''')
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=").assert_outcomes(passed=1)


def test_the_readme_example_runs_as_written(tmp_path):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    example = readme.split("### In the process, with no server")[1].split("```python\n")[1].split("```")[0]
    r = subprocess.run([sys.executable, "-c", example], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                       env={k: v for k, v in os.environ.items() if not k.startswith("AWS_")})
    assert r.returncode == 0, r.stderr
    assert "'State': 'UNHEALTHY', 'Type': 'PRIMARY'" in r.stdout
