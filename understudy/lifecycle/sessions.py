"""Users signing in and out, DNS names, and what both change (docs/standby.md "The user's side: sign-ins,
DNS failover, AutoStop"; the endpoints in docs/control-plane.md "Sign-ins and DNS").

The rules are domain/signins.py's; this module looks things up across accounts and Regions, starts a
STOPPED AutoStop WorkSpace a sign-in lands on, stores sessions (store/sessions.py), and schedules AutoStop
after a sign-out (a timed transition, cancelled by the next sign-in). Each call is one transaction, run
again when it loses a race to another server, after the transitions already due are applied.
"""

import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from understudy.domain import families, signins
from understudy.domain import workspaces as rules
from understudy.domain.outages import shown_state
from understudy.domain.scope import Scope
from understudy.domain.signins import Record, SignIn, SignInInputError
from understudy.store import Conflict, Store, Tx
from understudy.store import sessions as rows

ATTEMPTS = 5
_T = TypeVar("_T")
_WORKSPACE = "workspace"


def _retrying(store: Store, work: Callable[[Tx], _T]) -> _T:
    """`work` in one global transaction, after the transitions due by now; run again on a lost race."""
    attempt = 1
    while True:
        try:
            with store.global_transaction() as tx:
                if tx.apply_due():
                    continue  # commits what was applied; the work runs in the next transaction
                return work(tx)
        except Conflict:
            if attempt == ATTEMPTS:
                raise
            time.sleep(0.01 * attempt)
            attempt += 1


def _reading(store: Store, work: Callable[[Tx], _T]) -> _T:
    """`work` in one global transaction that only reads: what DNS answers and who is signed in depend on no
    timed transition, so none is applied first."""
    with store.transaction(Scope("", ""), writes=False) as tx:
        return work(tx)


def _scoped(tx: Tx, account_id: str, region: str) -> Tx:
    return tx.shared_by(account_id).in_region(region)


# DNS --------------------------------------------------------------------------------------------------------
def _records(found: list[dict]) -> list[Record]:
    return [Record(alias_id=r["alias_id"], role=r["role"], health_check=bool(r["health_check"]),
                   account_id=r["account_id"], region=r["region"]) for r in found]


def _shown_name(name: str, found: list[dict], out: set[str]) -> dict:
    records = _records(found)
    chosen = signins.answer(records, out)
    return {
        "name": name,
        "records": [{"alias_id": r.alias_id, "failover": None if r.role == signins.SIMPLE else r.role,
                     "health_check": r.health_check, "region": r.region, "account_id": r.account_id,
                     "healthy": signins.healthy(r, out)} for r in records],
        "answer": None if chosen is None else {"alias_id": chosen.alias_id, "region": chosen.region,
                                               "failover": None if chosen.role == signins.SIMPLE else chosen.role},
    }


def _find_alias(tx: Tx, alias_id: str) -> tuple[str, str] | None:
    """The (account, Region) holding a connection alias, visiting only the scopes that hold aliases."""
    for account_id, region in rows.scopes_holding(tx, "connection_alias"):
        if _scoped(tx, account_id, region).get("connection_alias", alias_id) is not None:
            return account_id, region
    return None


def put_name(store: Store, name: str, records: list[tuple[str, str, bool]]) -> dict:
    """Replaces a DNS name's records (checked for form by signins.parse_records); each alias must exist."""
    def work(tx: Tx) -> dict:
        stored = []
        for alias_id, role, check in records:
            where = _find_alias(tx, alias_id)
            if where is None:
                raise SignInInputError("InvalidRecords", f"There is no connection alias {alias_id} in any account "
                                       "or Region.")
            stored.append({"role": role, "alias_id": alias_id, "account_id": where[0], "region": where[1],
                           "health_check": int(check)})
        rows.dns_put(tx, name, stored)
        return _shown_name(name, rows.dns_get(tx, name), rows.out_regions(tx))
    return _retrying(store, work)


def get_name(store: Store, name: str) -> dict | None:
    def work(tx: Tx) -> dict | None:
        found = rows.dns_get(tx, name)
        return _shown_name(name, found, rows.out_regions(tx)) if found else None
    return _reading(store, work)


