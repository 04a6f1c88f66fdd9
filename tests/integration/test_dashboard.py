"""The dashboard at /_understudy/ in headless Chromium (Debian's, driven by Playwright; nothing downloads a browser).

The page must follow the lifecycle by itself, draw the pairs across Regions, show outages and
escape every value. A screenshot is kept under .ci/artifacts/ for CI.
"""

import json
import os
import re
import shutil
from pathlib import Path

import httpx
import pytest

from tests.helpers import Server, missing

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install -e '.[test]'")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):  # CI installs it (.ci/run); a laptop may not have it
    missing("no chromium: apt-get install chromium")

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


def make_pair(make_client, make_workspace, make_directory, replication: str = "PRIMARY_AS_SOURCE",
              user: str = "alice") -> tuple[str, str]:
    """A primary in P and its standby in S (PENDING until the clock moves)."""
    primary = make_workspace(P, user=user)
    return primary, make_standby(make_client, primary, make_directory(S), replication)


def make_standby(make_client, primary: str, directory: str, replication: str = "PRIMARY_AS_SOURCE") -> str:
    item = {"PrimaryWorkspaceId": primary, "DirectoryId": directory}
    if replication:
        item["DataReplication"] = replication
    return make_client(region=S).create_standby_workspaces(
        PrimaryRegion=P, StandbyWorkspaces=[item])["PendingStandbyRequests"][0]["WorkspaceId"]


