"""Who may use the control plane, and from where: a bearer token, this server's own names, no web page.

- **Token.** `Authorization: Bearer TOKEN` on every guarded path when one is required: `understudy
  serve` refuses a non-loopback address without `--admin-token`, and a token given on loopback is
  enforced too. `/moto-api/reset` is guarded like `/_understudy/reset`, which it mirrors.
- **Host.** A guarded path answers only a `Host` that names this server: loopback names and
  addresses, the `--host` it listens on, any IP address when that is a wildcard (an address cannot
  be rebound), and the `--allowed-host` names (`*` for any). A web page that rebinds its own name
  to 127.0.0.1 sends its own name, and is refused.
- **Origin.** A browser names the page that sent a request in `Origin`. On a guarded path it must be
  this server's own origin; on the AWS API its host must be one of this server's names. SDKs and
  the CLI send no `Origin`.
- **JSON only.** A state-changing control-plane request with a body must say `application/json`:
  a cross-site form or `fetch` can send `text/plain` without asking, never JSON. A request with no
  body and no `Content-Type` is accepted (moto's clients reset that way), and a browser always
  names its `Origin` on such a request.

`GET /_understudy/health` stays open so load balancers and test harnesses can probe readiness; it
tells nothing but the version, the store's kind and the process id.
"""

import hmac
import ipaddress
from urllib.parse import urlsplit

from understudy.domain.errors import AccessDeniedException
from understudy.protocol import limits
from understudy.web.admin import error_response

GUARDED = ("/_understudy", "/moto-api")
OPEN = ("/_understudy/health",)
_WILDCARDS = ("0.0.0.0", "::", "")
_CHANGES = ("POST", "PUT", "PATCH", "DELETE")


class ServerNames:
    """The names this server answers to: loopback, its own address, and `--allowed-host`."""

    def __init__(self, host: str, allowed: tuple[str, ...] = ()):
        self.host = host.lower().strip("[]")
        self.allowed = {name.lower().strip("[]") for name in allowed}

    def __contains__(self, name: str) -> bool:
        name = name.lower().strip("[]")
        if "*" in self.allowed or name in self.allowed or name == self.host:
            return True
        if name == "localhost" or name.endswith(".localhost"):  # RFC 6761: always loopback
            return True
        try:
            address = ipaddress.ip_address(name)
        except ValueError:
            return False
        return address.is_loopback or self.host in _WILDCARDS


def _hostname(authority: str) -> str:
    """The name in a `Host` value (`name:port`, `[v6]:port`) or an origin's netloc."""
    try:
        return urlsplit("//" + authority).hostname or ""
    except ValueError:
        return ""


class ControlPlaneGuard:
    """ASGI middleware enforcing the rules above; everything else passes straight through."""

    def __init__(self, app, token: str | None, required: bool, names: ServerNames):
        self.app, self.token, self.required, self.names = app, token, required, names

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope.get("path", "")
        headers = dict(scope["headers"])
        if path.startswith(GUARDED) and path.rstrip("/") not in OPEN:
            response = self._refusal(scope["method"], headers)
            if response is not None:
                await response(scope, receive, send)
                return
        elif b"origin" in headers and _hostname(_origin_netloc(headers[b"origin"])) not in self.names:
            refused = AccessDeniedException("Understudy does not accept AWS requests from a web page of another site.")
            refused.status = 403
            await limits.reject(send, refused)
            return
        await self.app(scope, receive, send)

    def _refusal(self, method: str, headers: dict[bytes, bytes]):
        if self.required and not self._has_token(headers):
            response = error_response("Unauthorized", "The control plane needs 'Authorization: Bearer <token>' "
                                      "with the server's --admin-token.", 401)
            response.headers["www-authenticate"] = 'Bearer realm="understudy"'
            return response
        host = headers.get(b"host", b"").decode("latin-1")
        if _hostname(host) not in self.names:
            return error_response("ForbiddenHost", f"This server does not answer to the name '{host}'. Start it "
                                  "with --allowed-host NAME to use that name.", 403)
        origin = headers.get(b"origin")
        if origin is not None and _origin_netloc(origin) != host.lower():
            return error_response("ForbiddenOrigin", "The control plane does not accept requests from a web page "
                                  f"of another site ({origin.decode('latin-1')}).", 403)
        if method in _CHANGES and not _json_or_empty(headers):
            return error_response("UnsupportedMediaType", "A request that changes state must send its body as "
                                  "'Content-Type: application/json'.", 415)
        return None

    def _has_token(self, headers: dict[bytes, bytes]) -> bool:
        given = headers.get(b"authorization", b"")
        # No token configured while one is required (create_app on a public host without one): nobody gets in.
        return self.token is not None and hmac.compare_digest(given, b"Bearer " + self.token.encode())


def _origin_netloc(origin: bytes) -> str:
    """`http://name:port` -> `name:port`; `null` and anything unparsable -> ``, which names no server."""
    try:
        return urlsplit(origin.decode("latin-1")).netloc.lower()
    except ValueError:
        return ""


def _json_or_empty(headers: dict[bytes, bytes]) -> bool:
    kind = headers.get(b"content-type")
    if kind is None:
        return headers.get(b"content-length", b"0") == b"0" and b"transfer-encoding" not in headers
    return kind.split(b";")[0].strip().lower() == b"application/json"

