"""State export and import over /_understudy/state, and the operator's views: `status`, `ls`, `state`.

Each test gets a server of its own (on every backend), because importing a snapshot replaces the
state of every account.
"""

import json
import sqlite3

import pytest
from click.testing import CliRunner

from tests.helpers import BACKENDS, Server, code, serving
from tests.helpers import describe_workspace as describe
from understudy.cli import main

P, S = "us-east-1", "us-west-2"


@pytest.fixture(params=BACKENDS)
def server(request, tmp_path):
    with serving(request.param, tmp_path, "--clock", "manual", "--timing", "fast") as srv:
        yield srv


@pytest.fixture
def pair(make_client, make_workspace, make_directory):
    """A tagged primary in us-east-1, AVAILABLE, and its standby in us-west-2, still PENDING."""
    primary = make_workspace(P, Tags=[{"Key": "team", "Value": "blue"}])
    item = {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S), "DataReplication": "PRIMARY_AS_SOURCE"}
    r = make_client(region=S).create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[item])
    assert r["FailedStandbyRequests"] == []
    return primary, r["PendingStandbyRequests"][0]["WorkspaceId"]


def cli(server: Server, *args: str, color: bool = False) -> str:
    result = CliRunner().invoke(main, [*args, "--endpoint", server.url], color=color, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_export_reset_import_brings_everything_back(server, make_client, make_workspace, pair):
    east, west = make_client(region=P), make_client(region=S)
    primary, standby = pair
    server.admin("POST", "/outages", json={"region": "eu-west-1", "api": "up"})
    before = {"primary": describe(east, primary), "standby": describe(west, standby)}
    snapshot = server.admin("GET", "/state").json()
    assert snapshot["format"] == 1 and snapshot["schema_version"] >= 2
    assert snapshot["clock"]["mode"] == "manual"
    assert any(t["resource_id"] == standby and t["to_state"] == "STOPPED" for t in snapshot["tables"]["transitions"])

    assert server.admin("POST", "/reset").json() == {"reset": True}
    assert describe(west, standby) is None and server.admin("GET", "/outages").json() == {"outages": []}

    server.advance(60)  # the imported clock replaces this one
    r = server.admin("PUT", "/state", json=snapshot)
    assert r.status_code == 200, r.text
    assert r.json()["imported"]["resources"] == len(snapshot["tables"]["resources"])
    assert server.admin("GET", "/clock").json()["now"] == snapshot["clock"]["now"]
    assert server.admin("GET", "/state").json()["tables"] == snapshot["tables"]
    assert describe(east, primary) == before["primary"]
    assert describe(west, standby) == before["standby"]
    assert before["standby"]["State"] == "PENDING"
    assert east.describe_tags(ResourceId=primary)["TagList"] == [{"Key": "team", "Value": "blue"}]
    assert [o["region"] for o in server.admin("GET", "/outages").json()["outages"]] == ["eu-west-1"]

    server.advance(3600)  # the pending transition came back with the snapshot
    assert describe(west, standby)["State"] == "STOPPED"
    assert describe(east, primary)["RelatedWorkspaces"][0]["State"] == "STOPPED"
    assert describe(east, make_workspace(P, user="bob")) is not None  # new rows after imported ids


def test_a_name_of_any_length_the_api_took_comes_back_through_export_and_import(server, make_client):
    """Neither store bounds a string's length now (PostgreSQL's columns are TEXT): a snapshot takes what the
    API took. It refused a 1,000-character IP group name as longer than its column."""
    ws = make_client(region=P)
    group = ws.create_ip_group(GroupName="n" * 1000)["GroupId"]
    snapshot = server.admin("GET", "/state").json()
    assert server.admin("POST", "/reset").json() == {"reset": True}
    r = server.admin("PUT", "/state", json=snapshot)
    assert r.status_code == 200, r.text
    assert ws.describe_ip_groups(GroupIds=[group])["Result"][0]["groupName"] == "n" * 1000


@pytest.mark.parametrize("damage", [
    lambda s: s.update(format=2),
    lambda s: s.update(schema_version=999),
    lambda s: s["clock"].update(mode="sideways"),
    lambda s: s["tables"].update(unknown=[]),
    lambda s: s["tables"].pop("tags"),
    lambda s: s["tables"]["resources"][0].update(colour="red"),
    lambda s: s["tables"]["resources"][0].update(doc="not an object"),
    lambda s: s["tables"]["transitions"][0].pop("to_state"),
    lambda s: s["tables"]["tags"].append(dict(s["tables"]["tags"][0])),
    lambda s: s["tables"]["resources"].append({**s["tables"]["resources"][0], "region": 40}),
    # Each of these was imported, then failed requests until a reset (issue 11).
    lambda s: s["tables"]["transitions"][0].update(kind="nope"),
    lambda s: s["tables"]["resources"].append({**s["tables"]["resources"][0], "kind": "workspace", "id": "ws-empty",
                                               "doc": {}}),
    lambda s: s["tables"]["resources"][0].update(label="a\x00b"),
    lambda s: s["tables"]["resources"][0]["doc"].update(_note="a\x00b"),
    lambda s: s["tables"]["counters"][0].update(n=2**62),
    lambda s: s["tables"]["transitions"][0].update(due_at=1e300),
    lambda s: s["clock"].update(frozen_at=1e300),
    lambda s: s["tables"]["outages"].append({"region": "eu-west-1", "since": 0.0, "api": "sideways"}),
    lambda s: s["tables"]["resources"][0]["doc"].update(_deep=json.loads("[" * 100 + "]" * 100)),
    lambda s: s["tables"]["resources"][0]["doc"].update(_big=2**60),
    lambda s: s["tables"]["resources"][0].update(kind="planet"),
], ids=["format", "schema", "clock", "table", "missing", "column", "doc", "required", "duplicate", "not-a-string",
        "transition-kind", "empty-doc", "nul-column", "nul-doc", "counter", "due", "frozen", "outage-api", "deep",
        "big-int", "resource-kind"])
def test_a_bad_snapshot_changes_nothing(server, pair, damage, make_client):
    good = server.admin("GET", "/state").json()
    bad = json.loads(json.dumps(good))
    bad["tables"]["resources"] = bad["tables"]["resources"][:1]  # the rest would be wiped by a partial import
    damage(bad)
    r = server.admin("PUT", "/state", json=bad)
    assert r.status_code == 400 and r.json()["error"] == "InvalidSnapshot", r.text
    assert r.json()["message"].startswith(("tables.", "clock.", "format", "schema", "unknown", "missing")), r.text
    assert server.admin("GET", "/state").json() == good
    assert describe(make_client(region=P), pair[0])["State"] == "AVAILABLE", "requests still work"


def test_quota_counters_come_from_the_resources_not_the_file(own_server):
    srv = own_server(quotas={"ip_groups": 2})
    ws = srv.client(region=P)
    ws.create_ip_group(GroupName="one")
    ws.create_ip_group(GroupName="two")
    snapshot = srv.admin("GET", "/state").json()
    assert [c["n"] for c in snapshot["tables"]["counters"]] == [2]
    snapshot["tables"]["counters"] = []  # as if edited by hand: the quota must still hold
    assert srv.admin("PUT", "/state", json=snapshot).status_code == 200
    assert code(ws.create_ip_group, GroupName="three") == "ResourceLimitExceededException"
    assert srv.admin("GET", "/state").json()["tables"]["counters"][0]["n"] == 2


def test_the_clock_stops_at_the_last_second_it_can_show_and_exports_round_trip(server):
    r = server.admin("POST", "/clock", json={"advance_seconds": 1e300})
    assert (r.status_code, r.json()["error"]) == (400, "InvalidClockChange")
    assert server.admin("POST", "/clock", json={"advance_seconds": 1e11}).status_code == 200  # about year 5100
    snapshot = server.admin("GET", "/state").json()
    r = server.admin("PUT", "/state", json=snapshot)
    assert r.status_code == 200, r.text
    assert server.admin("GET", "/clock").json()["now"] == snapshot["clock"]["now"]


def test_a_transition_that_cannot_be_applied_fails_no_request(own_server, tmp_path):
    """A broken transition written behind the server's back (a bug's, or a hand-edited database's)."""
    srv = own_server("--clock", "manual")
    ws = srv.client(region=P)
    with sqlite3.connect(tmp_path / "state.db") as db:
        db.execute("INSERT INTO transitions (account_id, region, kind, resource_id, to_state, due_at) "
                   "VALUES ('999999999999', 'eu-west-1', 'nope', 'x-1', 'GONE', 0)")
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"
    assert ws.create_ip_group(GroupName="after")["GroupId"]
    [broken] = srv.admin("GET", "/state").json()["tables"]["transitions"]
    assert broken["resource_id"] == "x-1" and broken["failed"].startswith("KeyError")
    srv.advance(60)
    assert ws.describe_ip_groups()["Result"][0]["groupName"] == "after"


def test_a_body_that_is_not_a_snapshot_is_refused(server):
    assert server.admin("PUT", "/state", content=b"{not json",
                        headers={"content-type": "application/json"}).json()["error"] == "InvalidJson"
    assert server.admin("PUT", "/state", json=[1, 2]).json()["error"] == "InvalidJson"
    assert server.admin("PUT", "/state").json()["error"] == "InvalidSnapshot"


def test_state_export_and_import_from_the_command_line(server, make_client, pair, tmp_path):
    primary, standby = pair
    path = tmp_path / "state.json"
    cli(server, "state", "export", str(path))
    assert json.loads(path.read_text())["format"] == 1
    server.admin("POST", "/reset")
    assert "transitions" in cli(server, "state", "import", str(path))
    assert describe(make_client(region=S), standby)["State"] == "PENDING"
    path.write_text('{"format": 1}')
    result = CliRunner().invoke(main, ["state", "import", str(path), "--endpoint", server.url])
    assert result.exit_code == 1 and "InvalidSnapshot" in result.output


def test_status_counts_by_region_account_and_state(server, account, pair):
    server.advance(3600)
    server.admin("POST", "/outages", json={"region": S, "api": "up"})
    summary = json.loads(cli(server, "status", "--json"))
    regions = {r["region"]: r for r in summary["regions"]}
    assert regions[P]["accounts"] == [{"account_id": account, "workspaces": 1, "states": {"AVAILABLE": 1}}]
    assert regions[S]["states"] == {"UNHEALTHY": 1} and regions[S]["outage"]["api"] == "up"
    assert summary["workspaces"] == 2 and summary["clock"]["mode"] == "manual"

    text = cli(server, "status")
    assert f"outage   {S} since" in text and "mode manual" in text
    assert any(line.split()[:4] == [P, account, "1", "AVAILABLE"] for line in text.splitlines())
    assert "\x1b[" not in text  # no colour codes when stdout is not a terminal
    assert "\x1b[32mAVAILABLE 1" in cli(server, "status", color=True)


def test_ls_pairs_each_primary_with_its_standby(server, account, make_workspace, pair):
    primary, standby = pair
    lone = make_workspace(P, user="carol")
    server.advance(3600)
    listing = json.loads(cli(server, "ls", "--json"))
    rows = {r["workspace_id"]: r for r in listing["workspaces"]}
    assert set(rows) == {primary, lone} and listing["truncated"] is False
    assert rows[primary]["role"] == "primary" and rows[lone]["role"] == "standalone"
    (side,) = rows[primary]["standbys"]
    assert (side["workspace_id"], side["region"], side["state"]) == (standby, S, "STOPPED")
    assert side["primary"] == {"region": P, "workspace_id": primary}
    assert side["replication"] == "PRIMARY_AS_SOURCE" and side["recovery_snapshot_age"] >= 0
    assert rows[primary]["tags"] == {"team": "blue"}

    lines = cli(server, "ls").splitlines()
    assert lines[0].split()[:5] == ["ACCOUNT", "REGION", "WORKSPACE", "USER", "STATE"]
    (row,) = [line for line in lines if primary in line]
    assert row.split() == [account, P, primary, "alice", "AVAILABLE", S, standby, "STOPPED", "PRIMARY_AS_SOURCE",
                           row.split()[-1]]
    assert [r["workspace_id"] for r in json.loads(cli(server, "ls", "--region", S, "--json"))["workspaces"]] \
        == [primary]
    assert json.loads(cli(server, "ls", "--account", "000000000000", "--json"))["workspaces"] == []
    assert json.loads(cli(server, "ls", "--limit", "1", "--json"))["truncated"] is True


@pytest.mark.parametrize("endpoint", ["notaurl", "http://[::1", "ftp://127.0.0.1:4599", "http://127.0.0.1:abc",
                                      "http://127.0.0.1:99999", "http://127.0.0.1:4599?x=1",
                                      "http://127.0.0.1:4599#x", "http://127.0.0.1:4599/path"])
def test_an_endpoint_that_is_not_a_servers_address_is_one_readable_line(endpoint):
    """Refused before any request (nothing need listen there). Before, a traceback (ValueError, InvalidURL, a
    KeyError on the answer of a query) or an AWS error's raw JSON."""
    result = CliRunner().invoke(main, ["status", "--endpoint", endpoint])
    assert result.exit_code == 1
    assert result.output == (f"Error: The endpoint must be http://HOST:PORT, the running server's address, not "
                             f"{endpoint!r} (--endpoint, UNDERSTUDY_ENDPOINT, or UNDERSTUDY_HOST and "
                             "UNDERSTUDY_PORT).\n")


@pytest.mark.parametrize("scope", [["--region", "mars-1"], ["--account-id", "123456789012"]])
def test_a_reset_of_half_a_scope_names_the_options_to_give(scope):
    result = CliRunner().invoke(main, ["reset", *scope, "--endpoint", "http://127.0.0.1:4599"])
    assert result.exit_code == 2 and "Give --account-id and --region together, or neither." in result.output


def test_ls_writes_out_the_control_characters_a_client_stored(server, make_workspace):
    """A user name is the client's to choose: in a terminal, its escape sequences and line breaks would
    repaint the screen or forge a row."""
    wid = make_workspace(P, user="eve\x1b[2J\r\nFORGED")
    (row,) = [line for line in cli(server, "ls").splitlines() if "FORGED" in line]
    assert wid in row and "eve\\x1b[2J\\x0d\\x0aFORGED" in row


def test_a_refusal_of_the_control_plane_is_one_readable_line(server):
    result = CliRunner().invoke(main, ["ls", "--region", "mars-1", "--endpoint", server.url])
    assert result.exit_code == 1
    assert result.output == ('Error: region must be a Region name such as us-east-1, not "mars-1". '
                             "(InvalidQuery, HTTP 400)\n")


def _add(snapshot: dict, kind: str, doc: dict, account: str = "123456789012") -> None:
    """A resource row whose indexed columns agree with its document, as the store writes them."""
    from understudy.domain.families import KINDS
    from understudy.domain.resources import column_values
    row = {"account_id": account, "region": P, "kind": kind, "id": doc[KINDS[kind].id], "doc": doc,
           **column_values(KINDS[kind], doc)}
    snapshot["tables"]["resources"].append(row)


def _of(snapshot: dict, kind: str) -> dict:
    return next(r for r in snapshot["tables"]["resources"] if r["kind"] == kind)


@pytest.mark.parametrize("damage", [
    lambda s: _of(s, "ip_group")["doc"].update(userRules="abc"),
    lambda s: _of(s, "account_modification")["doc"].update(StartTime="abc"),
    lambda s: _of(s, "account_modification")["doc"].update(StartTime=1e300),
    lambda s: _of(s, "connection_alias")["doc"].update(Associations=["abc"]),
    lambda s: _add(s, "workspace", {"WorkspaceId": "ws-aaaaaaaab", "State": "AVAILABLE", "_Primary": "q"}),
    lambda s: _add(s, "image", {"ImageId": "wsi-aaaaaaaaa", "State": "AVAILABLE"}),
    lambda s: _add(s, "alias_share", {"AliasId": "wsca-aaaaaaaaa"}),
], ids=["rules-type", "time-type", "time-range", "associations", "primary-type", "image-private", "share-owner"])
def test_a_snapshot_whose_documents_cannot_be_described_is_refused(own_server, damage):
    """Found by trying: each was imported, then the read that shows it answered 500 for ever."""
    srv = own_server("--clock", "manual")
    ws = srv.client(region=P)
    ws.create_ip_group(GroupName="g", UserRules=[{"ipRule": "10.0.0.0/16"}])
    ws.create_connection_alias(ConnectionString="desktop.example.com")
    ws.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.7.0.0/16")
    good = srv.admin("GET", "/state").json()
    bad = json.loads(json.dumps(good))
    damage(bad)
    r = srv.admin("PUT", "/state", json=bad)
    assert (r.status_code, r.json()["error"]) == (400, "InvalidSnapshot"), r.text
    assert "cannot be read back" in r.json()["message"]
    assert srv.admin("GET", "/state").json()["tables"] == good["tables"]
    assert ws.describe_ip_groups()["Result"][0]["groupName"] == "g"


def test_an_offset_that_takes_now_past_the_last_second_is_refused(server):
    good = server.admin("GET", "/state").json()
    for offset in (253402300799.0, -253402300799.0):
        bad = json.loads(json.dumps(good))
        bad["clock"].update(mode="real", frozen_at=None, offset=offset)
        r = server.admin("PUT", "/state", json=bad)
        assert (r.status_code, r.json()["error"]) == (400, "InvalidSnapshot"), r.text
