"""The user's side of a failover: sign-ins through the control plane (httpx), and what they change as boto3 sees
it (DescribeWorkspacesConnectionStatus, AutoStop, standbys started); DNS names with Route 53's failover rules;
the CLI verbs, the views, reset and state export/import; and the failover drill run end to end."""

import json
import subprocess
import sys

import boto3
import pytest

from examples import failover_runbook
from tests.helpers import describe_workspace, public_bundle

P, S = "us-east-1", "us-west-2"


@pytest.fixture
def sign_in(server):
    """sign_in(user, code, **body) -> the answer of POST /_understudy/sign-ins (asserted 200)."""

    def call(user: str, code: str, **body) -> dict:
        r = server.admin("POST", "/sign-ins", json={"registration_code": code, "user": user, **body})
        assert r.status_code == 200, r.text
        return r.json()

    return call


def sign_out(server, session_id: str) -> dict:
    r = server.admin("DELETE", f"/sign-ins/{session_id}")
    assert r.status_code == 200, r.text
    return r.json()


def registration_code(client, directory: str) -> str:
    return client.describe_workspace_directories(DirectoryIds=[directory])["Directories"][0]["RegistrationCode"]


def connection(client, wid: str) -> dict:
    (status,) = client.describe_workspaces_connection_status(WorkspaceIds=[wid])["WorkspacesConnectionStatus"]
    return status


def state(client, wid: str) -> str:
    return describe_workspace(client, wid)["State"]


@pytest.fixture
def desk(make_client, make_directory, make_workspace):
    """desk(user="alice", region=P, **properties) -> (client, directory, WorkSpace id, registration code)."""

    def make(user: str = "alice", region: str = P, **extra):
        client = make_client(region=region)
        directory = make_directory(region)
        wid = make_workspace(region, user=user, directory=directory, **extra)
        return client, directory, wid, registration_code(client, directory)

    return make


AUTO_STOP = {"WorkspaceProperties": {"RunningMode": "AUTO_STOP", "RunningModeAutoStopTimeoutInMinutes": 60}}


# Outcomes -----------------------------------------------------------------------------------------------------
def test_a_sign_in_connects_and_the_api_shows_it_until_sign_out(server, desk, sign_in):
    ws, directory, wid, code = desk()
    assert connection(ws, wid)["ConnectionState"] == "DISCONNECTED"
    assert "LastKnownUserConnectionTimestamp" not in connection(ws, wid)
    now = server.admin("GET", "/clock").json()["now"]

    r = sign_in("alice", code)
    assert r["outcome"] == "CONNECTED"
    assert (r["region"], r["directory_id"], r["workspace_id"], r["state"]) == (P, directory, wid, "AVAILABLE")
    assert r["session_id"].startswith("wsss-") and "data_as_of" not in r  # a primary holds live data
    status = connection(ws, wid)
    assert status["ConnectionState"] == "CONNECTED"
    assert status["LastKnownUserConnectionTimestamp"].timestamp() == pytest.approx(now)
    listed = [s for s in server.admin("GET", "/sign-ins").json()["sessions"] if s["workspace_id"] == wid]
    assert listed == [{"session_id": r["session_id"], "user": "alice", "workspace_id": wid, "region": P,
                       "account_id": listed[0]["account_id"], "directory_id": directory, "client": "Windows",
                       "source_ip": "127.0.0.1", "since": pytest.approx(now)}]

    server.advance(30)
    assert sign_out(server, r["session_id"])["signed_out"] is True
    status = connection(ws, wid)
    assert status["ConnectionState"] == "DISCONNECTED"
    assert status["LastKnownUserConnectionTimestamp"].timestamp() == pytest.approx(now)  # kept
    assert all(s["workspace_id"] != wid for s in server.admin("GET", "/sign-ins").json()["sessions"])
    again = server.admin("DELETE", f"/sign-ins/{r['session_id']}")
    assert again.status_code == 404 and again.json()["error"] == "SessionNotFound"


def test_user_names_are_not_case_sensitive(desk, sign_in):
    ws, _, wid, code = desk(user="Alice.Smith")
    assert sign_in("ALICE.SMITH", code)["workspace_id"] == wid
    assert sign_in("alice.smith", code.lower())["outcome"] == "CONNECTED"  # the code neither


