"""create_app(settings): the ASGI app. POST / is the AWS API; /_understudy/* the control plane."""

import asyncio
import contextlib
import ctypes
import fcntl
import gc
import hashlib
import json
import logging
import os
import signal
import sys
import tempfile
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from understudy import gateway
from understudy.config import Settings, from_options
from understudy.lifecycle import worker
from understudy.protocol import spec
from understudy.protocol.limits import Limits
from understudy.store import Store
from understudy.web import admin, signins
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

    def answer(self, headers: list[tuple[bytes, bytes]], body: bytes,
               reply: Callable[[int, dict[str, str], bytes], None]) -> None:
        """A `POST /` with no query, as a plain call: what the server's protocol answers directly. `reply`
        gets the answer's status, headers and body, before this returns or, when the request waits on the
        store without blocking (gateway.answer), later."""
        gateway.answer(self.settings, self.store, headers, body, lambda r: reply(r.status, r.headers, r.body))


def _where(request: Request) -> str:
    base = f"{request.url.scheme}://{request.url.netloc}"
    return (f"Understudy serves WorkSpaces and Directory Service at {base}/ (POST, AWS JSON 1.1): give SDKs "
            f"and the AWS CLI that URL, with no path, as their endpoint. Its dashboard is {base}/_understudy/.")


async def _home(request: Request) -> Response:
    """GET /: a browser or a curious curl is told what the endpoint is and where the dashboard is; a signed
    request (another service's SDK, such as S3's ListBuckets) is refused with the same words."""
    if "authorization" in request.headers or "x-amz-date" in request.headers:
        return admin.error_response("UnknownOperationException", _where(request), 400)
    return admin.json_response({"service": "Understudy", "message": _where(request)})


async def _http_error(request: Request, exc: HTTPException) -> Response:
    code = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "BadRequest")
    message = f"{request.method} {request.url.path} is not part of the AWS API or the control plane. {_where(request)}"
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


SETTINGS_ENV = "UNDERSTUDY_SERVE_OPTIONS"  # how `serve --workers N` hands its options to each process


def prepare(settings: Settings, store: Store | None = None) -> Store:
    """The store, migrated, with the clock as the options say."""
    store = store or Store(settings.db)
    store.migrate(mode=settings.clock, timing=settings.timing)
    store.set_clock(mode=settings.clock, timing=settings.timing)
    return store


def settle(app: Limits) -> Limits:
    """A server process's app, once everything it keeps is loaded: the service models, then a freeze of what
    the process holds so far out of the cyclic collector. Those hundred thousand objects live as long as the
    process, yet each full collection walked them all: a pause of tens of milliseconds, in some request's
    latency, once in twenty thousand or so requests (bench/README.md). Only for a process that serves and nothing
    else: `serve_in_thread` and `mock` share their process with the caller's objects."""
    for service in ("workspaces", "ds"):
        spec.service_model(service)
    gc.freeze()
    return app


def from_environment() -> Limits:
    """The app of one of `serve --workers N`'s processes, from the options the command left in SETTINGS_ENV."""
    options = json.loads(os.environ[SETTINGS_ENV])
    _end_with(options.pop("supervisor"))
    logging.basicConfig(level=options.pop("log_level").upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = from_options(**options)
    return settle(create_app(settings, Store(settings.db), worker_lock=_worker_lock_path(settings.db)))


def _end_with(supervisor: int) -> None:
    """A process of `serve --workers N` ends when its supervisor does, however that ends: killed with SIGKILL,
    the supervisor cannot stop its workers, which would go on serving the port and the database unseen.
    Linux's parent-death signal does it; elsewhere a killed supervisor still leaves its workers."""
    if not sys.platform.startswith("linux"):
        return
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != supervisor:  # it ended before the signal was asked for
        raise SystemExit(f"understudy serve's supervisor (process {supervisor}) has ended")


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _worker_lock_path(db: str) -> str:
    return os.path.join(tempfile.gettempdir(), f"understudy-worker-{hashlib.sha256(db.encode()).hexdigest()[:16]}.lock")


def _try_lock(path: str):
    """The open lock file when this process is the first to lock it, else None. Closing it (or the
    process ending) releases the lock."""
    handle = open(path, "a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle


def create_app(settings: Settings, store: Store | None = None, worker_lock: str | None = None) -> Limits:
    """The whole app: every request passes the edge's limits and access checks, then `Dispatch`.

    With `worker_lock` (a file path), only the process that locks it first runs the lifecycle worker."""
    store = prepare(settings, store)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        stop = asyncio.Event()
        held = _try_lock(worker_lock) if settings.worker and worker_lock else None
        runs = settings.worker and (worker_lock is None or held is not None)
        task = asyncio.create_task(worker.run_in_loop(store, stop)) if runs else None
        yield
        stop.set()
        if task:
            await task
        if held is not None:
            held.close()

    aws = AwsApi(settings, store)
    control = Starlette(
        routes=[
            Route("/", aws, methods=["POST"]),  # reached only by other methods than GET, which it answers 405
            Route("/", _home, methods=["GET"]),
            Route("/moto-api/reset", admin.reset, methods=["POST"]),
            Mount("/_understudy", routes=admin.ROUTES + signins.ROUTES),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _internal_error},
        lifespan=lifespan,
    )
    # A wrong path gets the JSON answer that says where the endpoint is, never an empty redirect.
    control.router.redirect_slashes = False
    control.state.settings = settings
    control.state.store = store
    guarded = ControlPlaneGuard(Dispatch(control, aws), token=settings.admin_token,
                                required=settings.admin_token_required,
                                names=ServerNames(settings.host, settings.allowed_hosts))
    return Limits(guarded, answer=aws.answer, together=store.share_reads)
