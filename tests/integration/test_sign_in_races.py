"""At most one session per WorkSpace, with two servers racing sign-ins on one PostgreSQL database; and a DNS name
written by both at once keeps one record per role."""

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.helpers import BACKENDS, VPC, Server, fresh_pg_database, other_account

P = "us-east-1"
CALLS = 40

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")


@pytest.fixture(scope="module")
def pair():
    with fresh_pg_database() as db:
        servers = [Server(db, "--timing", "instant").start(), Server(db, "--timing", "instant", "--no-worker").start()]
        yield servers
        for srv in servers:
            srv.stop()


def race(call, n: int = CALLS) -> list:
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(call, range(n)))


@pytest.mark.parametrize("round_", range(3))
def test_one_session_per_workspace(pair, round_):
    account = other_account()
    ws, ds = pair[0].client(region=P, key=account), pair[0].client("ds", region=P, key=account)
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory)
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    wid = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "alice",
                                            "BundleId": bundle}])["PendingRequests"][0]["WorkspaceId"]
    ws.describe_workspaces(WorkspaceIds=[wid])  # instant timing: AVAILABLE from the next read
    code = ws.describe_workspace_directories(DirectoryIds=[directory])["Directories"][0]["RegistrationCode"]
    users = ("alice", "ALICE", "Alice")

    def sign_in(i: int) -> dict:
        r = httpx.post(pair[i % 2].url + "/_understudy/sign-ins", timeout=60,
                       json={"registration_code": code, "user": users[i % 3]})
        assert r.status_code == 200, r.text
        return r.json()

    answers = race(sign_in)
    assert {a["outcome"] for a in answers} == {"CONNECTED"}
    live = [s for srv in pair for s in srv.admin("GET", "/sign-ins").json()["sessions"] if s["workspace_id"] == wid]
    assert len({s["session_id"] for s in live}) == 1
    # the one left is the last writer's: every other session id is gone
    gone = [a["session_id"] for a in answers if a["session_id"] != live[0]["session_id"]]
    assert all(pair[0].admin("DELETE", f"/sign-ins/{s}").status_code == 404 for s in gone[:5])


def test_a_name_written_by_both_servers_at_once_keeps_one_record_per_role(pair):
    account = other_account()
    ws = pair[0].client(region=P, key=account)
    aliases = [ws.create_connection_alias(ConnectionString=f"d{i}.{account}.example.com")["AliasId"] for i in range(2)]
    name = f"desktop.{account}.example.com"

    def put(i: int) -> int:
        records = [{"alias_id": aliases[i % 2], "failover": "PRIMARY"},
                   {"alias_id": aliases[(i + 1) % 2], "failover": "SECONDARY"}]
        url = pair[i % 2].url + f"/_understudy/dns/{name}"
        return httpx.put(url, json={"records": records}, timeout=60).status_code

    assert set(race(put, 20)) == {200}
    shown = pair[1].admin("GET", f"/dns/{name}").json()
    assert sorted(r["failover"] for r in shown["records"]) == ["PRIMARY", "SECONDARY"]