def test_a_second_sign_in_replaces_the_first_session(server, desk, sign_in):
    ws, _, wid, code = desk()
    first = sign_in("alice", code)
    second = sign_in("alice", code, client="macOS")
    assert first["session_id"] != second["session_id"]
    sessions = [s for s in server.admin("GET", "/sign-ins").json()["sessions"] if s["workspace_id"] == wid]
    assert [s["session_id"] for s in sessions] == [second["session_id"]]
    assert server.admin("DELETE", f"/sign-ins/{first['session_id']}").status_code == 404


def test_codes_that_lead_nowhere_are_invalid(server, desk, sign_in, ws, account):
    _, directory, _, code = desk()
    for bad in ("SLiad+ZZZZZZ9", "hello", f"nowhere-{account}.example.com"):
        r = sign_in("alice", bad)
        assert r == {"outcome": "INVALID_CODE", "message": r["message"]}
    # a name whose alias is created but not associated
    alias_id = ws.create_connection_alias(ConnectionString=f"lonely.{account}.example.com")["AliasId"]
    server.advance(2)
    name = f"lonely.{account}.example.com"
    assert server.admin("PUT", f"/dns/{name}", json={"records": [{"alias_id": alias_id}]}).status_code == 200
    assert sign_in("alice", name)["outcome"] == "INVALID_CODE"
    ws.associate_connection_alias(AliasId=alias_id, ResourceId=directory)
    assert sign_in("alice", name)["outcome"] == "CONNECTED"


def test_no_workspace_for_that_user(desk, sign_in):
    _, directory, _, code = desk()
    r = sign_in("bob", code)
    assert (r["outcome"], r["region"], r["directory_id"]) == ("NO_WORKSPACE", P, directory)
    assert "workspace_id" not in r and "session_id" not in r


def test_region_unreachable_during_an_outage(desk, sign_in, outage):
    _, directory, wid, code = desk(region="eu-central-1")
    outage("eu-central-1", api="up")
    r = sign_in("alice", code)
    assert (r["outcome"], r["region"], r["directory_id"]) == ("REGION_UNREACHABLE", "eu-central-1", directory)


def test_ip_access_control_groups_decide_who_connects(desk, sign_in):
    ws, directory, _, code = desk()
    assert sign_in("alice", code, source_ip="198.51.100.1")["outcome"] == "CONNECTED"  # no groups: any address
    group = ws.create_ip_group(GroupName="office", UserRules=[{"ipRule": "203.0.113.0/24"}])["GroupId"]
    ws.associate_ip_groups(DirectoryId=directory, GroupIds=[group])
    assert sign_in("alice", code, source_ip="203.0.113.7")["outcome"] == "CONNECTED"
    denied = sign_in("alice", code, source_ip="198.51.100.1")
    assert denied["outcome"] == "ACCESS_DENIED" and "198.51.100.1" in denied["message"]
    assert sign_in("alice", code, source_ip="2001:db8::1")["outcome"] == "ACCESS_DENIED"
    ws.authorize_ip_rules(GroupId=group, UserRules=[{"ipRule": "2001:db8::/32"}])
    assert sign_in("alice", code, source_ip="2001:db8::1")["outcome"] == "CONNECTED"


def test_device_types_follow_workspace_access_properties(desk, sign_in):
    ws, directory, _, code = desk()
    # A new directory allows the native clients but not the web client nor Linux [AWS defaults].
    assert sign_in("alice", code, client="Web")["outcome"] == "ACCESS_DENIED"
    assert sign_in("alice", code, client="Linux")["outcome"] == "ACCESS_DENIED"
    assert sign_in("alice", code, client="iPad")["outcome"] == "CONNECTED"
    ws.modify_workspace_access_properties(ResourceId=directory, WorkspaceAccessProperties={
        "DeviceTypeWeb": "ALLOW", "DeviceTypeWindows": "DENY"})
    assert sign_in("alice", code, client="Web")["outcome"] == "CONNECTED"
    assert sign_in("alice", code)["outcome"] == "ACCESS_DENIED"  # Windows is the default client


def test_a_workspace_that_is_not_available_cannot_take_a_sign_in(server, desk, sign_in):
    ws, _, wid, code = desk()
    ws.reboot_workspaces(RebootWorkspaceRequests=[{"WorkspaceId": wid}])
    r = sign_in("alice", code)
    assert (r["outcome"], r["workspace_id"], r["state"]) == ("UNAVAILABLE", wid, "REBOOTING")
    server.advance(5)
    assert sign_in("alice", code)["outcome"] == "CONNECTED"


