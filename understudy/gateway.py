"""The whole request pipeline of the AWS API, top to bottom, in one short function."""

import logging
import time
from dataclasses import dataclass
from urllib.parse import parse_qsl

from understudy.config import Settings
from understudy.domain import errors, ids, policy
from understudy.lifecycle import outages
from understudy.operations import OPERATIONS
from understudy.operations.context import Context
from understudy.protocol import authorization, identity, parser, serializer, signature, spec, validator
from understudy.store import Conflict, Store

log = logging.getLogger("understudy.requests")

ATTEMPTS = 5  # a request that loses a race to a concurrent one is run again from the start


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes


def handle(settings: Settings, store: Store, headers: dict[str, str], query_string: str,
           body: bytes) -> Response:
    """`headers` have lower-case names. Never raises: every failure becomes an AWS error response.

    The authorization is parsed once; identity, the signature check and the policy all read that value.
    """
    request_id = ids.request_id()
    started = time.perf_counter()
    op_name, scope = headers.get("x-amz-target", "-"), None
    try:
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
        result = _run(settings, store, scope, handler, params)
        response = Response(200, {"content-type": serializer.CONTENT_TYPE}, serializer.serialize(op, result))
    except errors.AwsError as e:
        response = Response(e.status, serializer.error_headers(e), serializer.error_body(e))
    except Exception:
        log.exception("internal failure in %s (request %s)", op_name, request_id)
        e = errors.InternalFailure(f"Understudy failed on this request; see its log for request {request_id}.")
        response = Response(500, serializer.error_headers(e), serializer.error_body(e))
    response.headers["x-amzn-RequestId"] = request_id
    log.info("op=%s region=%s account=%s status=%s ms=%.2f request_id=%s", op_name,
             scope.region if scope else "-", scope.account_id if scope else "-", response.status,
             (time.perf_counter() - started) * 1000, request_id)
    return response


def _run(settings: Settings, store: Store, scope, handler, params: dict) -> dict:
    """The handler in one transaction of its scope, after the due transitions; retried on a lost race."""
    attempt = 1
    while True:
        try:
            with store.transaction(scope) as tx:
                outages.check_api(tx)
                tx.apply_due()
                return handler(Context(tx, settings), params)
        except Conflict:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.01 * attempt)
            attempt += 1


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
    if not settings.any_region and region not in spec.endpoint_regions(service):
        raise errors.InvalidRegionException(
            f"AWS has no {spec.service_model(service).metadata['serviceFullName']} endpoint in Region "
            f"'{region}'. Start Understudy with --any-region to allow any Region."
        )
