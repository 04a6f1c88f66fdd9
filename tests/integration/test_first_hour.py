"""What a newcomer meets when something is set up wrong: the endpoint named wherever a client lands, "did you
mean" for a typo, one endpoint setting for every command, error codes in the log, and the plugin's retries."""

import os
import subprocess
import sys
from pathlib import Path

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from click.testing import CliRunner

from tests.helpers import BACKENDS, PG_ADMIN_URL, code, error, other_account
from understudy.cli import main

ONE_TRY = Config(retries={"max_attempts": 1})


def _where(server) -> str:
    return f"Understudy serves WorkSpaces and Directory Service at {server.url}/"


def test_get_slash_names_the_endpoint_and_the_dashboard(server):
    r = httpx.get(server.url + "/")
    assert r.status_code == 200
    assert _where(server) in r.json()["message"]
    assert f"{server.url}/_understudy/" in r.json()["message"]


@pytest.mark.parametrize("path", ["/api", "/workspaces/", "/_understudy"])
def test_an_endpoint_with_a_path_gets_json_that_names_the_endpoint(server, path):
    r = httpx.post(server.url + path, json={})
    assert r.status_code in (404, 405, 415)
    assert r.headers["content-type"] == "application/json"
    if r.status_code != 415:  # the control plane's own check on a body that is not JSON comes first
        assert _where(server) in r.json()["message"]


def test_another_services_client_is_told_where_it_is(server):
    ec2 = boto3.client("ec2", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="a",
                       aws_secret_access_key="b", config=ONE_TRY)
    with pytest.raises(Exception) as e:
        ec2.describe_instances()
    assert "Understudy serves WorkSpaces" in str(e.value)
    s3 = boto3.client("s3", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="a",
                      aws_secret_access_key="b", config=ONE_TRY)
    with pytest.raises(ClientError) as e:
        s3.list_buckets()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    dynamodb = boto3.client("dynamodb", endpoint_url=server.url, region_name="us-east-1", aws_access_key_id="a",
                            aws_secret_access_key="b", config=ONE_TRY)
    with pytest.raises(ClientError) as e:
        dynamodb.list_tables()
    assert "DynamoDB_20120810.ListTables" in e.value.response["Error"]["Message"]


def test_a_misspelt_operation_gets_did_you_mean(server):
    r = httpx.post(server.url + "/", content=b"{}", headers={
        "X-Amz-Target": "WorkspacesService.DescribeWorkspace", "Content-Type": "application/x-amz-json-1.1"})
    assert r.json()["__type"] == "UnknownOperationException"
    assert r.json()["message"].endswith("Did you mean DescribeWorkspaces?")


def test_a_misspelt_region_gets_did_you_mean_not_any_region(server):
    typo = server.client(region="us-esat-1")
    with pytest.raises(ClientError) as e:
        typo.describe_workspaces()
    message = e.value.response["Error"]["Message"]
    assert e.value.response["Error"]["Code"] == "InvalidRegionException"
    assert "Did you mean us-east-1" in message and "--any-region" not in message
    # us-west-1 is a Region, without WorkSpaces: there the way to allow it is the advice
    assert "--any-region" in error(server.client(region="us-west-1").describe_workspaces)["Error"]["Message"]


def test_an_outage_in_a_misspelt_region_is_refused_with_did_you_mean(server):
    r = server.admin("POST", "/outages", json={"region": "us-east-9"})
    assert r.status_code == 400
    assert "Did you mean us-east-2 or us-east-1" in r.json()["message"]
    assert server.admin("GET", "/outages").json()["outages"] == []


def test_client_commands_find_the_server_by_understudy_port(server, monkeypatch):
    monkeypatch.delenv("UNDERSTUDY_ENDPOINT", raising=False)
    monkeypatch.setenv("UNDERSTUDY_PORT", str(server.port))
    result = CliRunner().invoke(main, ["clock", "show"])
    assert result.exit_code == 0, result.output
    monkeypatch.setenv("UNDERSTUDY_PORT", "9")
    result = CliRunner().invoke(main, ["clock", "show"])
    assert result.exit_code != 0
    assert "cannot reach Understudy at http://127.0.0.1:9" in result.output