def test_a_stopped_manual_or_always_on_workspace_is_not_started(server, desk, sign_in):
    ws, _, wid, code = desk(WorkspaceProperties={"RunningMode": "MANUAL"})
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": wid}])
    server.advance(5)
    r = sign_in("alice", code)
    assert (r["outcome"], r["state"]) == ("UNAVAILABLE", "STOPPED")
    assert state(ws, wid) == "STOPPED"


def test_a_workspace_being_migrated_is_unavailable_and_the_migration_carries_on(server, desk, sign_in):
    ws, _, source, code = desk(**AUTO_STOP)
    target = ws.migrate_workspace(SourceWorkspaceId=source, BundleId=public_bundle(
        ws, "Performance with Windows 10 (Server 2019 based)"))["TargetWorkspaceId"]
    assert sign_in("alice", code)["outcome"] == "UNAVAILABLE"
    server.advance(3600)
    assert describe_workspace(ws, source) is None
    assert sign_in("alice", code)["workspace_id"] == target


# AutoStop -----------------------------------------------------------------------------------------------------
def test_autostop_starts_on_sign_in_and_stops_after_the_timeout(server, desk, sign_in):
    ws, _, wid, code = desk(**AUTO_STOP)
    session = sign_in("alice", code)["session_id"]
    server.advance(3 * 3600)
    assert state(ws, wid) == "AVAILABLE"  # connected: it never stops
    stops = sign_out(server, session)["auto_stop_at"]
    assert stops == pytest.approx(server.admin("GET", "/clock").json()["now"] + 3600)

    server.advance(30 * 60)
    again = sign_in("alice", code)  # back before the timeout: the stop is cancelled
    assert again["outcome"] == "CONNECTED"
    server.advance(2 * 3600)
    assert state(ws, wid) == "AVAILABLE"

    sign_out(server, again["session_id"])
    server.advance(59 * 60)
    assert state(ws, wid) == "AVAILABLE"
    server.advance(61)
    assert state(ws, wid) in ("STOPPING", "STOPPED")
    server.advance(5)
    assert state(ws, wid) == "STOPPED"
    assert connection(ws, wid)["ConnectionState"] == "UNKNOWN"

    r = sign_in("alice", code)  # a sign-in starts a stopped AutoStop WorkSpace
    assert (r["outcome"], r["workspace_id"], r["state"]) == ("STARTING", wid, "STARTING")
    assert "session_id" not in r
    assert state(ws, wid) == "STARTING"
    server.advance(5)
    assert state(ws, wid) == "AVAILABLE"
    assert sign_in("alice", code)["outcome"] == "CONNECTED"


def test_the_timeout_is_the_workspaces_own(server, desk, sign_in):
    ws, _, wid, code = desk(WorkspaceProperties={"RunningMode": "AUTO_STOP",
                                                 "RunningModeAutoStopTimeoutInMinutes": 120})
    sign_out(server, sign_in("alice", code)["session_id"])
    server.advance(90 * 60)
    assert state(ws, wid) == "AVAILABLE"
    server.advance(31 * 60)
    assert state(ws, wid) == "STOPPED"


def test_always_on_never_stops(server, desk, sign_in):
    ws, _, wid, code = desk(WorkspaceProperties={"RunningMode": "ALWAYS_ON"})
    result = sign_out(server, sign_in("alice", code)["session_id"])
    assert result["auto_stop_at"] is None
    server.advance(7 * 86400)
    assert state(ws, wid) == "AVAILABLE"
    assert connection(ws, wid)["ConnectionState"] == "DISCONNECTED"


def test_an_outage_cuts_its_regions_sessions(server, desk, sign_in, outage):
    ws, _, wid, code = desk(region="eu-west-1", **AUTO_STOP)
    session = sign_in("alice", code)["session_id"]
    outage("eu-west-1", api="up")
    assert connection(ws, wid)["ConnectionState"] == "UNKNOWN"  # UNHEALTHY
    assert all(s["session_id"] != session for s in server.admin("GET", "/sign-ins").json()["sessions"])
    assert server.admin("DELETE", f"/sign-ins/{session}").status_code == 404
    server.admin("DELETE", "/outages/eu-west-1")
    assert connection(ws, wid)["ConnectionState"] == "DISCONNECTED"
    server.advance(3601 + 5)  # cut off: AutoStop counts from the cut
    assert state(ws, wid) == "STOPPED"


