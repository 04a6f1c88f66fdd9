"""The JSON endpoints of /_understudy (docs/control-plane.md is their contract)."""

import os
import re
from importlib import resources

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from understudy import __version__, gateway
from understudy import seed as seeding
from understudy.domain.scope import Scope
from understudy.lifecycle import clock, outages
from understudy.protocol import spec
from understudy.store import snapshot
from understudy.web import views


def json_response(body: object, status: int = 200) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def error_response(code: str, message: str, status: int = 400) -> Response:
    return json_response({"error": code, "message": message}, status)


async def _json_body(request: Request) -> dict:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise BadRequest("InvalidJson", "The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise BadRequest("InvalidJson", "The body must be a JSON object.")
    return body


class BadRequest(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


_ACCOUNT = re.compile(r"[0-9]{12}")
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
_LIMIT = re.compile(r"[0-9]{1,5}")  # ASCII digits: str.isdigit() also takes '²'


def _account(code: str, value: object) -> str:
    if not isinstance(value, str) or _ACCOUNT.fullmatch(value) is None:
        raise BadRequest(code, f"account_id must be 12 digits, not {_shown(value)}.")
    return value


def _region(code: str, value: object) -> str:
    if not isinstance(value, str) or len(value) > 31 or _REGION.fullmatch(value) is None:
        raise BadRequest(code, f"region must be a Region name such as us-east-1, not {_shown(value)}.")
    return value


def _shown(value: object) -> str:
    return orjson.dumps(value).decode()[:80] if isinstance(value, str | int | float | bool | None) else "that"


def _only(code: str, given, known: tuple[str, ...]) -> None:
    unknown = set(given) - set(known)
    if unknown:
        raise BadRequest(code, f"Unknown field(s): {', '.join(sorted(unknown)[:10])[:200]}; known: {', '.join(known)}.")


def _guard(endpoint=None, *, query: tuple[str, ...] = ()):
    """An endpoint whose refusals are JSON 400s, and which refuses a query parameter it does not read."""
    if endpoint is None:
        return lambda endpoint: _guard(endpoint, query=query)

    async def wrapped(request: Request) -> Response:
        try:
            _only("InvalidQuery", request.query_params.keys(), query)
            return await endpoint(request)
        except BadRequest as e:
            return error_response(e.code, e.message)
        except clock.ClockError as e:
            return error_response("InvalidClockChange", str(e))
        except outages.OutageError as e:
            return error_response("InvalidOutage", str(e))
        except snapshot.SnapshotError as e:
            return error_response("InvalidSnapshot", f"{e}; nothing was changed.")
    return wrapped


@_guard
async def health(request: Request) -> Response:
    store = request.app.state.store
    return json_response({"status": "ok", "version": __version__, "store": store.backend, "pid": os.getpid()})


@_guard
async def reset(request: Request) -> Response:
    body = await _json_body(request)
    _only("InvalidScope", body, ("account_id", "region"))
    account, region = body.get("account_id"), body.get("region")
    if (account is None) != (region is None):
        raise BadRequest("InvalidScope", "Give both account_id and region, or neither.")
    scope = Scope(_account("InvalidScope", account), _region("InvalidScope", region)) if account is not None else None
    request.app.state.store.reset(scope)
    return json_response({"reset": True})


@_guard
async def get_clock(request: Request) -> Response:
    return json_response(clock.show(request.app.state.store))


@_guard
async def post_clock(request: Request) -> Response:
    body = await _json_body(request)
    _only("InvalidClockChange", body, ("advance_seconds", "timing", "mode"))
    return json_response(clock.change(request.app.state.store, advance_seconds=body.get("advance_seconds", 0),
                                      timing=body.get("timing"), mode=body.get("mode")))


@_guard
async def list_outages(request: Request) -> Response:
    return json_response({"outages": request.app.state.store.outages()})


@_guard
async def start_outage(request: Request) -> Response:
    body = await _json_body(request)
    _only("InvalidOutage", body, ("region", "api"))
    region = _region("InvalidOutage", body.get("region"))
    if not request.app.state.settings.serves_region(region):
        raise BadRequest("InvalidOutage", f"AWS has no WorkSpaces endpoint in Region '{region}', so an outage there "
                         f"would change nothing. {spec.region_advice(region)}")
    return json_response(outages.start(request.app.state.store, region, body.get("api", "unavailable")))


@_guard
async def end_outage(request: Request) -> Response:
    region = request.path_params["region"]
    if not outages.end(request.app.state.store, region):
        return error_response("OutageNotFound", f"There is no outage in {region}.", 404)
    return json_response({"region": region, "ended": True})


@_guard
async def export_state(request: Request) -> Response:
    return json_response(snapshot.export(request.app.state.store))


@_guard
async def import_state(request: Request) -> Response:
    settings = request.app.state.settings
    return json_response({"imported": snapshot.import_(request.app.state.store, await _json_body(request),
                                                       verify=lambda tx: gateway.read_everything(settings, tx))})


# Seeding through a running server stops the world while it runs (one transaction per 40 calls on the
# server's own connection), so it is bounded; `understudy seed --db` loads more offline.
SEED_MAX = 10_000


@_guard
async def seed(request: Request) -> Response:
    """POST /seed: directories, WorkSpaces and standbys in one account, made by the real handlers."""
    body = await _json_body(request)
    _only("InvalidSeed", body, ("workspaces", "regions", "standby_ratio", "account_id"))
    count, ratio = body.get("workspaces", 100), body.get("standby_ratio", 0)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= SEED_MAX:
        raise BadRequest("InvalidSeed", f"workspaces must be a whole number from 0 to {SEED_MAX}; load more "
                         "with `understudy seed --db` while no server runs.")
    if isinstance(ratio, bool) or not isinstance(ratio, int | float) or not 0 <= ratio <= 1:
        raise BadRequest("InvalidSeed", "standby_ratio must be a number from 0 to 1.")
    regions = body.get("regions", ["us-east-1", "us-west-2"])
    if not isinstance(regions, list) or not 1 <= len(regions) <= 10:
        raise BadRequest("InvalidSeed", "regions must be a list of 1 to 10 Region names.")
    settings = request.app.state.settings
    for region in (_region("InvalidSeed", r) for r in regions):
        if not settings.serves_region(region):
            raise BadRequest("InvalidSeed", f"AWS has no WorkSpaces endpoint in Region '{region}'. "
                             f"{spec.region_advice(region)}")
    account = _account("InvalidSeed", body.get("account_id", "123456789012"))
    return json_response(seeding.seed(request.app.state.store, settings, account=account, regions=regions,
                                      workspaces=count, standby_ratio=float(ratio), tick=lambda n: None))


@_guard
async def summary(request: Request) -> Response:
    return json_response(views.summary(request.app.state.store))


@_guard(query=("region", "account", "limit"))
async def list_workspaces(request: Request) -> Response:
    q = request.query_params
    limit = q.get("limit", str(views.DEFAULT_LIMIT))
    if _LIMIT.fullmatch(limit) is None or not 1 <= int(limit) <= views.MAX_LIMIT:
        raise BadRequest("InvalidQuery", f"limit must be a whole number from 1 to {views.MAX_LIMIT}.")
    region = _region("InvalidQuery", q["region"]) if q.get("region") else None
    account = _account("InvalidQuery", q["account"]) if q.get("account") else None
    return json_response(views.workspaces(request.app.state.store, region=region, account_id=account,
                                          limit=int(limit)))


_DASHBOARD = resources.files("understudy.web").joinpath("dashboard.html").read_text(encoding="utf-8")


_FIRST_FRAME = "__UNDERSTUDY_FIRST_FRAME__"
DASHBOARD_LIMIT = 500  # the page asks for as many rows each second


def _safe_json(body: object) -> str:
    """JSON to embed in a <script type="application/json"> block: no '<', '>' or '&' survives, so no value
    can end the block ('</script>') or open a comment; JSON.parse reads the \\u escapes back."""
    return (orjson.dumps(body).decode().replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


async def dashboard(request: Request) -> Response:
    """The page with its first frame (the summary and the workspaces view) embedded, so it shows at once."""
    q, store = request.query_params, request.app.state.store
    account, region = q.get("account") or None, q.get("region") or None
    frame: dict | None = None
    if (account is None or _ACCOUNT.fullmatch(account)) and (region is None or _REGION.fullmatch(region)):
        frame = {"summary": views.summary(store),
                 "listing": views.workspaces(store, region=region, account_id=account, limit=DASHBOARD_LIMIT)}
    return HTMLResponse(_DASHBOARD.replace(_FIRST_FRAME, _safe_json(frame), 1))


ROUTES = [
    Route("/", dashboard, methods=["GET"]),
    Route("/health", health, methods=["GET"]),
    Route("/reset", reset, methods=["POST"]),
    Route("/clock", get_clock, methods=["GET"]),
    Route("/clock", post_clock, methods=["POST"]),
    Route("/outages", list_outages, methods=["GET"]),
    Route("/outages", start_outage, methods=["POST"]),
    Route("/outages/{region}", end_outage, methods=["DELETE"]),
    Route("/state", export_state, methods=["GET"]),
    Route("/state", import_state, methods=["PUT"]),
    Route("/seed", seed, methods=["POST"]),
    Route("/summary", summary, methods=["GET"]),
    Route("/workspaces", list_workspaces, methods=["GET"]),
]
