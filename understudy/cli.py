"""The `understudy` command: serve, worker, seed, status, ls, clock, outage, dns, sign-in, sign-out, reset, state
and coverage.

Verbs that act on a running server (status, ls, clock, outage, dns, sign-in, sign-out, reset, state, seed) are
thin clients of its
/_understudy endpoints, found by --endpoint, UNDERSTUDY_ENDPOINT, or UNDERSTUDY_HOST and UNDERSTUDY_PORT as
`serve` reads them; `seed --db` writes to a database directly, with no server on it.
"""

import json
import logging
import os
import re
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

import click

from understudy import config
from understudy.domain.timing import CLOCK_MODES, PROFILES


def _settings(**kw) -> config.Settings:
    try:
        return config.from_options(**kw)
    except config.OptionError as e:
        raise click.BadParameter(str(e), param_hint=e.option) from None


@click.group()
def main() -> None:
    """Understudy: a local Amazon WorkSpaces for tests, demos and failover drills."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="UNDERSTUDY_HOST",
              help="Address to listen on.")
@click.option("--port", default=config.DEFAULT_PORT, show_default=True, envvar="UNDERSTUDY_PORT",
              help="Port to listen on.")
@click.option("--db", default=config.DEFAULT_DB, show_default=True, envvar="UNDERSTUDY_DB",
              help="Where state lives: sqlite:///PATH, sqlite:// (memory, lost on exit) or postgresql://...")
@click.option("--clock", type=click.Choice(CLOCK_MODES), default="real", show_default=True,
              envvar="UNDERSTUDY_CLOCK", help="real: follows the wall clock; manual: moves only when advanced.")
@click.option("--timing", type=click.Choice(PROFILES), default="fast", show_default=True,
              envvar="UNDERSTUDY_TIMING", help="How long automatic transitions take (PENDING -> AVAILABLE...).")
@click.option("--quota", multiple=True, envvar="UNDERSTUDY_QUOTA", metavar="NAME=N",
              help="Override a quota per account and Region, e.g. standby_workspaces=3. Repeatable.")
@click.option("--quota-profile", type=click.Choice(list(config.QUOTA_PROFILES)), default="generous",
              show_default=True, envvar="UNDERSTUDY_QUOTA_PROFILE", help="Starting quotas: generous or AWS's.")
@click.option("--any-region", is_flag=True, envvar="UNDERSTUDY_ANY_REGION",
              help="Accept any Region, not only those where AWS offers WorkSpaces.")
@click.option("--account", default=config.DEFAULT_ACCOUNT, show_default=True, envvar="UNDERSTUDY_ACCOUNT",
              help="Account of access keys that are not 12 digits and not in --credentials.")
@click.option("--credentials", type=click.Path(exists=True, dir_okay=False), envvar="UNDERSTUDY_CREDENTIALS",
              help='JSON file of access keys: {"credentials": [{"access_key_id", "account_id", '
                   '"secret_access_key"}]}; the secret is needed only by --auth strict.')
@click.option("--auth", type=click.Choice(["permissive", "strict"]), default="permissive", show_default=True,
              envvar="UNDERSTUDY_AUTH",
              help="strict: verify every SigV4 signature (header or presigned) against the secrets in "
              "--credentials and refuse unknown keys, wrong secrets and dates 5 minutes off as AWS does; "
              "permissive: trust any key.")
@click.option("--policy", type=click.Path(exists=True, dir_okay=False), envvar="UNDERSTUDY_POLICY",
              help='JSON file of IAM-style Allow/Deny statements per access key or account: '
                   '{"policies": {"KEY": [{"Effect", "Action", "Resource"}]}}. Denied calls answer AccessDenied.')
@click.option("--admin-token", envvar="UNDERSTUDY_ADMIN_TOKEN",
              help="Require 'Authorization: Bearer TOKEN' on /_understudy. Mandatory when --host is not loopback.")
@click.option("--allowed-host", "allowed_hosts", multiple=True, envvar="UNDERSTUDY_ALLOWED_HOST", metavar="NAME",
              help="A name the control plane answers to besides loopback and --host, for a server reached through "
              "a proxy or a container name ('*' for any). Repeatable.")
@click.option("--worker/--no-worker", default=True, show_default=True, envvar="UNDERSTUDY_WORKER",
              help="Run the lifecycle worker inside this server (turn off when `understudy worker` runs beside).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, envvar="UNDERSTUDY_WORKERS",
              help="Server processes sharing the port and the database (a SQLite file or PostgreSQL); the lifecycle "
              "worker runs in one of them.")
@click.option("--log-level", default="info", show_default=True, envvar="UNDERSTUDY_LOG_LEVEL")
def serve(log_level: str, workers: int, **kw) -> None:
    """Run the WorkSpaces endpoint (and the lifecycle worker) on HOST:PORT."""
    import uvicorn

    from understudy.app import SETTINGS_ENV, create_app, prepare, settle

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from understudy.protocol import server

    settings = _settings(**kw)
    if not config.is_loopback(settings.host) and not settings.admin_token:
        raise click.UsageError(f"--host {settings.host} is reachable beyond this machine: give --admin-token (or "
                               "UNDERSTUDY_ADMIN_TOKEN) so only its holders can reset state or move the clock.")
    if settings.auth == "strict" and not settings.admin_token:
        click.echo("Note: --auth strict guards the AWS API; without --admin-token any local process can still read "
                   "and replace every account's state through /_understudy.", err=True)
    _check_port_free(settings.host, settings.port)
    if workers == 1:
        app = settle(_opening(settings.db, lambda: create_app(settings)))
        click.echo(f"Understudy listening on http://{settings.host}:{settings.port} (store: {settings.db})", err=True)
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False,
                    **server.SERVER_OPTIONS)
        return
    if settings.db in ("sqlite://", "sqlite:///:memory:"):
        raise click.UsageError("--workers needs a database the processes can share: a SQLite file or PostgreSQL.")
    _opening(settings.db, lambda: prepare(settings))  # migrated once, before the processes start together
    click.echo(f"Understudy listening on http://{settings.host}:{settings.port} (store: {settings.db}, "
               f"{workers} processes)", err=True)
    # Each process builds the same settings from the same options (policies and credentials read anew).
    os.environ[SETTINGS_ENV] = json.dumps({**kw, "log_level": log_level, "supervisor": os.getpid()})
    uvicorn.run("understudy.app:from_environment", factory=True, workers=workers, host=settings.host,
                port=settings.port, log_level="warning", access_log=False, **server.SERVER_OPTIONS)


def _check_port_free(host: str, port: int) -> None:
    """One line that says what to do, rather than "listening" and then uvicorn's traceback."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as e:
            raise click.ClickException(f"cannot listen on {host}:{port}: {e.strerror}. Is another server running "
                                       "there? Stop it, or choose another port (--port, UNDERSTUDY_PORT).") from None