# DNS and Route 53's failover rules ---------------------------------------------------------------------------
@pytest.fixture
def failover_pair(server, make_client, make_directory, make_workspace, account):
    """alice's primary in P and her standby in S (replicated), an alias with one connection string in each Region
    associated with each directory, and a DNS name with PRIMARY (P) and SECONDARY (S) records."""

    def make(secondary_health_check: bool = True) -> dict:
        east, west = make_client(region=P), make_client(region=S)
        primary = make_workspace(P, user="alice")
        standby_directory = make_directory(S)
        standby = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": primary, "DirectoryId": standby_directory,
             "DataReplication": "PRIMARY_AS_SOURCE"}])["PendingStandbyRequests"][0]["WorkspaceId"]
        server.advance(60)
        name = f"desktop.{account}.example.com"
        aliases = {}
        for region, client, directory in ((P, east, describe_workspace(east, primary)["DirectoryId"]),
                                          (S, west, standby_directory)):
            aliases[region] = client.create_connection_alias(ConnectionString=name)["AliasId"]
            server.advance(2)
            client.associate_connection_alias(AliasId=aliases[region], ResourceId=directory)
        records = [{"alias_id": aliases[P], "failover": "PRIMARY"},
                   {"alias_id": aliases[S], "failover": "SECONDARY", "health_check": secondary_health_check}]
        r = server.admin("PUT", f"/dns/{name}", json={"records": records})
        assert r.status_code == 200, r.text
        return {"name": name, "primary": primary, "standby": standby, "aliases": aliases, "east": east,
                "west": west, "put": r.json()}

    return make


def test_the_primary_answers_while_it_is_healthy(server, failover_pair, sign_in):
    pair = failover_pair()
    assert pair["put"]["answer"] == {"alias_id": pair["aliases"][P], "region": P, "failover": "PRIMARY"}
    assert [(r["failover"], r["region"], r["health_check"]) for r in pair["put"]["records"]] == [
        ("PRIMARY", P, True), ("SECONDARY", S, True)]
    r = sign_in("alice", pair["name"].upper() + ".")  # DNS names ignore case and a final dot
    assert (r["outcome"], r["region"], r["workspace_id"]) == ("CONNECTED", P, pair["primary"])


def test_the_secondary_answers_when_the_primary_is_unhealthy(server, failover_pair, sign_in, outage):
    pair = failover_pair()
    outage(P)
    shown = server.admin("GET", f"/dns/{pair['name']}").json()
    assert shown["answer"] == {"alias_id": pair["aliases"][S], "region": S, "failover": "SECONDARY"}
    assert [r["healthy"] for r in shown["records"]] == [False, True]
    r = sign_in("alice", pair["name"])
    assert (r["outcome"], r["region"], r["workspace_id"]) == ("STARTING", S, pair["standby"])
    snapshot = describe_workspace(pair["west"], pair["standby"])["DataReplicationSettings"]["RecoverySnapshotTime"]
    assert r["data_as_of"] == pytest.approx(snapshot.timestamp())
    server.advance(5)
    connected = sign_in("alice", pair["name"])
    assert (connected["outcome"], connected["workspace_id"]) == ("CONNECTED", pair["standby"])
    assert connection(pair["west"], pair["standby"])["ConnectionState"] == "CONNECTED"


def test_the_primary_answers_when_both_are_unhealthy(server, failover_pair, sign_in, outage):
    pair = failover_pair()
    outage(P)
    outage(S)
    shown = server.admin("GET", f"/dns/{pair['name']}").json()
    assert shown["answer"]["failover"] == "PRIMARY"
    r = sign_in("alice", pair["name"])
    assert (r["outcome"], r["region"]) == ("REGION_UNREACHABLE", P)


def test_a_secondary_without_health_check_counts_as_healthy(server, failover_pair, sign_in, outage):
    pair = failover_pair(secondary_health_check=False)
    outage(P)
    outage(S, api="up")
    shown = server.admin("GET", f"/dns/{pair['name']}").json()
    assert shown["answer"]["failover"] == "SECONDARY"
    assert shown["records"][1]["healthy"] is True
    assert sign_in("alice", pair["name"])["outcome"] == "REGION_UNREACHABLE"  # it answers; the Region is still out
    server.admin("DELETE", f"/outages/{S}")
    assert sign_in("alice", pair["name"])["region"] == S


