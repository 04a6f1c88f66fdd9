"""The pytest plugin's sign_in(), sign_out() and set_dns(), as a user's own suite meets them."""

USER_TESTS = '''
import pytest

VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}


def desk(understudy, region, user):
    ds, ws = understudy.client("ds", region), understudy.client("workspaces", region)
    d = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    understudy.advance(3600)
    ws.register_workspace_directory(DirectoryId=d)
    understudy.advance(3600)
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    wid = ws.create_workspaces(Workspaces=[{"DirectoryId": d, "UserName": user, "BundleId": bundle,
        "WorkspaceProperties": {"RunningMode": "AUTO_STOP"}}])["PendingRequests"][0]["WorkspaceId"]
    understudy.advance(3600)
    return ws, d, wid


@pytest.mark.understudy(timing="fast")
def test_sign_in_and_out_through_the_fixture(understudy):
    ws, d, wid = desk(understudy, "us-east-1", "alice")
    code = ws.describe_workspace_directories(DirectoryIds=[d])["Directories"][0]["RegistrationCode"]
    r = understudy.sign_in("Alice", code, client="macOS")
    assert (r["outcome"], r["workspace_id"]) == ("CONNECTED", wid)
    status = ws.describe_workspaces_connection_status(WorkspaceIds=[wid])["WorkspacesConnectionStatus"][0]
    assert status["ConnectionState"] == "CONNECTED"
    assert understudy.sign_out(r["session_id"])["auto_stop_at"] is not None
    understudy.advance(3600 + 5)
    assert ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "STOPPED"


@pytest.mark.understudy(timing="fast")
def test_set_dns_and_sign_in_through_the_name(understudy):
    ws, d, wid = desk(understudy, "us-west-2", "bob")
    alias = ws.create_connection_alias(ConnectionString="desktop.example.com")["AliasId"]
    understudy.advance(2)
    ws.associate_connection_alias(AliasId=alias, ResourceId=d)
    assert understudy.set_dns("desktop.example.com", alias)["answer"]["region"] == "us-west-2"
    assert understudy.sign_in("bob", "desktop.example.com")["workspace_id"] == wid


def test_reset_between_tests_forgets_names(understudy):
    import urllib.error
    with pytest.raises(urllib.error.HTTPError):
        understudy.server.admin("GET", "/dns/desktop.example.com")
'''


def test_the_fixture_signs_users_in_and_out(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "addopts=")
    result.assert_outcomes(passed=3)
