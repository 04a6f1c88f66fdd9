"""domain/signins.py's pure rules: Route 53's failover answer, IP groups, device types, parsing; and the
in-process mock's sign_in and sign_out."""

import ipaddress

import boto3
import pytest

import understudy
from understudy.domain import signins
from understudy.domain.signins import Record, SignInInputError

P, S = "us-east-1", "us-west-2"
PRIMARY = Record("wsca-aaaaaaaaa", "PRIMARY", True, "123456789012", P)
SECONDARY = Record("wsca-bbbbbbbbb", "SECONDARY", True, "123456789012", S)
UNCHECKED = Record("wsca-bbbbbbbbb", "SECONDARY", False, "123456789012", S)


@pytest.mark.parametrize(("records", "out", "expected"), [
    ([PRIMARY, SECONDARY], set(), PRIMARY),  # primary healthy
    ([PRIMARY, SECONDARY], {P}, SECONDARY),  # primary unhealthy, secondary healthy
    ([PRIMARY, SECONDARY], {P, S}, PRIMARY),  # both unhealthy: as if all were healthy
    ([PRIMARY, UNCHECKED], {P, S}, UNCHECKED),  # no health check: always healthy
    ([SECONDARY, PRIMARY], {S}, PRIMARY),  # order of records does not matter
    ([PRIMARY], {P}, PRIMARY),
    ([SECONDARY], {S}, SECONDARY),
    ([Record("wsca-ccccccccc", "SIMPLE", True, "123456789012", P)], {P}, "SIMPLE"),
    ([], set(), None),
])
def test_route_53_failover_answers(records, out, expected):
    chosen = signins.answer(records, out)
    assert (chosen.role if expected == "SIMPLE" else chosen) == expected


def test_ip_groups_allow_only_their_ranges():
    ip = ipaddress.ip_address
    groups = [{"userRules": [{"ipRule": "203.0.113.0/24"}, {"ipRule": "not a range"}]}, {"userRules": []}]
    assert signins.ip_allowed(ip("203.0.113.200"), groups)
    assert not signins.ip_allowed(ip("203.0.114.1"), groups)
    assert not signins.ip_allowed(ip("2001:db8::1"), groups)
    assert signins.ip_allowed(ip("198.51.100.1"), [])  # no groups: any address
    assert not signins.ip_allowed(ip("198.51.100.1"), [{"userRules": []}])  # a group without rules lets nobody in


def test_device_types():
    assert signins.device_allowed("Web", {"DeviceTypeWeb": "ALLOW"})
    assert not signins.device_allowed("macOS", {"DeviceTypeOsx": "DENY"})
    assert signins.device_allowed("ZeroClient", None)
    assert set(signins.CLIENTS.values()) <= {
        "DeviceTypeWindows", "DeviceTypeOsx", "DeviceTypeWeb", "DeviceTypeIos", "DeviceTypeAndroid",
        "DeviceTypeChromeOs", "DeviceTypeZeroClient", "DeviceTypeLinux"}


def test_parsing_a_sign_in():
    s = signins.parse_sign_in({"registration_code": " Desktop.Example.COM. ", "user": "Alice"})
    assert (s.code, s.is_fqdn, s.user, str(s.source_ip), s.client) == ("desktop.example.com", True, "Alice",
                                                                      "127.0.0.1", "Windows")
    assert not signins.parse_sign_in({"registration_code": "SLiad+AB12CD", "user": "a"}).is_fqdn
    with pytest.raises(SignInInputError):
        signins.parse_sign_in({"registration_code": "SLiad+AB12CD", "user": "a", "client": "windows"})


@pytest.mark.parametrize(("records", "message"), [
    ([], "records must be a list of one or two records."),
    (None, "records must be a list of one or two records."),
    ([1], "records[0] must be an object of alias_id, failover and health_check."),
    ([{"alias_id": "wsca-aaaaaaaaa", "ttl": 60}],
     "records[0] must be an object of alias_id, failover and health_check."),
    ([{}], "records[0].alias_id must be a connection alias id (wsca-...)."),
    ([{"alias_id": "wsca-aaaaaaaaa", "failover": "PRIMARY"}, {"alias_id": "x"}],
     "records[1].alias_id must be a connection alias id (wsca-...)."),
    ([{"alias_id": "wsca-aaaaaaaaa", "failover": "primary"}],
     "records[0].failover must be PRIMARY, SECONDARY or absent."),
    ([{"alias_id": "wsca-aaaaaaaaa", "health_check": "yes"}], "records[0].health_check must be true or false."),
    ([{"alias_id": "wsca-aaaaaaaaa"}, {"alias_id": "wsca-bbbbbbbbb", "failover": "SECONDARY"}],
     "A simple record (without failover) must be the name's only record."),
    ([{"alias_id": "wsca-aaaaaaaaa", "failover": "SECONDARY"}, {"alias_id": "wsca-bbbbbbbbb", "failover": "SECONDARY"}],
     "A name holds at most one PRIMARY and one SECONDARY record."),
])
def test_bad_records_say_what_is_wrong(records, message):
    with pytest.raises(SignInInputError) as e:
        signins.parse_records(records)
    assert (e.value.code, str(e.value)) == ("InvalidRecords", message)