def test_data_as_of_is_the_provisioning_time_without_replication(server, make_client, make_directory,
                                                                 make_workspace, sign_in):
    west = make_client(region=S)
    primary = make_workspace(P, user="dora")
    directory = make_directory(S)
    standby = west.create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
        {"PrimaryWorkspaceId": primary, "DirectoryId": directory}])["PendingStandbyRequests"][0]["WorkspaceId"]
    created = server.admin("GET", "/clock").json()["now"]
    server.advance(3600)
    r = sign_in("dora", registration_code(west, directory))
    assert (r["outcome"], r["workspace_id"]) == ("STARTING", standby)
    assert r["data_as_of"] == pytest.approx(created + 2)  # fast provisioning: 2 seconds


def test_dns_names_list_show_and_delete(server, failover_pair, account):
    pair = failover_pair()
    listed = {d["name"]: d for d in server.admin("GET", "/dns").json()["names"]}
    assert listed[pair["name"]]["answer"]["region"] == P
    assert server.admin("DELETE", f"/dns/{pair['name']}").json() == {"name": pair["name"], "deleted": True}
    for method in ("GET", "DELETE"):
        gone = server.admin(method, f"/dns/{pair['name']}")
        assert gone.status_code == 404 and gone.json()["error"] == "NameNotFound"
    simple = server.admin("PUT", f"/dns/simple.{account}.example.com",
                          json={"records": [{"alias_id": pair["aliases"][S]}]}).json()
    assert simple["answer"] == {"alias_id": pair["aliases"][S], "region": S, "failover": None}


@pytest.mark.parametrize("records", [
    [{"alias_id": "wsca-nosuch123"}],
    [{"alias_id": "ALIAS", "failover": "PRIMARY"}, {"alias_id": "ALIAS", "failover": "PRIMARY"}],
    [{"alias_id": "ALIAS"}, {"alias_id": "ALIAS", "failover": "SECONDARY"}],
    [{"alias_id": "ALIAS", "failover": "TERTIARY"}],
    [{"alias_id": "ALIAS", "health_check": "yes"}],
    [{"alias_id": "ALIAS", "weight": 3}],
    [], "ALIAS", None,
])
def test_bad_records_are_refused(server, ws, account, records):
    alias_id = ws.create_connection_alias(ConnectionString=f"bad.{account}.example.com")["AliasId"]
    if isinstance(records, list):
        records = [{k: alias_id if v == "ALIAS" else v for k, v in r.items()} for r in records]
    r = server.admin("PUT", f"/dns/bad.{account}.example.com", json={"records": records})
    assert r.status_code == 400 and r.json()["error"] == "InvalidRecords", r.text