def _migrated(store):
    store.migrate()
    return store


def _opening(db: str, open_store):
    """What `open_store` returns; a database that cannot be opened is one line with what to do, not a traceback."""
    import sqlalchemy.exc

    try:
        return open_store()
    except (sqlalchemy.exc.SQLAlchemyError, OSError) as e:
        reason = str(getattr(e, "orig", None) or e).strip().splitlines()[0][:300]
        hint = ""
        if "does not exist" in reason and db.startswith("postgresql://"):
            name = db.rsplit("/", 1)[-1].split("?", 1)[0]
            hint = f" Create it first: createdb {name} (or CREATE DATABASE \"{name}\")."
        elif "Connection refused" in reason or "connection failed" in reason:
            hint = " Is PostgreSQL running there?"
        raise click.ClickException(f"cannot open the database {db}: {reason}.{hint}") from None


@main.command()
@click.option("--db", default=config.DEFAULT_DB, show_default=True, envvar="UNDERSTUDY_DB")
@click.option("--max-seconds", type=float, default=None, help="Stop after this long (for bounded runs).")
@click.option("--log-level", default="info", show_default=True, envvar="UNDERSTUDY_LOG_LEVEL")
def worker(db: str, max_seconds: float | None, log_level: str) -> None:
    """Apply due lifecycle transitions, beside servers sharing one database."""
    from understudy.lifecycle import worker as lifecycle_worker
    from understudy.store import Store

    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    store = _opening(db, lambda: _migrated(Store(db)))
    lifecycle_worker.run_forever(store, max_seconds)


def _default_endpoint() -> str:
    """The server `understudy serve` starts with the same environment: UNDERSTUDY_HOST and UNDERSTUDY_PORT, so one
    setting serves the server and every client command (UNDERSTUDY_ENDPOINT or --endpoint overrides it)."""
    host, port = os.environ.get("UNDERSTUDY_HOST", "127.0.0.1"), os.environ.get("UNDERSTUDY_PORT", config.DEFAULT_PORT)
    return f"http://{host}:{port}"


_endpoint = click.option("--endpoint", default=_default_endpoint, envvar="UNDERSTUDY_ENDPOINT",
                         show_default="http://$UNDERSTUDY_HOST:$UNDERSTUDY_PORT", help="The running server.")


