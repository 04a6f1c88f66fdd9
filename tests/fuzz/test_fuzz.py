"""Fuzzing from the model: every WorkSpaces operation, valid and invalid inputs derived from its input shape.

Each example is POSTed raw to a running server and must answer 200, a 4xx or 501 in AWS's JSON error
format (never a 5xx, never HTML); a refused call must change no state of the fuzzed account (its rows
in the SQLite store, read directly, before and after); the server must stay up. A CI run is small;
UNDERSTUDY_FUZZ_EXAMPLES=2000 makes a long run by hand, and UNDERSTUDY_FUZZ_REPORT=PATH writes its counts
(to PATH.main, or PATH.gwN per xdist worker).
"""

import base64
import collections
import json
import os
import re
import sqlite3
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import Server, registered_directory
from understudy.protocol import spec

EXAMPLES = int(os.environ.get("UNDERSTUDY_FUZZ_EXAMPLES", "10"))
ACCOUNT = "135792468024"
MODEL = spec.service_model("workspaces")
COUNTS: collections.Counter = collections.Counter()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 20,
                suppress_health_check=list(HealthCheck))
KNOWN_IDS: list[str] = []


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    db = tmp_path_factory.mktemp("fuzz") / "state.db"
    for _ in range(3):
        server = Server(f"sqlite:///{db}", "--clock", "manual", "--timing", "fast").start()
        time.sleep(0.5)
        # conftest's free_port can hand two xdist workers one port; the loser's health check then reaches
        # the winner's server while its own process exits on "address already in use".
        if server.proc.poll() is None:
            break
        server.stop()
    server.db = sqlite3.connect(db, isolation_level=None)  # autocommit: every snapshot reads the latest commit
    server.http = httpx.Client(base_url=server.url, timeout=60)
    _seed(server)
    yield server
    server.http.close()
    server.db.close()
    server.stop()
    report = os.environ.get("UNDERSTUDY_FUZZ_REPORT")
    if report:
        with open(f"{report}.{os.environ.get('PYTEST_XDIST_WORKER', 'main')}", "w") as f:
            json.dump({"examples_per_operation": EXAMPLES, "requests": sum(COUNTS.values()),
                       "answers": dict(sorted(COUNTS.items()))}, f, indent=1)


def _seed(server: Server) -> None:
    """A directory, a WorkSpace, an alias and an IP group, so generated ids sometimes name real resources."""
    ws = server.client(key=ACCOUNT)
    directory = registered_directory(server, server.client("ds", key=ACCOUNT), ws)
    bundle = ws.describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    created = ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": "fuzz", "BundleId": bundle}])
    server.advance(3600)
    alias = ws.create_connection_alias(ConnectionString="www.example.com")["AliasId"]
    KNOWN_IDS.extend([directory, bundle, created["PendingRequests"][0]["WorkspaceId"], alias, "us-west-2", "fuzz"])


def snapshot(server: Server) -> tuple:
    return tuple(server.db.execute(f"SELECT * FROM {table} WHERE account_id = ? ORDER BY 1, 2, 3, 4", (ACCOUNT,))
                 .fetchall() for table in ("resources", "tags", "transitions"))


# Strategies from shapes.

_JSON_LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=False),
                         st.text(max_size=20))
_ANY_JSON = st.recursive(_JSON_LEAVES, lambda kids: st.lists(kids, max_size=3) | st.dictionaries(
    st.text(max_size=8), kids, max_size=3), max_leaves=8)
_HUGE = st.integers(1_000, 100_000).flatmap(lambda n: st.sampled_from(["x" * n, "é" * n, "\U0001f600" * n]))
_NASTY = st.one_of(st.text(), _HUGE, st.sampled_from(["", " ", "\u0000", "\ud800", "<script>alert(1)</script>",
                                                      "'; DROP TABLE resources; --", "../../etc/passwd", "%s%n"]))


def _pattern(shape) -> st.SearchStrategy | None:
    pattern = shape.metadata.get("pattern")
    if not pattern:
        return None
    try:
        re.compile(pattern)
        return st.from_regex(pattern, fullmatch=True)
    except (re.error, ValueError):  # Java-only syntax in a few model patterns
        return None


