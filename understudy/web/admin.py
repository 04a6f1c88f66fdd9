"""The JSON endpoints of /_understudy (shared/design/ADMIN-API.md is their contract)."""

import os
from importlib import resources

import orjson
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from understudy import __version__
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
    account, region = body.get("account_id"), body.get("region")
    if (account is None) != (region is None):
        raise BadRequest("InvalidScope", "Give both account_id and region, or neither.")
    scope = Scope(str(account), str(region)) if account is not None else None
    request.app.state.store.reset(scope)
    return json_response({"reset": True})


@_guard
async def get_clock(request: Request) -> Response:
    return json_response(clock.show(request.app.state.store))


@_guard
async def post_clock(request: Request) -> Response:
    body = await _json_body(request)
    unknown = set(body) - {"advance_seconds", "timing", "mode"}
    if unknown:
        raise BadRequest("InvalidClockChange", f"Unknown field(s): {', '.join(sorted(unknown))}")
    return json_response(clock.change(request.app.state.store, advance_seconds=body.get("advance_seconds", 0),
                                      timing=body.get("timing"), mode=body.get("mode")))


@_guard
async def list_outages(request: Request) -> Response:
    return json_response({"outages": request.app.state.store.outages()})


@_guard
async def start_outage(request: Request) -> Response:
    body = await _json_body(request)
    unknown = set(body) - {"region", "api"}
    if unknown:
        raise BadRequest("InvalidOutage", f"Unknown field(s): {', '.join(sorted(unknown))}")
    return json_response(outages.start(request.app.state.store, body.get("region"), body.get("api", "unavailable")))


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
    return json_response({"imported": snapshot.import_(request.app.state.store, await _json_body(request))})


@_guard
async def summary(request: Request) -> Response:
    return json_response(views.summary(request.app.state.store))


@_guard
async def list_workspaces(request: Request) -> Response:
    q = request.query_params
    limit = q.get("limit", str(views.DEFAULT_LIMIT))
    if not limit.isdigit() or not 1 <= int(limit) <= views.MAX_LIMIT:
        raise BadRequest("InvalidQuery", f"limit must be a whole number from 1 to {views.MAX_LIMIT}.")
    return json_response(views.workspaces(request.app.state.store, region=q.get("region") or None,
                                          account_id=q.get("account") or None, limit=int(limit)))


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
