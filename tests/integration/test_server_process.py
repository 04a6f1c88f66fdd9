"""The server as a process: state across a restart, the credentials file, the command line."""

import contextlib
import fcntl
import json
import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

import httpx
import pytest

from tests.helpers import VPC, Server, registered_directory
from understudy.coverage import report

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def test_state_survives_a_restart(own_server):
    srv = own_server()
    srv.client().modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.3.0.0/16")
    srv.restart()
    assert srv.client().describe_account()["DedicatedTenancyManagementCidrRange"] == "10.3.0.0/16"


def test_a_credentials_file_maps_keys_to_accounts(own_server, tmp_path):
    creds = tmp_path / "creds.json"
    creds.write_text(json.dumps({"credentials": [{"access_key_id": "AKIATEAMA", "account_id": "444455556666"}]}))
    srv = own_server("--credentials", str(creds))
    srv.client(key="AKIATEAMA").modify_account(DedicatedTenancySupport="ENABLED",
                                             DedicatedTenancyManagementCidrRange="10.4.0.0/16")
    assert srv.client(key="444455556666").describe_account()["DedicatedTenancySupport"] == "ENABLED"
    assert srv.client(key="AKIAOTHER").describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_any_region_lets_every_region_in(own_server):
    srv = own_server("--any-region")
    srv.client(region="us-west-1").modify_account(DedicatedTenancySupport="ENABLED",
                                                  DedicatedTenancyManagementCidrRange="10.6.0.0/16")
    assert srv.client(region="us-west-1").describe_account()["DedicatedTenancySupport"] == "ENABLED"
    assert srv.client(region="us-east-1").describe_account()["DedicatedTenancySupport"] == "DISABLED"


def understudy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "understudy", *args], capture_output=True, text=True, timeout=60)


def test_clock_commands_drive_a_running_server(own_server):
    srv = own_server("--clock", "manual")
    shown = understudy("clock", "show", "--endpoint", srv.url)
    assert shown.returncode == 0 and "mode manual" in shown.stdout and "timing fast" in shown.stdout
    before = float(shown.stdout.split()[1])
    advanced = understudy("clock", "advance", "20m", "--endpoint", srv.url)
    assert float(advanced.stdout.split()[1]) == pytest.approx(before + 1200)
    assert "timing realistic" in understudy("clock", "timing", "realistic", "--endpoint", srv.url).stdout
    bad = understudy("clock", "advance", "soon", "--endpoint", srv.url)
    assert bad.returncode != 0 and "not a duration" in bad.stderr


def test_reset_command(own_server):
    srv = own_server()
    srv.client().modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.5.0.0/16")
    assert understudy("reset", "--endpoint", srv.url).returncode == 0
    assert srv.client().describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_commands_say_when_no_server_answers():
    r = understudy("clock", "show", "--endpoint", "http://127.0.0.1:9")
    assert r.returncode != 0 and "cannot reach Understudy" in r.stderr


def test_serve_help_explains_every_setting():
    out = understudy("serve", "--help").stdout
    for flag in ("--host", "--port", "--db", "--clock", "--timing", "--quota", "--any-region", "--account"):
        assert flag in out


def test_a_bad_quota_is_refused_at_start():
    r = understudy("serve", "--quota", "workspacez=3", "--db", "sqlite://")
    assert r.returncode != 0 and "bad quota" in r.stderr


def test_coverage_report_is_current():
    assert (ROOT / "docs" / "coverage.md").read_text() == report(), "run: understudy coverage > docs/coverage.md"


def test_a_restart_in_the_middle_of_pending_still_ends_available(own_server, tmp_path):
    srv = own_server("--clock", "manual")
    c = srv.client()
    directory = registered_directory(srv, srv.client("ds"), c)
    bundle = c.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    wid = c.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "ann", "BundleId": bundle}],
                              )["PendingRequests"][0]["WorkspaceId"]
    srv.restart()
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "PENDING"
    srv.advance(3600)
    assert c.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["State"] == "AVAILABLE"


def test_seed_fills_regions_with_workspaces_and_standby_pairs(tmp_path):
    db = f"sqlite:///{tmp_path}/seed.db"
    r = understudy("seed", "--db", db, "--workspaces", "60", "--regions", "us-east-1,us-west-2",
                   "--standby-ratio", "0.5", "--account", "777788889999")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["workspaces"] == {"us-east-1": 30, "us-west-2": 30} and result["standbys"] == 30
    srv = Server(db, "--clock", "manual").start()
    try:
        east = srv.client(key="777788889999")
        pages = list(east.get_paginator("describe_workspaces").paginate())
        found = [w for p in pages for w in p["Workspaces"]]
        primaries = [w for w in found if any(r["Type"] == "STANDBY" for r in w.get("RelatedWorkspaces", []))]
        standbys = [w for w in found if any(r["Type"] == "PRIMARY" for r in w.get("RelatedWorkspaces", []))]
        assert len(found) == 45 and len(primaries) == 15 and len(standbys) == 15
        assert {w["State"] for w in found} == {"AVAILABLE", "STOPPED"}
    finally:
        srv.stop()


def test_several_processes_share_the_port_the_database_and_one_lifecycle_worker(own_server, tmp_path):
    srv = own_server("--workers", "2", "--timing", "fast")
    pids = {httpx.get(srv.url + "/_understudy/health").json()["pid"] for _ in range(40)}
    assert len(pids) == 2, "both processes answer"
    ws = srv.client()
    for i in range(10):  # whichever process answers, all see one database
        ws.create_ip_group(GroupName=f"group-{i}")
    assert len(ws.describe_ip_groups()["Result"]) == 10
    ds = srv.client("ds")
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    time.sleep(4)  # no request meanwhile: only a lifecycle worker moves the directory on
    with sqlite3.connect(tmp_path / "state.db") as db:
        stage = db.execute("SELECT state FROM resources WHERE id = ?", (directory,)).fetchone()[0]
    assert stage == "Active"
    locks = list(pathlib.Path(tempfile.gettempdir()).glob("understudy-worker-*.lock"))
    held = []
    for path in locks:
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                held.append(path)
    assert held, "one process holds the lifecycle worker's lock"


@pytest.mark.socket
def test_a_killed_supervisor_takes_its_workers_with_it(own_server):
    srv = own_server("--workers", "2")
    pids = {httpx.get(srv.url + "/_understudy/health").json()["pid"] for _ in range(40)}
    assert len(pids) == 2
    srv.proc.send_signal(signal.SIGKILL)  # it cannot stop its workers itself
    srv.proc.wait(timeout=10)
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline and any(pathlib.Path(f"/proc/{pid}").exists() for pid in pids):
            time.sleep(0.1)
        assert not any(pathlib.Path(f"/proc/{pid}").exists() for pid in pids), "no worker goes on serving"
        with pytest.raises(httpx.ConnectError):
            httpx.get(srv.url + "/_understudy/health", timeout=2)
    finally:
        for pid in pids:  # when the assertion failed: no process of the test outlives it
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def test_workers_need_a_database_they_can_share():
    r = understudy("serve", "--db", "sqlite://", "--workers", "2", "--port", "1")
    assert r.returncode == 2 and "--workers needs a database" in r.stderr
