"""The pytest plugin as a user meets it: installed with the package, used by a test file of their own."""

from understudy import serve_in_thread

USER_TESTS = '''
import boto3
import pytest


def test_fixture_gives_a_clean_server_and_sets_the_endpoint(understudy):
    ws = boto3.client("workspaces", region_name="us-east-1")  # no endpoint_url: the env var points it
    assert ws.describe_workspaces()["Workspaces"] == []
    ds = boto3.client("ds", region_name="us-east-1")
    ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings={
        "VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]})


def test_state_is_fresh_in_every_test(understudy):
    ds = understudy.client("ds")
    assert ds.describe_directories()["DirectoryDescriptions"] == []


@pytest.mark.understudy(timing="realistic")
def test_marker_sets_timing_and_the_clock_is_driven(understudy):
    ds = understudy.client("ds")
    d = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings={
        "VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]})
    stage = lambda: ds.describe_directories(DirectoryIds=[d["DirectoryId"]])["DirectoryDescriptions"][0]["Stage"]
    assert stage() in ("Requested", "Creating")
    understudy.advance(45 * 60)
    assert stage() == "Active"
'''


def test_a_user_suite_runs_on_the_plugin(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=")
    result.assert_outcomes(passed=3)


def test_serve_in_thread_outside_pytest():
    import boto3

    server = serve_in_thread()
    try:
        ws = boto3.client("workspaces", endpoint_url=server.url, region_name="eu-west-1",
                          aws_access_key_id="123456789012", aws_secret_access_key="x")
        assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"
        assert server.advance(60)["mode"] == "manual"
    finally:
        server.stop()