def test_bad_names_and_bodies_are_json_errors(server):
    for path in ("/dns/nodots", "/dns/-bad-.example.com", "/dns/" + "a" * 64 + ".example.com"):
        r = server.admin("GET", path)
        assert r.status_code == 400 and r.json()["error"] == "InvalidName", (path, r.text)
    r = server.admin("PUT", "/dns/x.example.com", content=b"{nope", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "InvalidJson"
    r = server.admin("PUT", "/dns/x.example.com", json={"records": [], "ttl": 60})
    assert r.status_code == 400 and r.json()["error"] == "InvalidRecords"


@pytest.mark.parametrize("body", [
    {}, {"user": "alice"}, {"registration_code": "SLiad+ABC123"},
    {"registration_code": "SLiad+ABC123", "user": ""},
    {"registration_code": "SLiad+ABC123", "user": "a" * 64},
    {"registration_code": "SLiad+ABC123", "user": "al\nice"},
    {"registration_code": 5, "user": "alice"},
    {"registration_code": "SLiad+ABC123", "user": "alice", "source_ip": "300.1.1.1"},
    {"registration_code": "SLiad+ABC123", "user": "alice", "source_ip": 7},
    {"registration_code": "SLiad+ABC123", "user": "alice", "client": "BeOS"},
    {"registration_code": "SLiad+ABC123", "user": "alice", "client": ["Windows"]},
    {"registration_code": ["SLiad+ABC123"], "user": "alice"},
    {"registration_code": "SLiad+ABC123", "user": {"name": "alice"}},
    {"registration_code": "SLiad+ABC123", "user": "alice", "password": "x"},
    {"registration_code": "bad..name.example.com", "user": "alice"},
    {"registration_code": "x" * 300, "user": "alice"},
])
def test_a_malformed_sign_in_is_a_400(server, body):
    r = server.admin("POST", "/sign-ins", json=body)
    assert r.status_code == 400 and r.json()["error"] == "InvalidSignIn", r.text


def test_sign_in_bodies_that_are_not_json_objects(server):
    for content in (b"[1]", b"{not json"):
        r = server.admin("POST", "/sign-ins", content=content, headers={"content-type": "application/json"})
        assert r.status_code == 400 and r.json()["error"] == "InvalidJson"
    r = server.admin("DELETE", "/sign-ins/not-a-session")
    assert r.status_code == 404 and r.json()["error"] == "SessionNotFound"


# Where it shows: views, CLI, reset, export and import ---------------------------------------------------------
def test_the_views_show_connected_users_and_dns_answers(server, failover_pair, sign_in, account):
    pair = failover_pair()
    sign_in("alice", pair["name"])
    rows = server.admin("GET", f"/workspaces?account={account}").json()["workspaces"]
    (row,) = [r for r in rows if r["workspace_id"] == pair["primary"]]
    assert row["connected_user"] == "alice" and row["connected_since"] is not None
    assert row["standbys"][0]["connected_user"] is None
    (name,) = [d for d in server.admin("GET", "/summary").json()["dns"] if d["name"] == pair["name"]]
    assert name["answer"]["region"] == P


def run_cli(server, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "understudy", *args, "--endpoint", server.url],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.socket
def test_the_command_line_sets_dns_and_signs_in_and_out(server, failover_pair, account, outage):
    pair = failover_pair()
    name = f"cli.{account}.example.com"
    out = run_cli(server, "dns", "set", name, "--primary", pair["aliases"][P], "--secondary", pair["aliases"][S],
                  "--no-health-check", "secondary")
    assert out.returncode == 0, out.stderr
    assert f"{name}  ->  {pair['aliases'][P]} in {P} (PRIMARY)" in out.stdout
    assert "no health check" in out.stdout
    shown = run_cli(server, "dns", "show", name)
    assert "SECONDARY" in shown.stdout and shown.returncode == 0
    assert name in run_cli(server, "dns", "show").stdout

    signed = run_cli(server, "sign-in", "alice", name, "--client", "macOS")
    assert signed.returncode == 0 and signed.stdout.startswith("CONNECTED"), signed.stderr
    session = next(line.split()[1] for line in signed.stdout.splitlines() if "session_id" in line)
    out = run_cli(server, "sign-out", session)
    assert out.returncode == 0 and f"signed out of {pair['primary']}" in out.stdout
    assert run_cli(server, "sign-out", session).returncode != 0
    bad = run_cli(server, "sign-in", "alice", name, "--source-ip", "nope")
    assert bad.returncode != 0 and "InvalidSignIn" in bad.stderr
    # A well-formed sign-in that gives no session prints its outcome and exits with 1, with --json too.
    nowhere = run_cli(server, "sign-in", "alice", "nowhere.example.com")
    assert nowhere.returncode == 1 and nowhere.stdout.startswith("INVALID_CODE"), nowhere.stderr
    nobody = run_cli(server, "sign-in", "nobody", name, "--json")
    assert nobody.returncode == 1 and json.loads(nobody.stdout)["outcome"] == "NO_WORKSPACE", nobody.stderr
    assert run_cli(server, "dns", "delete", name).returncode == 0


def test_reset_export_and_import_carry_dns_and_sessions(server, failover_pair, sign_in, account):
    pair = failover_pair()
    session = sign_in("alice", pair["name"])["session_id"]
    snapshot = server.admin("GET", "/state").json()
    assert any(r["name"] == pair["name"] for r in snapshot["tables"]["dns_records"])
    assert any(s["session_id"] == session for s in snapshot["tables"]["sessions"])

    # A reset of one account and Region ends that scope's sessions; DNS, being global, stays.
    server.admin("POST", "/reset", json={"account_id": account, "region": P})
    assert all(s["session_id"] != session for s in server.admin("GET", "/sign-ins").json()["sessions"])
    assert server.admin("GET", f"/dns/{pair['name']}").status_code == 200

    server.admin("POST", "/reset")
    assert server.admin("GET", "/dns").json() == {"names": []}
    assert server.admin("GET", "/sign-ins").json() == {"sessions": []}

    r = server.admin("PUT", "/state", json=snapshot)
    assert r.status_code == 200, r.text
    assert r.json()["imported"]["dns_records"] == len(snapshot["tables"]["dns_records"])
    assert server.admin("GET", f"/dns/{pair['name']}").json()["answer"]["region"] == P
    assert any(s["session_id"] == session for s in server.admin("GET", "/sign-ins").json()["sessions"])
    assert connection(pair["east"], pair["primary"])["ConnectionState"] == "CONNECTED"
    assert sign_out(server, session)["workspace_id"] == pair["primary"]


@pytest.mark.parametrize("damage", ["role", "health", "mixed", "repeat"])
def test_a_snapshot_with_bad_dns_or_sessions_is_refused(server, failover_pair, sign_in, damage):
    pair = failover_pair()
    sign_in("alice", pair["name"])
    snapshot = server.admin("GET", "/state").json()
    records, sessions = snapshot["tables"]["dns_records"], snapshot["tables"]["sessions"]
    if damage == "role":
        records[0]["role"] = "TERTIARY"
    elif damage == "health":
        records[0]["health_check"] = 2
    elif damage == "mixed":
        records.append({**records[0], "role": "SIMPLE"})
    else:
        sessions.append({**sessions[0], "workspace_id": "ws-other0000"})
    r = server.admin("PUT", "/state", json=snapshot)
    assert r.status_code == 400 and r.json()["error"] == "InvalidSnapshot", r.text


# The failover drill, end to end -------------------------------------------------------------------------------
@pytest.mark.socket
def test_the_failover_drill_lands_alice_on_her_standby(server, make_client, make_directory, make_workspace,
                                                       outage, account, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", account)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    east, west = make_client(region=P), make_client(region=S)
    directory, standby_directory = make_directory(P), make_directory(S)
    users = ("alice", "ben", "cat", "dan")
    for user in users:
        make_workspace(P, user=user, directory=directory)
    created = failover_runbook.ensure_standbys(P, S, standby_directory, server.url)["created"]
    assert len(created) == 4
    for wid in created:  # data replication on, as a DR team would
        west.modify_workspace_properties(WorkspaceId=wid, DataReplication="PRIMARY_AS_SOURCE")
    server.advance(12 * 3600)
    name = f"desktop.{account}.example.com"
    aliases = []
    for client, d in ((east, directory), (west, standby_directory)):
        alias_id = client.create_connection_alias(ConnectionString=name)["AliasId"]
        server.advance(2)
        client.associate_connection_alias(AliasId=alias_id, ResourceId=d)
        aliases.append(alias_id)
    run_cli(server, "dns", "set", name, "--primary", aliases[0], "--secondary", aliases[1]).check_returncode()

    before = failover_runbook.verify(name, S, server.url, sample=2)
    assert before["checked"] == 2 and {r["region"] for r in before["landed"].values()} == {P}

    outage(P)
    assert failover_runbook.fail_over(P, S, server.url)["started"]
    server.advance(60)
    report = failover_runbook.verify(name, S, server.url, sample=10)
    assert report["checked"] == 4 and report["connected"] == 4
    standby_of = {describe_workspace(west, wid)["UserName"]: describe_workspace(west, wid) for wid in created}
    alice = report["landed"]["alice"]
    assert (alice["outcome"], alice["region"], alice["workspace_id"]) == ("CONNECTED", S,
                                                                          standby_of["alice"]["WorkspaceId"])
    snapshot = standby_of["alice"]["DataReplicationSettings"]["RecoverySnapshotTime"]
    assert alice["data_as_of"] == pytest.approx(snapshot.timestamp())
    # The last step of docs/standby.md's drill: alice signs in herself, from the command line.
    out = run_cli(server, "sign-in", "alice", name, "--json")
    assert out.returncode == 0, out.stderr
    herself = json.loads(out.stdout)
    assert (herself["outcome"], herself["region"], herself["workspace_id"]) == (
        "CONNECTED", S, standby_of["alice"]["WorkspaceId"])
    assert herself["data_as_of"] == pytest.approx(snapshot.timestamp())
    assert connection(west, herself["workspace_id"])["ConnectionState"] == "CONNECTED"
    run_cli(server, "sign-out", herself["session_id"]).check_returncode()
    # verify signed everyone out again; their standbys stop an hour later (AutoStop)
    server.advance(3600 + 5)
    assert {describe_workspace(west, wid)["State"] for wid in created} == {"STOPPED"}
