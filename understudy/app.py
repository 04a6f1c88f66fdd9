"""create_app(settings): the ASGI app. POST / is the AWS API; /_understudy/* the control plane."""

import asyncio
import contextlib

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
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
    the query (for presigned URLs) and the body, which the Limits middleware has already read whole."""

    def __init__(self, settings: Settings, store: Store):
        self.settings, self.store = settings, store

    async def __call__(self, scope, receive, send) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        r = gateway.handle(self.settings, self.store, scope["headers"], scope["query_string"].decode("latin-1"), body)
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


class Dispatch:
    """POST / straight to the AWS API: the busiest path skips Starlette's routing and exception layers,
    which cost as much as a by-id lookup. Everything else (the control plane, moto's reset, a wrong path
    or method, the lifespan) is Starlette's."""

    def __init__(self, control: Starlette, aws: AwsApi):
        self.control, self.aws = control, aws

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"] == "/" and scope["method"] == "POST":
            await self.aws(scope, receive, send)
        else:
            await self.control(scope, receive, send)


def create_app(settings: Settings, store: Store | None = None) -> Limits:
    """The whole app: every request passes the edge's limits and access checks, then `Dispatch`."""
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

    aws = AwsApi(settings, store)
    control = Starlette(
        routes=[
            Route("/", aws, methods=["POST"]),  # reached only by other methods, which it answers 405
            Route("/moto-api/reset", admin.reset, methods=["POST"]),
            Mount("/_understudy", routes=admin.ROUTES),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    control.state.settings = settings
    control.state.store = store
    guarded = ControlPlaneGuard(Dispatch(control, aws), token=settings.admin_token,
                                required=settings.admin_token_required,
                                names=ServerNames(settings.host, settings.allowed_hosts))
    return Limits(guarded)