def first_frame(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="first-frame">(.*?)</script>', html, re.S)
    assert found, "no first frame in the page"
    return json.loads(found.group(1))


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
    primary, standby = make_pair(make_client, make_workspace, make_directory)
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
        # The primary and its standby share one row: same top, same height, and the line between them is level.
        a, b = card(page, primary).bounding_box(), card(page, standby).bounding_box()
        assert abs(a["y"] - b["y"]) < 1 and abs(a["height"] - b["height"]) < 1 and a["x"] < b["x"]
        x1, y1, x2, y2 = map(float, re.findall(r"-?[0-9.]+", page.locator("#links path.link").get_attribute("d")))
        assert abs(y1 - y2) < 1 and x1 <= b["x"] + 1 and x2 >= a["x"] + a["width"] - 1
        # The Region columns use the full width (1280 less the 20px margins).
        assert page.locator("#regions").bounding_box()["width"] > 1230
        assert b["x"] + b["width"] > 1230
        # The readiness of us-east-1 -> us-west-2 for this account, and a legend.
        ready = page.locator(f'.ready[data-primary-region="{P}"][data-standby-region="{S}"]')
        sync_api.expect(ready.locator(".covered")).to_have_text("standby for 1 of 2 primaries")
        sync_api.expect(ready.locator(".replicating")).to_have_text("replication on for 1 of 1 pairs")
        sync_api.expect(ready.locator(".rpo")).to_contain_text("worst RPO: oldest recovery snapshot")
        sync_api.expect(ready.locator(".pending")).to_have_text("0 standbys not yet provisioned (PENDING)")
        sync_api.expect(page.locator("#legend")).to_contain_text("a primary and its standby")
        sync_api.expect(page.locator('#legend [data-state="UNHEALTHY"]')).to_be_visible()
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


def test_the_first_frame_is_drawn_from_the_page_itself(browser, server, account, make_workspace):
    """With the JSON views unreachable, the page still shows its WorkSpaces at once, never only "connecting..."."""
    wid = make_workspace(P)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(re.compile(r".*/_understudy/(summary|workspaces).*"), lambda route: route.abort())
    try:
        page.goto(f"{server.url}/_understudy/?account={account}")
        sync_api.expect(card(page, wid).locator(".state")).to_have_text("AVAILABLE", timeout=2_000)
        assert "connecting" not in page.locator("#clock").text_content()
        sync_api.expect(page.locator("#banners")).to_contain_text("Cannot read Understudy", timeout=10_000)
    finally:
        page.close()
    assert errors == []


def test_pair_numbers_stay_and_filters_narrow(page, server, account, make_client, make_workspace, make_directory):
    first, first_standby = make_pair(make_client, make_workspace, make_directory)
    loner = make_workspace(P, user="bob")
    sync_api.expect(card(page, first_standby)).to_be_visible(timeout=10_000)
    number = card(page, first).locator(".pair").get_attribute("data-pair")
    second, second_standby = make_pair(make_client, make_workspace, make_directory, user="carol")
    sync_api.expect(card(page, second_standby)).to_be_visible(timeout=10_000)
    assert card(page, first).locator(".pair").get_attribute("data-pair") == number
    assert card(page, second).locator(".pair").get_attribute("data-pair") not in (number, None)
    assert card(page, second_standby).locator(".pair").get_attribute("data-pair") == \
        card(page, second).locator(".pair").get_attribute("data-pair")
    make_client(region=P).terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": second}])
    server.advance(3600)
    sync_api.expect(card(page, second)).to_have_count(0, timeout=10_000)
    sync_api.expect(card(page, first).locator(".pair")).to_have_text(f"pair {number} \u2192 {S}")

    # The Region filter keeps the rows with a WorkSpace there, and the address follows it.
    page.select_option("#filter-region", S)
    sync_api.expect(card(page, loner)).to_have_count(0, timeout=10_000)
    sync_api.expect(card(page, first_standby)).to_be_visible()
    assert f"region={S}" in page.url and f"account={account}" in page.url
    page.select_option("#filter-region", "")
    sync_api.expect(card(page, loner)).to_be_visible(timeout=10_000)
    assert account in page.locator("#filter-account option").all_text_contents()
    assert page.locator("#filter-account").input_value() == account


def test_readiness_per_region_pair_through_the_json_view(server, account, make_client, make_workspace,
                                                         make_directory):
    """No browser: the numbers come from GET /_understudy/workspaces, and the page embeds the same."""
    primaries = [make_workspace(P, user=user) for user in ("alice", "bob", "carol")]
    directory = make_directory(S)
    make_standby(make_client, primaries[0], directory)
    make_standby(make_client, primaries[1], directory, replication="")

    def readiness(**query) -> list[dict]:
        r = server.admin("GET", "/workspaces", params={"account": account, **query})
        assert r.status_code == 200
        return r.json()["readiness"]

    [pending] = readiness()
    assert pending == {"primary_region": P, "standby_region": S, "primaries": 3, "with_standby": 2,
                       "replicating": 1, "oldest_recovery_snapshot_age": None, "without_recovery_snapshot": 1,
                       "pending_standbys": 2}
    server.advance(3600)
    [ready] = readiness()
    assert ready["pending_standbys"] == 0 and ready["replicating"] == 1 and ready["with_standby"] == 2
    assert ready["oldest_recovery_snapshot_age"] is not None and ready["oldest_recovery_snapshot_age"] >= 0
    assert ready["without_recovery_snapshot"] == 0
    server.advance(600)
    [later] = readiness()
    assert later["oldest_recovery_snapshot_age"] >= ready["oldest_recovery_snapshot_age"]
    assert readiness(region=S) == [later] and readiness(region="eu-west-1") == []
    frame = first_frame(httpx.get(f"{server.url}/_understudy/?account={account}", timeout=30).text)
    assert frame["listing"]["readiness"] == [later]
    assert frame["summary"]["clock"]["now"] == server.admin("GET", "/clock").json()["now"]


def test_the_first_frame_is_embedded_as_escaped_json(server, account, make_workspace):
    wid = make_workspace(P)
    name = "</script><script>window.injected = 1</script><!--"
    snapshot = server.admin("GET", "/state").json()
    for row in snapshot["tables"]["resources"]:
        if row["id"] == wid:
            row["doc"]["WorkspaceName"] = name
    assert server.admin("PUT", "/state", json=snapshot).status_code == 200
    html = httpx.get(f"{server.url}/_understudy/?account={account}", timeout=30).text
    assert "<script>window.injected" not in html and "<!--" not in html
    [row] = first_frame(html)["listing"]["workspaces"]
    assert row["workspace_id"] == wid and row["name"] == name
    bad = httpx.get(f"{server.url}/_understudy/?account=12&region=nowhere", timeout=30)
    assert bad.status_code == 200 and first_frame(bad.text) is None
