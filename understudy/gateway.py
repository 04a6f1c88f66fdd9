"""The whole request pipeline of the AWS API, top to bottom, in one short function."""

import logging
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from functools import cache
from urllib.parse import parse_qsl

import botocore.parsers

from understudy.config import Settings
from understudy.domain import errors, ids, policy
from understudy.lifecycle import outages
from understudy.operations import BY_ID, OPERATIONS
from understudy.operations.context import Context
from understudy.protocol import authorization, identity, parser, serializer, signature, spec, validator
from understudy.store import Conflict, ReadOnly, Store, context_doc, context_read, follow_read

log = logging.getLogger("understudy.requests")

ATTEMPTS = 5  # a request that loses a race to a concurrent one is run again from the start


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def handle(settings: Settings, store: Store, raw_headers: list[tuple[bytes, bytes]], query_string: str,
           body: bytes) -> Response:
    """The headers as the ASGI server gives them. Never raises: every failure becomes an AWS error response."""
    steps = _steps(settings, store, raw_headers, query_string, body)
    try:
        while True:
            steps.send(None)  # a read request's first statement: its transaction reads it itself, now
    except StopIteration as done:
        return done.value


def answer(settings: Settings, store: Store, raw_headers: list[tuple[bytes, bytes]], body: bytes,
           reply: Callable[[Response], None]) -> None:
    """`handle` for a `POST /` with no query, as the server's protocol answers it: where the store can
    (PostgreSQL), a read request's first statement is sent without blocking the event loop, and the rest of
    the request runs when its row arrives. `reply` gets the response, before this returns or later."""
    _advance(store, _steps(settings, store, raw_headers, "", body), None, reply)


def _advance(store: Store, steps: Generator[tuple, tuple | None, Response], row: tuple | None,
             reply: Callable[[Response], None]) -> None:
    try:
        while True:
            read = steps.send(row)
            if store.read_apart(read, lambda row: _advance(store, steps, row, reply)):
                return
            row = None
    except StopIteration as done:
        reply(done.value)


def _steps(settings: Settings, store: Store, raw_headers: list[tuple[bytes, bytes]], query_string: str,
           body: bytes) -> Generator[tuple, tuple | None, Response]:
    """The request, top to bottom. It yields the statement a read request starts with, if the store reads it
    apart, and is sent back its row, or None for the transaction to read it itself. Never raises.

    The authorization is parsed once; identity, the signature check and the policy all read that value.
    """
    request_id = ids.request_id()
    started = time.perf_counter()
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in raw_headers}
    op_name, scope, error_code = headers.get("x-amz-target", "-"), None, "-"
    try:
        if len(headers) != len(raw_headers):
            _check_repeats(raw_headers)
        query = _query(query_string)
        auth = authorization.parse(headers, query)
        scope = identity.resolve(auth, default_region=settings.default_region, default_account=settings.account,
                                 key_accounts=settings.key_accounts)
        signature.check(settings.auth, auth, headers, query, body, settings.key_secrets,
                        spec.signing_name(headers.get("x-amz-target")))
        service, op, params = parser.parse(headers.get("x-amz-target"), body)
        op_name = op.name
        _check_region(settings, service, scope.region)
        policy.authorize(settings.policies, auth.access_key if auth else None, scope, service, op.name, params)
        validator.validate(op, params)
        handler = OPERATIONS.get((service, op.name))
        if handler is None:
            raise errors.NotImplementedException(f"Understudy does not implement {op.name} yet.")
        prefetch, follows = _prefetch(service, op.name, params)
        result = yield from _run(settings, store, scope, handler, params, writes=not op.name.startswith(_READS),
                                 prefetch=prefetch, follows=follows)
        response = Response(200, {"content-type": serializer.CONTENT_TYPE}, serializer.serialize(op, result))
    except errors.AwsError as e:
        response, error_code = Response(e.status, serializer.error_headers(e), serializer.error_body(e)), e.code
    except Exception:
        log.exception("internal failure in %s (request %s)", op_name, request_id)
        e = errors.InternalFailure(f"Understudy failed on this request; see its log for request {request_id}.")
        response, error_code = Response(500, serializer.error_headers(e), serializer.error_body(e)), e.code
    response.headers["x-amzn-RequestId"] = request_id
    if log.isEnabledFor(logging.DEBUG):  # its arguments cost a by-id read a few percent at the default level
        log.debug("op=%s region=%s account=%s status=%s code=%s ms=%.2f request_id=%s", op_name,
                  scope.region if scope else "-", scope.account_id if scope else "-", response.status, error_code,
                  (time.perf_counter() - started) * 1000, request_id)
    return response


# Operations that, by their name, only read: they are tried first in a transaction that cannot write.
_READS = ("Describe", "List", "Get")