@main.command()
@_endpoint
@click.option("--db", default=None, help="Fill this database directly instead, with no server running on it "
              "(bulk loads: a million WorkSpaces take minutes).")
@click.option("--workspaces", "count", type=click.IntRange(0), default=100, show_default=True,
              help="Primary WorkSpaces to create, spread evenly over the Regions.")
@click.option("--regions", default="us-east-1,us-west-2", show_default=True, help="Comma-separated Regions.")
@click.option("--standby-ratio", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="Share of each Region's primaries that get a standby in the next Region of the list.")
@click.option("--account", default="123456789012", show_default=True, help="The account to fill.")
@click.option("--any-region", is_flag=True, help="With --db: accept Regions without a WorkSpaces endpoint.")
def seed(endpoint: str, db: str | None, count: int, regions: str, standby_ratio: float, account: str,
         any_region: bool) -> None:
    """Fill the running server (or, with --db, a database) with directories, WorkSpaces and standbys."""
    names = [r.strip() for r in regions.split(",") if r.strip()]
    if db is None:
        body = {"workspaces": count, "regions": names, "standby_ratio": standby_ratio, "account_id": account}
        click.echo(json.dumps(_call(endpoint, "/seed", body)))
        return
    from understudy.seed import seed as run_seed
    from understudy.store import Store

    settings = config.Settings(db=db, any_region=any_region)
    store = _opening(db, lambda: _migrated(Store(db)))
    total = count + (int(count * standby_ratio) if len(names) > 1 else 0)
    with click.progressbar(length=total, label="seeding", file=sys.stderr) as bar:
        result = run_seed(store, settings, account=account, regions=names, workspaces=count,
                          standby_ratio=standby_ratio, tick=bar.update)
    click.echo(json.dumps(result))


def _call(endpoint: str, path: str, body: dict | None = None, method: str | None = None) -> dict:
    url = _server(endpoint) + "/_understudy" + path
    data = json.dumps(body).encode() if body is not None else None
    headers = {"content-type": "application/json"}
    if os.environ.get("UNDERSTUDY_ADMIN_TOKEN"):
        headers["authorization"] = "Bearer " + os.environ["UNDERSTUDY_ADMIN_TOKEN"]
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        raise click.ClickException(_refusal(e.code, e.read())) from None
    except urllib.error.URLError as e:
        raise click.ClickException(f"cannot reach Understudy at {endpoint}: {e.reason}") from None


