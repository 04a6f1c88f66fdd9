"""The JSON endpoints of /_understudy (shared/design/ADMIN-API.md is their contract)."""

import os
import re
from importlib import resources

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from understudy import __version__, gateway
from understudy.domain.scope import Scope
from understudy.lifecycle import clock, outages
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


def _guard(endpoint):
    async def wrapped(request: Request) -> Response:
        try:
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
                         "would change nothing. Start Understudy with --any-region to allow any Region.")
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


@_guard
async def summary(request: Request) -> Response:
    return json_response(views.summary(request.app.state.store))


@_guard
async def list_workspaces(request: Request) -> Response:
    q = request.query_params
    _only("InvalidQuery", q.keys(), ("region", "account", "limit"))
    limit = q.get("limit", str(views.DEFAULT_LIMIT))
    if _LIMIT.fullmatch(limit) is None or not 1 <= int(limit) <= views.MAX_LIMIT:
        raise BadRequest("InvalidQuery", f"limit must be a whole number from 1 to {views.MAX_LIMIT}.")
    region = _region("InvalidQuery", q["region"]) if q.get("region") else None
    account = _account("InvalidQuery", q["account"]) if q.get("account") else None
    return json_response(views.workspaces(request.app.state.store, region=region, account_id=account,
                                          limit=int(limit)))


_DASHBOARD = resources.files("understudy.web").joinpath("dashboard.html").read_text(encoding="utf-8")


async def dashboard(request: Request) -> Response:
    return HTMLResponse(_DASHBOARD)


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
    Route("/summary", summary, methods=["GET"]),
    Route("/workspaces", list_workspaces, methods=["GET"]),
]