def _prefetch(service: str, name: str, params: dict) -> tuple[tuple[str, str] | None, Callable | None]:
    """The one resource a by-id read names, for its transaction to read with the context, and what names
    the resource it goes on to read (BY_ID)."""
    named = BY_ID.get((service, name))
    if named is None:
        return None, None
    kind, member, follows = named
    value = params.get(member)
    if isinstance(value, list):
        value = value[0] if len(value) == 1 else None
    return ((kind, value), follows) if isinstance(value, str) else (None, None)


def _run(settings: Settings, store: Store, scope, handler, params: dict, *, writes: bool,
         prefetch: tuple[str, str] | None = None,
         follows: Callable[[dict | None], tuple[str, str, str] | None] | None = None
         ) -> Generator[tuple, tuple | None, dict]:
    """The handler in one transaction of its scope, after the due transitions; retried on a lost race.

    Transitions that fall due are applied and committed in a transaction of their own first, so a handler
    that loses a race and runs again never takes applied transitions back with it. A read that turns out
    to write (a due transition, a lazily advanced import) is run again in a transaction that writes.
    A read's first statement is yielded where the store reads it apart (see _steps), and then, if `follows`
    names one from the prefetched document, the resource the handler goes on to read (a standby pair's
    other side). Only the first attempt's transaction takes those rows; every later one reads its own."""
    context = (yield context_read(scope, prefetch)) if not writes and store.reads_apart else None
    followed = None
    if context is not None and follows is not None and (other := follows(context_doc(context))):
        key = (scope.account_id, *other)
        row = yield follow_read(*key)
        followed = (key, row) if row is not None else None
    attempt = 1
    while True:
        first, context = context, None
        try:
            with store.transaction(scope, writes=writes, prefetch=prefetch, context=first,
                                   followed=followed if first is not None else None) as tx:
                outages.check_api(tx)
                if tx.apply_due():
                    continue  # commits what was applied; the handler runs in the next transaction
                return handler(Context(tx, settings), params)
        except ReadOnly:
            writes = True
        except Conflict:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.01 * attempt)
            attempt += 1


@cache
def _reads(service: str) -> list:
    """The read operations that take no input: together they show every resource a scope holds."""
    model = spec.service_model(service)
    return [op for name in model.operation_names
            if name.startswith(("Describe", "List")) and (service, name) in OPERATIONS
            and not (op := model.operation_model(name)).input_shape.required_members]


def read_everything(settings: Settings, tx) -> None:
    """Runs every read that takes no input in `tx`'s scope, every page of it, and parses each answer with
    botocore's own parser, as a client would. Raises on anything a handler or a client could not read.

    A snapshot import runs this on every scope it brings (then rolls it back) before committing, so a
    document the handlers cannot describe, or a time a client cannot show, refuses the snapshot.
    """
    for service in ("workspaces", "ds"):
        for op in _reads(service):
            params: dict = {}
            for _page in range(10_000):  # bounded: 10,000 pages of at least 25 is more than any scope holds
                try:
                    result = OPERATIONS[(service, op.name)](Context(tx, settings), params)
                except errors.AwsError:
                    break  # an AWS error is an answer a client reads, not a failure
                body = serializer.serialize(op, result)
                botocore.parsers.create_parser("json").parse({"body": body, "headers": {}, "status_code": 200},
                                                            op.output_shape)
                if not (result or {}).get("NextToken"):
                    break
                params = {"NextToken": result["NextToken"]}


# Headers whose every copy must agree with what identity, the signature and the operation read: a second
# copy would show a proxy or a log one request while another runs. [CHOSEN: HTTP allows no repeat of these]
_SINGLE = frozenset({"authorization", "host", "x-amz-date", "x-amz-target", "x-amz-security-token",
                     "x-amz-content-sha256", "content-type"})


def _check_repeats(raw_headers: list[tuple[bytes, bytes]]) -> None:
    names = [k.decode("latin-1").lower() for k, _ in raw_headers]
    repeated = sorted({n for n in names if n in _SINGLE and names.count(n) > 1})
    if repeated:
        raise errors.IncompleteSignatureException(f"The request repeats the header(s) {', '.join(repeated)}.")


def _query(query_string: str) -> dict[str, str]:
    """The query's parameters; a repeated one is refused, so the signature and identity cannot read different copies."""
    if not query_string:
        return {}
    pairs = parse_qsl(query_string, keep_blank_values=True)
    query = dict(pairs)
    if len(query) != len(pairs):
        names = [name for name, _ in pairs]
        repeated = sorted({name for name in names if names.count(name) > 1})
        raise errors.IncompleteSignatureException(f"The query repeats the parameter(s) {', '.join(repeated)}.")
    return query


def _check_region(settings: Settings, service: str, region: str) -> None:
    if not settings.serves_region(region, service):
        raise errors.InvalidRegionException(
            f"AWS has no {spec.service_model(service).metadata['serviceFullName']} endpoint in Region "
            f"'{region}'. {spec.region_advice(region, service)}"
        )