def _server(endpoint: str) -> str:
    """The server's base URL, `http(s)://HOST:PORT`, or one line that says the endpoint is not one: a query,
    a fragment or a path would change what every call names, and a bad port or host would be a traceback."""
    try:
        parts = urllib.parse.urlsplit(endpoint)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        parts, port_ok = None, False
    if (parts is None or not port_ok or parts.scheme not in ("http", "https") or not parts.hostname
            or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise click.ClickException(f"The endpoint must be http://HOST:PORT, the running server's address, not "
                                   f"{endpoint!r} (--endpoint, UNDERSTUDY_ENDPOINT, or UNDERSTUDY_HOST and "
                                   "UNDERSTUDY_PORT).")
    return f"{parts.scheme}://{parts.netloc}"


def _refusal(status: int, body: bytes) -> str:
    """The control plane's refusal as one line, `message (error, HTTP status)`, rather than its JSON (every error
    of it is `{"error", "message"}`: docs/control-plane.md); an answer of another form (a proxy's page) as it is."""
    try:
        error = json.loads(body)
        return f"{error['message']} ({error['error']}, HTTP {status})"
    except (ValueError, TypeError, KeyError):
        return f"HTTP {status}: {body.decode(errors='replace')[:500]}"


@main.command()
@_endpoint
@click.option("--account-id", default=None)
@click.option("--region", default=None)
def reset(endpoint: str, account_id: str | None, region: str | None) -> None:
    """Forget all state (or one account and Region's) on a running server."""
    if bool(account_id) != bool(region):  # the server's own refusal names its JSON fields, not these options
        raise click.UsageError("Give --account-id and --region together, or neither.")
    body = {"account_id": account_id, "region": region} if account_id or region else {}
    _call(endpoint, "/reset", body)
    click.echo("reset")


@main.group()
def clock() -> None:
    """Show or drive the clock of a running server."""


def _print_clock(c: dict) -> None:
    click.echo(f"now {c['now']:.3f}  mode {c['mode']}  timing {c['timing']}")


_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")


def parse_duration(text: str) -> float:
    m = _DURATION.match(text.strip())
    if not m:
        raise click.BadParameter(f"{text!r} is not a duration like 90, 90s, 20m, 12h or 1d")
    return float(m.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m.group(2)]


@clock.command("show")
@_endpoint
def clock_show(endpoint: str) -> None:
    _print_clock(_call(endpoint, "/clock"))


@clock.command("advance")
@_endpoint
@click.argument("duration")
def clock_advance(endpoint: str, duration: str) -> None:
    """Move the clock forward by DURATION (90, 90s, 20m, 12h, 1d) and apply what falls due."""
    _print_clock(_call(endpoint, "/clock", {"advance_seconds": parse_duration(duration)}))


@clock.command("timing")
@_endpoint
@click.argument("profile", type=click.Choice(PROFILES))
def clock_timing(endpoint: str, profile: str) -> None:
    _print_clock(_call(endpoint, "/clock", {"timing": profile}))


@clock.command("mode")
@_endpoint
@click.argument("mode", type=click.Choice(CLOCK_MODES))
def clock_mode(endpoint: str, mode: str) -> None:
    _print_clock(_call(endpoint, "/clock", {"mode": mode}))


@main.group()
def outage() -> None:
    """Simulate Region outages on a running server, to rehearse failover."""


@outage.command("start")
@_endpoint
@click.argument("region")
@click.option("--api", type=click.Choice(["unavailable", "up"]), default="unavailable", show_default=True,
              help="unavailable: the Region's API answers 503; up: only its WorkSpaces turn UNHEALTHY.")
def outage_start(endpoint: str, region: str, api: str) -> None:
    o = _call(endpoint, "/outages", {"region": region, "api": api})
    click.echo(f"outage in {o['region']} since {o['since']:.0f} (api {o['api']})")


@outage.command("end")
@_endpoint
@click.argument("region")
def outage_end(endpoint: str, region: str) -> None:
    _call(endpoint, f"/outages/{region}", method="DELETE")
    click.echo(f"outage in {region} ended")


@outage.command("list")
@_endpoint
def outage_list(endpoint: str) -> None:
    found = _call(endpoint, "/outages")["outages"]
    for o in found:
        click.echo(f"{o['region']}  since {o['since']:.0f}  api {o['api']}")
    if not found:
        click.echo("no outages")


@main.group()
def dns() -> None:
    """Understudy's stand-in for DNS: names whose records point at connection aliases, with Route 53's failover."""


def _print_name(d: dict) -> None:
    a = d["answer"]
    answer = f"{a['alias_id']} in {a['region']}" + (f" ({a['failover']})" if a["failover"] else "") if a else "-"
    click.echo(f"{d['name']}  ->  {answer}")
    for r in d["records"]:
        role = r["failover"] or "SIMPLE"
        check = ("healthy" if r["healthy"] else "unhealthy") if r["health_check"] else "no health check"
        click.echo(f"  {role:<9} {r['alias_id']}  {r['region']}  {check}")


@dns.command("set")
@_endpoint
@click.argument("name")
@click.option("--primary", help="Connection alias id of the PRIMARY failover record.")
@click.option("--secondary", help="Connection alias id of the SECONDARY failover record.")
@click.option("--alias", "simple", help="Connection alias id of a simple record (the name's only record).")
@click.option("--no-health-check", "unchecked", multiple=True, type=click.Choice(["primary", "secondary"]),
              help="This record counts as healthy whatever happens to its Region. Repeatable.")
def dns_set(endpoint: str, name: str, primary: str | None, secondary: str | None, simple: str | None,
            unchecked: tuple[str, ...]) -> None:
    """Point NAME at connection aliases: --primary and --secondary, or --alias."""
    records = [{"alias_id": simple}] if simple else []
    for role, alias in (("PRIMARY", primary), ("SECONDARY", secondary)):
        if alias:
            records.append({"alias_id": alias, "failover": role, "health_check": role.lower() not in unchecked})
    if not records:
        raise click.UsageError("give --primary and/or --secondary, or --alias")
    _print_name(_call(endpoint, "/dns/" + urllib.parse.quote(name, safe=""), {"records": records}, method="PUT"))


@dns.command("show")
@_endpoint
@click.argument("name", required=False)
def dns_show(endpoint: str, name: str | None) -> None:
    """A name's records and its current answer, or every name."""
    found = [_call(endpoint, "/dns/" + urllib.parse.quote(name, safe=""))] if name else _call(endpoint, "/dns")["names"]
    for d in found:
        _print_name(d)
    if not found:
        click.echo("no DNS names")


@dns.command("delete")
@_endpoint
@click.argument("name")
def dns_delete(endpoint: str, name: str) -> None:
    _call(endpoint, "/dns/" + urllib.parse.quote(name, safe=""), method="DELETE")
    click.echo(f"{name} deleted")


@main.command("sign-in")
@_endpoint
@click.argument("user")
@click.argument("code")
@click.option("--source-ip", default="127.0.0.1", show_default=True, help="The address the user connects from.")
@click.option("--client", default="Windows", show_default=True,
              type=click.Choice(["Windows", "macOS", "Linux", "iPad", "Android", "ChromeOS", "ZeroClient", "Web"]))
@click.option("--json", "as_json", is_flag=True, help="Print the server's answer as it is.")
def sign_in(endpoint: str, user: str, code: str, source_ip: str, client: str, as_json: bool) -> None:
    """Sign USER in with CODE (a directory's registration code or a DNS name), as a WorkSpaces client would.
    Exits with 1 when the user gets no session (any outcome but CONNECTED), so a script can tell."""
    r = _call(endpoint, "/sign-ins", {"registration_code": code, "user": user, "source_ip": source_ip,
                                      "client": client})
    if as_json:
        click.echo(json.dumps(r))
    else:
        click.echo(f"{r['outcome']}: {r['message']}")
        for key in ("session_id", "region", "directory_id", "workspace_id", "state", "data_as_of"):
            if key in r:
                click.echo(f"  {key:<12} {r[key]}")
    if r["outcome"] != "CONNECTED":
        sys.exit(1)


@main.command("sign-out")
@_endpoint
@click.argument("session")
def sign_out(endpoint: str, session: str) -> None:
    """End a session a sign-in opened (its session_id)."""
    r = _call(endpoint, "/sign-ins/" + urllib.parse.quote(session, safe=""), method="DELETE")
    stops = f"; it stops at {r['auto_stop_at']:.0f} unless someone signs in" if r.get("auto_stop_at") else ""
    click.echo(f"signed out of {r['workspace_id']}{stops}")


@main.group()
def state() -> None:
    """Export a running server's whole state to a file, or replace it with one."""


@state.command("export")
@_endpoint
@click.argument("file", type=click.File("w"))
def state_export(endpoint: str, file) -> None:
    """Write a JSON snapshot of all state (every account, Region, pending transition, the clock) to FILE or -."""
    snapshot = _call(endpoint, "/state")
    json.dump(snapshot, file)
    counts = ", ".join(f"{len(rows)} {name}" for name, rows in snapshot["tables"].items())
    click.echo(f"exported {counts}", err=True)


@state.command("import")
@_endpoint
@click.argument("file", type=click.File("r"))
def state_import(endpoint: str, file) -> None:
    """Replace all state of a running server with the snapshot in FILE (- for stdin)."""
    try:
        snapshot = json.load(file)
    except json.JSONDecodeError as e:
        raise click.ClickException(f"{file.name} is not JSON: {e}") from None
    imported = _call(endpoint, "/state", snapshot, method="PUT")["imported"]
    click.echo("imported " + ", ".join(f"{n} {name}" for name, n in imported.items()))


_as_json = click.option("--json", "as_json", is_flag=True, help="Print the server's JSON answer, for scripts.")


@main.command()
@_endpoint
@_as_json
def status(endpoint: str, as_json: bool) -> None:
    """Regions, WorkSpaces by state per Region and account, outages and the clock of a running server."""
    from understudy import terminal

    summary = _call(endpoint, "/summary")
    click.echo(json.dumps(summary, indent=2) if as_json else terminal.status(summary))


@main.command("ls")
@_endpoint
@click.option("--region", default=None, help="Only rows with a WorkSpace (primary or standby) in this Region.")
@click.option("--account", default=None, help="Only this account's WorkSpaces.")
@click.option("--limit", type=click.IntRange(1, 10000), default=1000, show_default=True, help="At most this many rows.")
@_as_json
def ls(endpoint: str, region: str | None, account: str | None, limit: int, as_json: bool) -> None:
    """WorkSpaces of a running server, each primary on one row with its standbys beside it."""
    from understudy import terminal

    query = {"limit": limit, **({"region": region} if region else {}), **({"account": account} if account else {})}
    listing = _call(endpoint, "/workspaces?" + urllib.parse.urlencode(query))
    click.echo(json.dumps(listing, indent=2) if as_json else terminal.workspaces(listing))


@main.command()
def coverage() -> None:
    """Print the operation coverage report (docs/coverage.md)."""
    from understudy.coverage import report

    sys.stdout.write(report())
