"""The dashboard at /_understudy/ in headless Chromium (Debian's, driven by Playwright; nothing downloads a browser).

The page must follow the lifecycle by itself, draw the pairs across Regions, show outages and
escape every value. A screenshot is kept under .ci/artifacts/ for CI.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import Server

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM) and not os.environ.get("CI"):  # CI installs it (.ci/run); a laptop may not have it
    pytest.skip("no chromium: apt-get install chromium", allow_module_level=True)

ARTIFACTS = Path(__file__).resolve().parents[2] / ".ci" / "artifacts"
P, S = "us-east-1", "us-west-2"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server of this module's own: one test replaces the whole state with a hand-edited snapshot."""
    srv = Server(f"sqlite:///{tmp_path_factory.mktemp('db')}/state.db", "--clock", "manual", "--timing", "fast")
    yield srv.start()
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server, account):
    """The dashboard, narrowed to this test's account; fails the test on any script error."""
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server.url}/_understudy/?account={account}")
    yield page
    page.close()
    assert errors == []


def card(page, workspace_id: str):
    return page.locator(f'[data-workspace-id="{workspace_id}"]')


def test_a_state_change_appears_without_a_reload(page, server, make_workspace):
    wid = make_workspace(P, available=False)
    sync_api.expect(card(page, wid).locator(".state")).to_have_text("PENDING", timeout=10_000)
    page.evaluate("window.loadedOnce = true")
    server.advance(3600)
    sync_api.expect(card(page, wid).locator(".state")).to_have_text("AVAILABLE", timeout=10_000)
    assert card(page, wid).get_attribute("data-state") == "AVAILABLE"
    assert page.evaluate("window.loadedOnce") is True  # the same document: no reload happened
    sync_api.expect(page.locator("#clock")).to_contain_text("clock manual")


def test_pairs_are_linked_across_regions_with_replication(page, server, make_client, make_workspace,
                                                          make_directory):
    primary = make_workspace(P)
    item = {"PrimaryWorkspaceId": primary, "DirectoryId": make_directory(S), "DataReplication": "PRIMARY_AS_SOURCE"}
    standby = make_client(region=S).create_standby_workspaces(
        PrimaryRegion=P, StandbyWorkspaces=[item])["PendingStandbyRequests"][0]["WorkspaceId"]
    make_workspace(P, user="bob")
    server.advance(3600)
    server.admin("POST", "/outages", json={"region": S, "api": "up"})
    try:
        sync_api.expect(page.locator(f'section[data-region="{S}"] [data-workspace-id="{standby}"]')).to_be_visible(
            timeout=10_000)
        sync_api.expect(card(page, standby).locator(".repl")).to_contain_text("replication PRIMARY_AS_SOURCE")
        sync_api.expect(card(page, standby).locator(".repl")).to_contain_text("recovery snapshot")
        sync_api.expect(card(page, standby)).to_contain_text(f"standby of {primary}")
        sync_api.expect(page.locator(f'[data-outage-region="{S}"]')).to_be_visible(timeout=10_000)
        assert page.locator(f'section[data-region="{P}"] [data-workspace-id="{primary}"]').count() == 1
        assert page.locator("#links path.link").count() == 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)
    finally:
        server.admin("DELETE", f"/outages/{S}")
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 0


def test_an_outage_banner_comes_and_goes(page, server, make_workspace):
    wid = make_workspace(P)
    sync_api.expect(card(page, wid).locator(".state")).to_have_text("AVAILABLE", timeout=10_000)
    server.admin("POST", "/outages", json={"region": P})
    try:
        sync_api.expect(page.locator(f'[data-outage-region="{P}"]')).to_contain_text(f"Outage in {P}",
                                                                                     timeout=10_000)
        sync_api.expect(card(page, wid).locator(".state")).to_have_text("UNHEALTHY", timeout=10_000)
    finally:
        server.admin("DELETE", f"/outages/{P}")
    sync_api.expect(page.locator(f'[data-outage-region="{P}"]')).to_have_count(0, timeout=10_000)
    sync_api.expect(card(page, wid).locator(".state")).to_have_text("AVAILABLE", timeout=10_000)


def test_names_and_tags_are_shown_as_text_never_run(page, server, account, make_workspace):
    wid = make_workspace(P)
    name, value = "<script>window.injected = 1</script>", '<img src=x onerror="window.injected = 2">'
    snapshot = server.admin("GET", "/state").json()  # the API refuses such values; a hand-edited snapshot does not
    for row in snapshot["tables"]["resources"]:
        if row["id"] == wid:
            row["doc"]["WorkspaceName"] = name
    snapshot["tables"]["tags"].append({"account_id": account, "region": P, "resource_id": wid, "key": "note",
                                       "value": value})
    assert server.admin("PUT", "/state", json=snapshot).status_code == 200
    sync_api.expect(card(page, wid).locator(".name")).to_have_text(name, timeout=10_000)
    sync_api.expect(card(page, wid).locator(".tag")).to_have_text(f"note = {value}")
    assert card(page, wid).locator("script, img").count() == 0
    assert page.evaluate("window.injected") is None