def list_names(store: Store) -> list[dict]:
    def work(tx: Tx) -> list[dict]:
        out = rows.out_regions(tx)
        return [_shown_name(name, found, out) for name, found in rows.dns_all(tx).items()]
    return _reading(store, work)


def delete_name(store: Store, name: str) -> bool:
    return _retrying(store, lambda tx: rows.dns_delete(tx, name))


# Sign-in ----------------------------------------------------------------------------------------------------
class _Landing:
    """Where a sign-in leads: the directory (its account and Region) and whether it came through an alias."""

    def __init__(self, account_id: str, region: str, directory: dict, via_alias: bool):
        self.account_id, self.region, self.directory, self.via_alias = account_id, region, directory, via_alias


def _through_dns(tx: Tx, name: str) -> _Landing | None:
    """Resolves a DNS name to the directory its answering alias is associated with."""
    chosen = signins.answer(_records(rows.dns_get(tx, name)), rows.out_regions(tx))
    if chosen is None:
        return None
    alias = _scoped(tx, chosen.account_id, chosen.region).get("connection_alias", chosen.alias_id)
    association = (alias.get("Associations") or [None])[0] if alias else None
    if alias is None or alias.get("State") != "CREATED" or not association:
        return None
    account_id = association.get("AssociatedAccountId", chosen.account_id)
    directory = _scoped(tx, account_id, chosen.region).get("directory", association.get("ResourceId", ""))
    if directory is None or directory.get("State") != "REGISTERED":
        return None
    return _Landing(account_id, chosen.region, directory, via_alias=True)


def _through_code(tx: Tx, code: str) -> _Landing | None:
    """The registered directory whose RegistrationCode this is (compared without case [CHOSEN])."""
    if not signins.is_registration_code(code):
        return None
    for account_id, region in rows.scopes_holding(tx, "directory"):
        for directory in _scoped(tx, account_id, region).find("directory", limit=1000):
            if str(directory.get("RegistrationCode", "")).upper() == code.upper() \
                    and directory.get("State") == "REGISTERED":
                return _Landing(account_id, region, directory, via_alias=False)
    return None


def _access_refusal(tx: Tx, landing: _Landing, request: SignIn) -> str | None:
    directory = landing.directory
    groups = [g for gid in directory.get("ipGroupIds") or []
              if (g := tx.get("ip_group", gid)) is not None]
    if not signins.ip_allowed(request.source_ip, groups):
        return (f"The IP access control groups of the directory {directory['DirectoryId']} do not allow "
                f"{request.source_ip}.")
    if not signins.device_allowed(request.client, directory.get("WorkspaceAccessProperties")):
        return f"The directory {directory['DirectoryId']} does not allow the {request.client} client."
    return None


def _start(tx: Tx, doc: dict) -> None:
    """Starts a STOPPED WorkSpace as StartWorkspaces does: STOPPED -> STARTING -> AVAILABLE."""
    rule = rules.ACTIONS["StartWorkspaces"]
    tx.cancel_transitions(_WORKSPACE, doc["WorkspaceId"])
    doc["State"] = rule.transient
    tx.update(_WORKSPACE, doc)
    tx.schedule(_WORKSPACE, doc["WorkspaceId"], rule.transient, rule.settles_to or "AVAILABLE",
                rule.duration.seconds(tx.timing))


def _answer(outcome: str, **fields: Any) -> dict:
    message = signins.MESSAGES[outcome].format(**{k: v for k, v in fields.items()})
    return {"outcome": outcome, **{k: v for k, v in fields.items() if v is not None and k not in ("why", "user")},
            "message": message}


