"""Who may use the control plane: a bearer token, required whenever the server is reachable beyond loopback.

`understudy serve` refuses a non-loopback address without `--admin-token`; a token given on loopback
is enforced too. `GET /_understudy/health` stays open so load balancers and test harnesses can probe
readiness; it tells nothing but the version and the store's kind. `/moto-api/reset` is guarded like
`/_understudy/reset`, which it mirrors.
"""

import hmac

from understudy.web.admin import error_response

GUARDED = ("/_understudy", "/moto-api")
OPEN = ("/_understudy/health",)


class AdminToken:
    """ASGI middleware: `Authorization: Bearer TOKEN` on every guarded path, when `required`."""

    def __init__(self, app, token: str | None, required: bool):
        self.app, self.token, self.required = app, token, required

    async def __call__(self, scope, receive, send) -> None:
        path = scope.get("path", "")
        if (scope["type"] == "http" and self.required and path.startswith(GUARDED)
                and path.rstrip("/") not in OPEN and not self._allowed(scope)):
            response = error_response("Unauthorized", "The control plane needs 'Authorization: Bearer <token>' "
                                      "with the server's --admin-token.", 401)
            response.headers["www-authenticate"] = 'Bearer realm="understudy"'
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope) -> bool:
        given = dict(scope["headers"]).get(b"authorization", b"")
        # No token configured while one is required (create_app on a public host without one): nobody gets in.
        return self.token is not None and hmac.compare_digest(given, b"Bearer " + self.token.encode())