def test_records_parsed():
    assert signins.parse_records([{"alias_id": "wsca-aaaaaaaaa", "failover": "PRIMARY"},
                                  {"alias_id": "wsca-bbbbbbbbb", "failover": "SECONDARY", "health_check": False}]) == [
        ("wsca-aaaaaaaaa", "PRIMARY", True), ("wsca-bbbbbbbbb", "SECONDARY", False)]
    assert signins.parse_records([{"alias_id": "wsca-aaaaaaaaa"}]) == [("wsca-aaaaaaaaa", "SIMPLE", True)]


@pytest.mark.parametrize(("body", "message"), [
    ({"registration_code": "SLiad+AB12CD", "user": "a", "when": 1},
     "Unknown field(s): when; known: registration_code, user, source_ip, client."),
    ({"registration_code": " ", "user": "a"},
     "registration_code must be a directory's registration code or a DNS name."),
    ({"registration_code": "SLiad+AB12CD", "user": ""},
     f"user must be a user name of 1 to {signins.MAX_USER} characters."),
    ({"registration_code": "SLiad+AB12CD", "user": "a", "source_ip": "10.0.0"},
     "source_ip must be an IPv4 or IPv6 address."),
    ({"registration_code": "SLiad+AB12CD", "user": "a", "client": "windows"},
     f"client must be one of {', '.join(signins.CLIENTS)}."),
])
def test_bad_sign_ins_say_what_is_wrong(body, message):
    with pytest.raises(SignInInputError) as e:
        signins.parse_sign_in(body)
    assert (e.value.code, str(e.value)) == ("InvalidSignIn", message)


def test_a_device_type_not_set_is_allowed():
    assert signins.device_allowed("Linux", {"DeviceTypeWeb": "DENY"})
    assert not signins.device_allowed("Linux", {"DeviceTypeLinux": "DENY"})


def test_choose_workspace_prefers_the_standby_through_an_alias():
    own = {"WorkspaceId": "ws-1", "State": "AVAILABLE"}
    standby = {"WorkspaceId": "ws-2", "State": "STOPPED", "_Primary": {"WorkspaceId": "ws-9", "Region": P}}
    leaving = {"WorkspaceId": "ws-0", "State": "TERMINATING", "_Primary": {}}
    assert signins.choose_workspace([own, standby, leaving], via_alias=True) is standby
    assert signins.choose_workspace([own, standby, leaving], via_alias=False) is own
    assert signins.choose_workspace([leaving], via_alias=False) is leaving
    assert signins.choose_workspace([], via_alias=False) is None


def test_the_in_process_mock_signs_users_in_and_out():
    vpc = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}
    with understudy.mock(timing="fast") as u:
        ws, ds = boto3.client("workspaces", region_name=P), boto3.client("ds", region_name=P)
        d = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=vpc)["DirectoryId"]
        u.advance(3600)
        ws.register_workspace_directory(DirectoryId=d)
        u.advance(3600)
        bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
        request = {"DirectoryId": d, "UserName": "alice", "BundleId": bundle,
                   "WorkspaceProperties": {"RunningMode": "AUTO_STOP"}}
        wid = ws.create_workspaces(Workspaces=[request])["PendingRequests"][0]["WorkspaceId"]
        u.advance(3600)
        code = ws.describe_workspace_directories(DirectoryIds=[d])["Directories"][0]["RegistrationCode"]
        r = u.sign_in("alice", code)
        assert r["outcome"] == "CONNECTED"
        status = ws.describe_workspaces_connection_status(WorkspaceIds=[wid])["WorkspacesConnectionStatus"][0]
        assert status["ConnectionState"] == "CONNECTED"
        assert u.sign_out(r["session_id"])["auto_stop_at"] is not None
        assert u.sign_out(r["session_id"]) is None
        u.advance(3600 + 5)
        assert ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "STOPPED"
