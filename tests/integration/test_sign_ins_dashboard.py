"""The dashboard shows who is connected on each WorkSpace, and each DNS name with its current answer (headless
Chromium, as tests/integration/test_dashboard.py drives it; skipped where there is no Chromium)."""

import httpx

from tests.integration.test_dashboard import browser, card, page, server, sync_api  # noqa: F401

P = "us-east-1"


def test_connected_users_and_dns_answers_show_without_a_reload(page, server, make_client, make_workspace,  # noqa: F811
                                                                account):
    wid = make_workspace(P, user="alice")
    ws = make_client(region=P)
    directory = ws.describe_workspaces(WorkspaceIds=[wid])["Workspaces"][0]["DirectoryId"]
    alias = ws.create_connection_alias(ConnectionString=f"desktop.{account}.example.com")["AliasId"]
    server.advance(2)
    ws.associate_connection_alias(AliasId=alias, ResourceId=directory)
    name = f"desktop.{account}.example.com"
    assert server.admin("PUT", f"/dns/{name}", json={"records": [{"alias_id": alias}]}).status_code == 200
    r = httpx.post(server.url + "/_understudy/sign-ins", json={"registration_code": name, "user": "alice"})
    assert r.json()["outcome"] == "CONNECTED"
    sync_api.expect(card(page, wid).locator(".user")).to_contain_text("connected: alice", timeout=10_000)
    sync_api.expect(page.locator(f'[data-dns-name="{name}"]')).to_contain_text(f"{alias} in {P}", timeout=10_000)
    server.admin("DELETE", f"/sign-ins/{r.json()['session_id']}")
    sync_api.expect(card(page, wid).locator(".user")).to_have_count(0, timeout=10_000)