def sign_in(store: Store, request: SignIn) -> dict:
    """One sign-in's outcome (domain/signins.py OUTCOMES, checked in that order) and what it changed."""
    def work(tx: Tx) -> dict:
        landing = _through_dns(tx, request.code) if request.is_fqdn else _through_code(tx, request.code)
        if landing is None:
            return _answer("INVALID_CODE")
        where = {"region": landing.region, "directory_id": landing.directory["DirectoryId"], "user": request.user}
        if tx.outage(landing.region) is not None:
            return _answer("REGION_UNREACHABLE", **where)
        ltx = _scoped(tx, landing.account_id, landing.region)
        refused = _access_refusal(ltx, landing, request)
        if refused:
            return _answer("ACCESS_DENIED", why=refused, **where)
        found = ltx.find_user(_WORKSPACE, landing.directory["DirectoryId"], request.user)
        chosen = signins.choose_workspace(found, via_alias=landing.via_alias)
        if chosen is None:
            return _answer("NO_WORKSPACE", **where)
        doc = ltx.get(_WORKSPACE, chosen["WorkspaceId"], for_update=True) or dict(chosen)
        state = shown_state(doc["State"], False)
        startable = rules.refusal("StartWorkspaces", doc) is None
        outcome = signins.landing_outcome(doc, state, startable, migrating=rules.migrating(doc))
        data_as_of = signins.data_as_of(doc, tx.now, tx.timing)
        fields = {**where, "workspace_id": doc["WorkspaceId"], "data_as_of": data_as_of}
        if outcome == "STARTING":
            _start(ltx, doc)
            return _answer(outcome, state=doc["State"], **fields)
        if outcome == "UNAVAILABLE":
            return _answer(outcome, state=state, **fields)
        rows.cancel_auto_stop(tx, landing.account_id, landing.region, doc["WorkspaceId"])  # the user is back
        session_id = "wsss-" + secrets.token_hex(8)
        rows.connect(tx, {"account_id": landing.account_id, "region": landing.region,
                          "workspace_id": doc["WorkspaceId"], "session_id": session_id,
                          "user_name": doc.get("UserName", request.user), "directory_id": doc["DirectoryId"],
                          "client": request.client, "source_ip": str(request.source_ip), "since": tx.now})
        return _answer(outcome, session_id=session_id, state=state, **fields)
    return _retrying(store, work)


def _auto_stop(tx: Tx, account_id: str, region: str, workspace_id: str) -> float | None:
    """After its user leaves, an AutoStop WorkSpace (or a standby) that is AVAILABLE stops once its timeout
    passes: AVAILABLE -> STOPPING then STOPPED, as compare-and-set transitions a new sign-in cancels."""
    wtx = _scoped(tx, account_id, region)
    doc = wtx.get(_WORKSPACE, workspace_id, for_update=True)
    if doc is None or doc["State"] != "AVAILABLE" or not signins.auto_stops(doc) or rules.migrating(doc):
        return None
    delay = signins.auto_stop_seconds(doc)
    rows.cancel_auto_stop(tx, account_id, region, workspace_id)
    wtx.schedule(_WORKSPACE, workspace_id, "AVAILABLE", "STOPPING", delay)
    wtx.schedule(_WORKSPACE, workspace_id, "STOPPING", "STOPPED",
                 delay + families.WORKSPACE_STOP.seconds(tx.timing))
    return tx.now + delay


def sign_out(store: Store, session_id: str) -> dict | None:
    """Ends a live session; None when there is none of that id."""
    def work(tx: Tx) -> dict | None:
        session = rows.by_id(tx, session_id)
        if session is None or not rows.end(tx, session_id, tx.now):
            return None
        stops_at = _auto_stop(tx, session["account_id"], session["region"], session["workspace_id"])
        return {"session_id": session_id, "signed_out": True, "workspace_id": session["workspace_id"],
                "auto_stop_at": stops_at}
    return _retrying(store, work)


def list_sessions(store: Store) -> list[dict]:
    def work(tx: Tx) -> list[dict]:
        return [{"session_id": s["session_id"], "user": s["user_name"], "workspace_id": s["workspace_id"],
                 "region": s["region"], "account_id": s["account_id"], "directory_id": s["directory_id"],
                 "client": s["client"], "source_ip": s["source_ip"], "since": s["since"]}
                for s in rows.live(tx)]
    return _reading(store, work)


def cut_off(store: Store, region: str) -> int:
    """A Region's outage ends its sessions: the users are cut off, and AutoStop counts from then [CHOSEN]."""
    def work(tx: Tx) -> int:
        ended = rows.end_in_region(tx, region, tx.now)
        for s in ended:
            _auto_stop(tx, s["account_id"], s["region"], s["workspace_id"])
        return len(ended)
    return _retrying(store, work)
