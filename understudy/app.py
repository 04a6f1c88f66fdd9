"""create_app(settings): the ASGI app. POST / is the AWS API; /_understudy/* the control plane."""

import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from understudy import gateway
from understudy.config import Settings
from understudy.lifecycle import worker
from understudy.protocol.limits import Limits
from understudy.store import Store
from understudy.web import admin
from understudy.web.access import ControlPlaneGuard, ServerNames


class AwsApi:
    """POST /, as a bare ASGI app: the AWS API needs no Request or Response objects, only the headers,
    the query (for presigned URLs) and the body, which the Limits middleware has already read whole.
    (A class, because Starlette wraps a plain function endpoint in Request and Response.)"""

    async def __call__(self, scope, receive, send) -> None:
        await _aws_api(scope, receive, send)


async def _aws_api(scope, receive, send) -> None:
    body, more = b"", True
    while more:
        message = await receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
    app = scope["app"]
    r = gateway.handle(app.state.settings, app.state.store, scope["headers"], scope["query_string"].decode("latin-1"),
                       body)
    headers = [(k.lower().encode(), v.encode()) for k, v in r.headers.items()]
    headers.append((b"content-length", str(len(r.body)).encode()))
    await send({"type": "http.response.start", "status": r.status, "headers": headers})
    await send({"type": "http.response.body", "body": r.body})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "BadRequest")
    message = f"{request.method} {request.url.path} is not part of the AWS API or the control plane."
    return admin.error_response(code, message, exc.status_code)


async def _internal_error(request: Request, exc: Exception) -> Response:
    return admin.error_response("InternalFailure", "Understudy failed on this request; see its log.", 500)


def create_app(settings: Settings, store: Store | None = None) -> Starlette:
    store = store or Store(settings.db)
    store.migrate(mode=settings.clock, timing=settings.timing)
    store.set_clock(mode=settings.clock, timing=settings.timing)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        stop = asyncio.Event()
        task = asyncio.create_task(worker.run_in_loop(store, stop)) if settings.worker else None
        yield
        stop.set()
        if task:
            await task

    app = Starlette(
        routes=[
            Route("/", AwsApi(), methods=["POST"]),
            Route("/moto-api/reset", admin.reset, methods=["POST"]),
            Mount("/_understudy", routes=admin.ROUTES),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
        middleware=[Middleware(Limits),
                    Middleware(ControlPlaneGuard, token=settings.admin_token, required=settings.admin_token_required,
                               names=ServerNames(settings.host, settings.allowed_hosts))],
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.store = store
    return app
