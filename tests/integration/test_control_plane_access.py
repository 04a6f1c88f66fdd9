"""The control plane cannot be driven by a web page: cross-site requests and DNS rebinding are refused.

A page the user visits can send, without asking, a POST with `Content-Type: text/plain` (or a form,
or no body) to any address, and a page whose name is rebound to 127.0.0.1 reaches the server as
same-origin, sending its own name in `Host`. Each of these must change nothing and read nothing.
"""

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

JSON_11 = "application/x-amz-json-1.1"


@pytest.fixture
def srv(own_server):
    return own_server("--clock", "manual")


def state(srv) -> tuple[dict, list]:
    return srv.admin("GET", "/clock").json(), srv.admin("GET", "/outages").json()["outages"]


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; b=x"])
def test_a_state_change_that_is_not_json_is_refused(srv, kind):
    before = state(srv)
    for path, body in (("/clock", '{"advance_seconds": 86400}'), ("/outages", '{"region": "us-east-1"}'),
                       ("/reset", "{}"), ("/state", "{}")):
        method = "PUT" if path == "/state" else "POST"
        r = srv.admin(method, path, content=body.encode(), headers={"content-type": kind})
        assert (r.status_code, r.json()["error"]) == (415, "UnsupportedMediaType"), path
    r = httpx.post(srv.url + "/moto-api/reset", content=b"x", headers={"content-type": kind})
    assert r.status_code == 415
    assert state(srv) == before


def test_a_body_without_a_content_type_is_refused_and_no_body_at_all_is_not(srv):
    r = httpx.post(srv.url + "/_understudy/clock", content=b'{"advance_seconds": 60}',
                   headers={"content-type": ""})
    assert r.status_code == 415
    # moto's clients reset with a bare POST: that still works.
    assert httpx.post(srv.url + "/moto-api/reset").json() == {"reset": True}
    assert srv.admin("POST", "/clock", json={"advance_seconds": 60}).status_code == 200


def test_a_foreign_origin_is_refused_even_with_json(srv):
    before = state(srv)
    for origin in ("http://attacker.example", "null", f"http://localhost:{srv.port + 1}"):
        r = srv.admin("POST", "/outages", json={"region": "us-east-1"}, headers={"origin": origin})
        assert (r.status_code, r.json()["error"]) == (403, "ForbiddenOrigin"), origin
        assert httpx.post(srv.url + "/moto-api/reset", headers={"origin": origin}).status_code == 403
    assert state(srv) == before
    same = srv.admin("POST", "/outages", json={"region": "us-east-1"}, headers={"origin": srv.url})
    assert same.status_code == 200, "the dashboard's own origin is this server's"


@pytest.mark.parametrize("path", ["/state", "/summary", "/workspaces", "/clock", "/"])
def test_a_rebound_name_reads_nothing(srv, path):
    r = srv.admin("GET", path, headers={"host": f"attacker.example:{srv.port}"})
    assert (r.status_code, r.json()["error"]) == (403, "ForbiddenHost")
    assert "--allowed-host" in r.json()["message"]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "LOCALHOST", "app.localhost", "127.0.0.2"])
def test_loopback_names_are_this_servers(srv, host):
    assert srv.admin("GET", "/state", headers={"host": f"{host}:{srv.port}"}).status_code == 200


def test_health_answers_any_name(srv):
    assert srv.admin("GET", "/health", headers={"host": "probe.example"}).json()["status"] == "ok"


def test_allowed_host_names_a_proxy(own_server):
    srv = own_server("--allowed-host", "understudy.internal", "--allowed-host", "ws.test")
    for name in ("understudy.internal", "ws.test"):
        assert srv.admin("GET", "/state", headers={"host": f"{name}:{srv.port}"}).status_code == 200
    assert srv.admin("GET", "/state", headers={"host": "attacker.example"}).status_code == 403


def test_the_aws_api_refuses_a_rebound_page_and_serves_sdks(srv):
    r = httpx.post(srv.url + "/", content=b"{}", headers={"x-amz-target": "WorkspacesService.DescribeAccount",
                                                          "content-type": JSON_11,
                                                          "host": "attacker.example",
                                                          "origin": "http://attacker.example"})
    assert (r.status_code, r.json()["__type"]) == (403, "AccessDeniedException")
    ws = srv.client()
    assert ws.describe_account()["DedicatedTenancySupport"] == "DISABLED"


# Every control-plane parameter is checked: a bad one is a 400 naming it, never a 500 or a silent no-op.

@pytest.mark.parametrize("query", ["limit=\u00b2", "limit=" + "9" * 30, "limit=0", "region=%3Cscript%3E",
                                   "account=abc", "colour=red"])
def test_a_bad_view_parameter_is_refused(srv, query):
    r = srv.admin("GET", "/workspaces?" + query)
    assert (r.status_code, r.json()["error"]) == (400, "InvalidQuery"), r.text


@pytest.mark.parametrize("path", ["/summary?foo=1", "/summary?region=mars-1", "/clock?x=1", "/outages?region=x",
                                  "/state?limit=1", "/health?x=1", "/dns?x=1"])
def test_a_query_parameter_an_endpoint_does_not_read_is_refused(srv, path):
    """A trial from outside found /summary answering 200 to any query, which a caller would read as applied."""
    r = srv.admin("GET", path)
    assert (r.status_code, r.json()["error"]) == (400, "InvalidQuery"), r.text
    assert r.json()["message"].startswith("Unknown field(s): ")


@pytest.mark.parametrize("body, code", [
    ({"account_id": "abc", "region": "us-east-1"}, "InvalidScope"),
    ({"account_id": 123456789012, "region": "us-east-1"}, "InvalidScope"),
    ({"account_id": "123456789012", "region": ["us-east-1"]}, "InvalidScope"),
    ({"everything": True}, "InvalidScope"),
])
def test_a_bad_reset_scope_is_refused(srv, body, code):
    r = srv.admin("POST", "/reset", json=body)
    assert (r.status_code, r.json()["error"]) == (400, code), r.text


@pytest.mark.parametrize("region", ["Mars", "us-east-9", "", None, 7, "x" * 40])
def test_an_outage_needs_a_region_with_a_workspaces_endpoint(srv, region):
    r = srv.admin("POST", "/outages", json={"region": region})
    assert (r.status_code, r.json()["error"]) == (400, "InvalidOutage"), r.text
    assert srv.admin("GET", "/outages").json() == {"outages": []}


def test_any_region_allows_an_outage_anywhere(own_server):
    srv = own_server("--any-region")
    assert srv.admin("POST", "/outages", json={"region": "us-east-9"}).json()["region"] == "us-east-9"


_SCALAR = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
_JSON = st.recursive(_SCALAR | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner,
                                                                                 max_size=3), max_leaves=8)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/clock", "/reset", "/outages", "/state"]),
       body=st.one_of(_JSON, st.fixed_dictionaries({}, optional={
           "advance_seconds": _JSON, "timing": _JSON, "mode": _JSON, "region": _JSON, "api": _JSON,
           "account_id": _JSON})),
       query=st.dictionaries(st.sampled_from(["limit", "region", "account", "x"]), st.text(max_size=12), max_size=3))
def test_no_control_plane_input_gets_a_server_error(srv, path, body, query):
    method = "PUT" if path == "/state" else "POST"
    r = srv.admin(method, path, json=body)
    assert r.status_code < 500 and r.headers["content-type"] == "application/json", r.text
    r = srv.admin("GET", "/workspaces", params=query)
    assert r.status_code < 500 and r.headers["content-type"] == "application/json", r.text