def test_every_4xx_line_of_the_log_names_its_error_code(own_server):
    srv = own_server("--log-level", "debug")
    assert code(srv.client().describe_workspaces, WorkspaceIds=["not-an-id"]) == "ValidationException"
    assert code(srv.client().describe_workspaces, Limit=5, DirectoryId="d-1234567890",
                WorkspaceIds=["ws-123456789"]) == "InvalidParameterValuesException"
    lines = [line for line in srv.log_path.read_text().splitlines() if "op=DescribeWorkspaces" in line]
    assert any("status=400 code=ValidationException" in line for line in lines)
    assert any("status=400 code=InvalidParameterValuesException" in line for line in lines)


PLUGIN_USER_TESTS = '''
import os

import boto3
import pytest
from botocore.exceptions import ClientError


def test_an_expected_503_costs_one_attempt(understudy):
    assert os.environ["AWS_MAX_ATTEMPTS"] == "1"
    understudy.outage("us-east-1")
    with pytest.raises(ClientError) as e:
        boto3.client("workspaces", region_name="us-east-1").describe_workspaces()
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 0
'''


def test_the_plugin_makes_one_attempt_unless_told_otherwise(pytester, monkeypatch):
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    pytester.makepyfile(test_user=PLUGIN_USER_TESTS)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=").assert_outcomes(passed=1)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=").assert_outcomes(failed=1)


def test_seed_fills_the_running_server(server, monkeypatch):
    monkeypatch.delenv("UNDERSTUDY_ENDPOINT", raising=False)
    account = other_account()
    result = CliRunner().invoke(main, ["seed", "--endpoint", server.url, "--workspaces", "3", "--account", account,
                                       "--regions", "us-east-1"])
    assert result.exit_code == 0, result.output
    found = server.client(key=account).describe_workspaces()["Workspaces"]
    assert len(found) == 3
    result = CliRunner().invoke(main, ["seed", "--endpoint", server.url, "--regions", "us-east-9"])
    assert result.exit_code != 0 and "Did you mean" in result.output


def _serve(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "understudy", "serve", *args], capture_output=True, text=True,
                          timeout=60)


def test_a_busy_port_is_one_line_that_says_what_to_do(server):
    r = _serve("--port", str(server.port), "--db", "sqlite://")
    assert r.returncode != 0
    assert r.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{server.port}: Address already in use. Is another server running "
        "there? Stop it, or choose another port (--port, UNDERSTUDY_PORT)."]


@pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")
def test_a_missing_postgresql_database_is_one_line_with_createdb():
    missing = PG_ADMIN_URL.rsplit("/", 1)[0] + "/understudy_never_created"
    r = _serve("--port", "9", "--db", missing)
    lines = r.stderr.strip().splitlines()
    assert r.returncode != 0 and len(lines) == 1
    assert lines[0].endswith("Create it first: createdb understudy_never_created "
                             '(or CREATE DATABASE "understudy_never_created").')


def test_a_database_url_understudy_cannot_use_is_refused_in_one_line():
    r = _serve("--port", "9", "--db", "mysql://root@localhost/ws")
    assert r.returncode == 2
    assert "Invalid value for --db: mysql://root@localhost/ws is not a database Understudy can use" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_first_standby_pair_recipe_runs_as_written(own_server):
    srv = own_server("--timing", "instant")  # as the recipe says to start it: a real clock
    page = (Path(__file__).resolve().parents[2] / "docs" / "standby.md").read_text()
    recipe = page.split("## Your first standby pair, copy and paste")[1].split("```python\n")[1].split("```")[0]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    r = subprocess.run([sys.executable, "-c", recipe], capture_output=True, text=True, timeout=300,
                       env={**env, "UNDERSTUDY_ENDPOINT": srv.url})
    assert r.returncode == 0, r.stderr
    primary_line, standby_line = r.stdout.splitlines()
    assert "'DataReplication': 'PRIMARY_AS_SOURCE'" in primary_line
    assert "'Region': 'us-east-1', 'State': 'AVAILABLE', 'Type': 'PRIMARY'" in standby_line
