"""Two servers and two lifecycle workers on one PostgreSQL database, under concurrent load."""

import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.helpers import BACKENDS, VPC, Server, fresh_pg_database

P, S = "us-east-1", "us-west-2"
ACCOUNT = "123412341234"

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")


def client(srv: Server, region: str, service: str = "workspaces"):
    return srv.client(service, region=region, key=ACCOUNT, max_pool_connections=32)


def wait_until(condition, seconds: float = 60.0):
    """Polls a condition the lifecycle workers make true; bounded, so a broken worker fails the test."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail("the workers did not apply the transitions in time")


def registered_directory(srv: Server, region: str) -> str:
    d = client(srv, region, "ds").create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)
    directory = d["DirectoryId"]
    ds = client(srv, region, "ds")
    wait_until(lambda: ds.describe_directories(DirectoryIds=[directory])["DirectoryDescriptions"][0]["Stage"]
               == "Active")
    ws = client(srv, region)
    ws.register_workspace_directory(DirectoryId=directory)
    wait_until(lambda: ws.describe_workspace_directories(DirectoryIds=[directory])["Directories"][0]["State"]
               == "REGISTERED")
    return directory


@pytest.fixture
def cluster(tmp_path):
    with fresh_pg_database() as db:
        first = Server(db, "--no-worker", "--timing", "instant").start()
        second = Server(db, "--no-worker", "--timing", "instant").start()
        logs = [tmp_path / f"worker{i}.log" for i in range(2)]
        outputs = [open(log, "wb") for log in logs]
        workers = [subprocess.Popen([sys.executable, "-m", "understudy", "worker", "--db", db, "--max-seconds", "300"],
                                    stdout=out, stderr=subprocess.STDOUT) for out in outputs]
        try:
            yield first, second, logs
        finally:
            for w in workers:
                w.terminate()
                w.wait(timeout=30)
            for out in outputs:
                out.close()
            first.stop()
            second.stop()


def test_concurrent_standby_requests_leave_one_standby_per_primary(cluster):
    first, second, worker_logs = cluster
    directory = registered_directory(first, P)
    east = client(first, P)
    bundle = next(b["BundleId"] for b in east.describe_workspace_bundles(Owner="AMAZON")["Bundles"]
                  if "Windows" in b["Name"] and b["ComputeType"]["Name"] == "STANDARD")
    primaries = [p["WorkspaceId"] for p in east.create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": f"user{i}", "BundleId": bundle} for i in range(20)])["PendingRequests"]]
    wait_until(lambda: {w["State"] for w in east.describe_workspaces(WorkspaceIds=primaries)["Workspaces"]}
               == {"AVAILABLE"})
    standby_directory = registered_directory(second, S)
    wests = [client(first, S), client(second, S)]

    def request(i: int) -> dict:
        return wests[i % 2].create_standby_workspaces(PrimaryRegion=P, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": primaries[i % 20], "DirectoryId": standby_directory}])

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(request, range(200)))
    created = [p["WorkspaceId"] for r in results for p in r["PendingStandbyRequests"]]
    refused = [f["ErrorCode"] for r in results for f in r["FailedStandbyRequests"]]
    assert len(created) == 20 and set(refused) == {"ResourceExists.WorkSpace"} and len(refused) == 180

    west = wests[0]
    wait_until(lambda: {w["State"] for w in west.describe_workspaces(WorkspaceIds=created)["Workspaces"]}
               == {"STOPPED"})
    for primary in east.describe_workspaces(WorkspaceIds=primaries)["Workspaces"]:
        assert [r["Type"] for r in primary["RelatedWorkspaces"]] == ["STANDBY"]

    claimed = re.findall(r"transition=(\d+) ", "".join(
        path.read_text() for path in [*worker_logs, *(srv.log_path for srv in (first, second))]))
    assert claimed and len(claimed) == len(set(claimed)), "a transition was claimed twice"
