"""The /_understudy control plane: health, reset (and moto's), and the clock."""

import pytest
from botocore.exceptions import ClientError


def test_health(server):
    body = server.admin("GET", "/health").json()
    assert body["status"] == "ok" and body["store"] in ("sqlite", "postgresql") and body["version"]


def _enable(client):
    client.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.9.0.0/16")


def test_reset_of_one_scope_leaves_the_others(make_client, server, account):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    _enable(east), _enable(west)
    r = server.admin("POST", "/reset", json={"account_id": account, "region": "us-east-1"})
    assert r.json() == {"reset": True}
    assert east.describe_account()["DedicatedTenancySupport"] == "DISABLED"
    assert west.describe_account()["DedicatedTenancySupport"] == "ENABLED"


def test_reset_needs_both_account_and_region_or_neither(server):
    r = server.admin("POST", "/reset", json={"account_id": "123456789012"})
    assert r.status_code == 400 and r.json()["error"] == "InvalidScope"


def test_moto_reset_forgets_everything(make_client, server):
    client = make_client()
    _enable(client)
    r = server.request("POST", "/moto-api/reset")
    assert r.status_code == 200
    assert client.describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_clock_manual_stands_still_and_advances_on_request(server):
    before = server.admin("GET", "/clock").json()
    assert before["mode"] == "manual" and before["timing"] == "fast"
    assert server.admin("GET", "/clock").json()["now"] == before["now"]
    after = server.advance(1800)
    assert after["now"] == pytest.approx(before["now"] + 1800)


def test_clock_timing_and_mode_changes(server):
    assert server.admin("POST", "/clock", json={"timing": "realistic"}).json()["timing"] == "realistic"
    real = server.admin("POST", "/clock", json={"mode": "real"}).json()
    assert real["mode"] == "real"
    assert server.admin("GET", "/clock").json()["now"] >= real["now"]


@pytest.mark.parametrize("body", [{"timing": "slow"}, {"mode": "frozen"}, {"advance_seconds": -5},
                                  {"advance_seconds": "10"}, {"speed": 2}])
def test_bad_clock_changes_are_refused_with_json(server, body):
    r = server.admin("POST", "/clock", json=body)
    assert r.status_code == 400 and r.json()["error"] == "InvalidClockChange"


def test_control_plane_bodies_must_be_json_objects(server):
    r = server.admin("POST", "/clock", content=b"[1]", headers={"content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "InvalidJson"


def test_a_failed_call_changes_nothing(ws):
    with pytest.raises(ClientError) as e:
        ws.modify_account(DedicatedTenancySupport="ENABLED")  # no management CIDR range: refused
    assert e.value.response["Error"]["Code"] == "InvalidParameterValuesException"
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"