def valid(shape, depth: int = 0) -> st.SearchStrategy:
    m, t = shape.metadata, shape.type_name
    if depth > 6:
        return st.nothing()
    if t == "structure":
        required = set(shape.required_members)
        return st.fixed_dictionaries(
            {n: valid(s, depth + 1) for n, s in shape.members.items() if n in required},
            optional={n: valid(s, depth + 1) for n, s in shape.members.items() if n not in required})
    if t == "list":
        return st.lists(valid(shape.member, depth + 1), min_size=m.get("min", 0), max_size=min(m.get("max", 4), 4))
    if t == "map":
        return st.dictionaries(valid(shape.key, depth + 1), valid(shape.value, depth + 1), max_size=3)
    if t == "string":
        if shape.enum:
            return st.sampled_from(shape.enum)
        options = [st.text(min_size=m.get("min", 0), max_size=min(m.get("max", 40), 40)), st.sampled_from(KNOWN_IDS)]
        by_pattern = _pattern(shape)
        return st.one_of(*options, *([by_pattern] if by_pattern is not None else []))
    if t in ("integer", "long"):
        return st.integers(int(m.get("min", -(2**31))), int(m.get("max", 2**31 - 1)))
    if t in ("float", "double"):
        return st.floats(m.get("min"), m.get("max"), allow_nan=False, allow_infinity=False)
    if t == "boolean":
        return st.booleans()
    if t == "timestamp":
        return st.floats(0, 4e9) | st.sampled_from(["2026-11-27T00:00:00Z", "not a date", "9999-99-99"])
    if t == "blob":
        return st.binary(max_size=64).map(lambda b: base64.b64encode(b).decode())
    return _ANY_JSON


def invalid(shape) -> st.SearchStrategy:
    """Wrong types, out-of-range numbers, bad patterns and enums, huge and unicode strings, nulls."""
    m, t = shape.metadata, shape.type_name
    wrong_type = _ANY_JSON.filter(lambda v: not isinstance(v, {"structure": dict, "map": dict, "list": list,
                                                                "string": str, "boolean": bool}.get(t, type(None))))
    options = [wrong_type, st.none()]
    if t == "string":
        options.append(_NASTY)
    if t in ("integer", "long", "float", "double"):
        options.append(st.sampled_from([m.get("min", 0) - 1, m.get("max", 2**63) + 1, 2**64, -(2**64), 1e308, 0.5]))
    if t == "list":
        options.append(st.lists(_ANY_JSON, min_size=m.get("max", 50) + 1, max_size=m.get("max", 50) + 3))
    return st.one_of(*options)


def mixed(shape, depth: int = 0) -> st.SearchStrategy:
    """A structure whose members are each valid or invalid, plus members the model does not have."""
    if shape.type_name != "structure" or depth > 4:
        return valid(shape, depth) | invalid(shape)
    members = {n: mixed(s, depth + 1) for n, s in shape.members.items()}
    extra = st.dictionaries(st.text(max_size=12).filter(lambda k: k not in shape.members), _ANY_JSON, max_size=2)
    return st.tuples(st.fixed_dictionaries({}, optional=members), extra).map(lambda p: {**p[1], **p[0]})


def bodies(op) -> st.SearchStrategy:
    shape = op.input_shape
    as_json = (valid(shape) | mixed(shape)).map(lambda v: json.dumps(v).encode()) if shape else st.just(b"{}")
    garbage = st.one_of(st.binary(max_size=200), _ANY_JSON.map(lambda v: json.dumps(v).encode()),
                        st.sampled_from([b"", b"{", b'{"a": }', b"null", b"[]", b'{"a": NaN}', b"\xff\xfe"]))
    return st.one_of(as_json, as_json, as_json, garbage)


# The properties.

def _post(server: Server, op_name: str, body: bytes) -> httpx.Response:
    headers = {"X-Amz-Target": f"WorkspacesService.{op_name}", "Content-Type": "application/x-amz-json-1.1",
               "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20261127/us-east-1/workspaces/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    return server.http.post("/", headers=headers, content=body)


@pytest.mark.parametrize("op_name", MODEL.operation_names)
def test_every_operation_survives_generated_input(srv, op_name):
    op = MODEL.operation_model(op_name)

    @FUZZ
    @given(body=bodies(op))
    def run(body: bytes) -> None:
        before = snapshot(srv)
        r = _post(srv, op_name, body)
        COUNTS[f"{r.status_code} {r.headers.get('x-amzn-ErrorType', '')}".strip()] += 1
        assert r.status_code == 200 or 400 <= r.status_code < 500 or r.status_code == 501, (r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/x-amz-json-1.1"), r.text[:200]
        answer = r.json()
        if r.status_code != 200:
            assert isinstance(answer["__type"], str) and isinstance(answer["message"], str), answer
            assert snapshot(srv) == before, f"{op_name} answered {r.status_code} yet changed state"
        assert srv.proc.poll() is None, "the server died"

    run()
    assert httpx.get(srv.url + "/_understudy/health").status_code == 200
