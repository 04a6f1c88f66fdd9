"""The control plane's sign-ins and DNS names: /_understudy/sign-ins and /_understudy/dns (docs/control-plane.md
"Sign-ins and DNS" is their contract). Each input is parsed once by domain/signins.py; a malformed one is a
400 JSON error; the work is lifecycle/sessions.py's, one bounded transaction per request.
"""

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from understudy.domain import signins
from understudy.domain.signins import SignInInputError
from understudy.lifecycle import sessions
from understudy.web.admin import _guard, _json_body, _only, error_response, json_response


def _caught(endpoint):
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except SignInInputError as e:
            return error_response(e.code, str(e))
    return _guard(wrapped)


def _name(request: Request) -> str:
    return signins.dns_name(request.path_params["name"])


@_caught
async def put_name(request: Request) -> Response:
    name = _name(request)
    body = await _json_body(request)
    _only("InvalidRecords", body, ("records",))
    records = signins.parse_records(body.get("records"))
    return json_response(sessions.put_name(request.app.state.store, name, records))


@_caught
async def get_name(request: Request) -> Response:
    name = _name(request)
    found = sessions.get_name(request.app.state.store, name)
    if found is None:
        return error_response("NameNotFound", f"There is no DNS name {name}.", 404)
    return json_response(found)


@_caught
async def list_names(request: Request) -> Response:
    return json_response({"names": sessions.list_names(request.app.state.store)})


@_caught
async def delete_name(request: Request) -> Response:
    name = _name(request)
    if not sessions.delete_name(request.app.state.store, name):
        return error_response("NameNotFound", f"There is no DNS name {name}.", 404)
    return json_response({"name": name, "deleted": True})


@_caught
async def sign_in(request: Request) -> Response:
    attempt = signins.parse_sign_in(await _json_body(request))
    return json_response(sessions.sign_in(request.app.state.store, attempt))


@_caught
async def list_sessions(request: Request) -> Response:
    return json_response({"sessions": sessions.list_sessions(request.app.state.store)})


@_caught
async def sign_out(request: Request) -> Response:
    session_id = request.path_params["session_id"]
    ended = sessions.sign_out(request.app.state.store, session_id) if signins.is_session_id(session_id) else None
    if ended is None:
        return error_response("SessionNotFound", f"There is no live session {session_id[:40]!r}.", 404)
    return json_response(ended)


ROUTES = [
    Route("/dns", list_names, methods=["GET"]),
    Route("/dns/{name}", put_name, methods=["PUT"]),
    Route("/dns/{name}", get_name, methods=["GET"]),
    Route("/dns/{name}", delete_name, methods=["DELETE"]),
    Route("/sign-ins", sign_in, methods=["POST"]),
    Route("/sign-ins", list_sessions, methods=["GET"]),
    Route("/sign-ins/{session_id}", sign_out, methods=["DELETE"]),
]
