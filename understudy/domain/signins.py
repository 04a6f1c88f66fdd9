"""The user's side of a failover, as pure rules: what a sign-in request is, where a DNS name answers
(Route 53's failover rules), who a directory lets in (IP access control groups, device types), and what
the WorkSpace found makes of the sign-in (docs/standby.md "The user's side: sign-ins, DNS failover,
AutoStop"; the control plane's contract in docs/control-plane.md "Sign-ins and DNS").

Nothing here reads or writes: lifecycle/sessions.py looks things up and stores sessions with these rules.
"""

import ipaddress
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from understudy.domain.standby import replication_view


class SignInInputError(ValueError):
    """A malformed sign-in or DNS request: `code` is the control plane's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


# Outcomes, in the order they are checked: the first that applies is the answer.
OUTCOMES = ("INVALID_CODE", "REGION_UNREACHABLE", "ACCESS_DENIED", "NO_WORKSPACE", "STARTING", "UNAVAILABLE",
            "CONNECTED")

# The client a user signs in with -> the WorkspaceAccessProperties member that allows or denies it [AWS: the
# device types of ModifyWorkspaceAccessProperties].
CLIENTS = {
    "Windows": "DeviceTypeWindows", "macOS": "DeviceTypeOsx", "Linux": "DeviceTypeLinux", "iPad": "DeviceTypeIos",
    "Android": "DeviceTypeAndroid", "ChromeOS": "DeviceTypeChromeOs", "ZeroClient": "DeviceTypeZeroClient",
    "Web": "DeviceTypeWeb",
}
DEFAULT_CLIENT = "Windows"
DEFAULT_SOURCE_IP = "127.0.0.1"

ROLES = ("PRIMARY", "SECONDARY")
SIMPLE = "SIMPLE"  # how a record without `failover` is stored

MAX_USER = 63  # a WorkSpace's UserName is at most 63 characters [AWS model]
MAX_CODE = 253  # a DNS name is at most 253 characters; registration codes are far shorter
_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_REGISTRATION_CODE = re.compile(r"[A-Za-z0-9]{1,20}\+[A-Za-z0-9]{1,40}")
_USER = re.compile(r"[^\x00-\x1f\x7f]{1,63}")
_SESSION_ID = re.compile(r"wsss-[0-9a-f]{16}")
_ALIAS_ID = re.compile(r"wsca-[a-z0-9]{8,63}")


@dataclass(frozen=True)
class SignIn:
    """A well-formed sign-in: the code as typed (a registration code or a DNS name, already normalized),
    whether it is a DNS name, the user as typed, the source address and the client."""

    code: str
    is_fqdn: bool
    user: str
    source_ip: ipaddress.IPv4Address | ipaddress.IPv6Address
    client: str


@dataclass(frozen=True)
class Record:
    """One DNS record of a name: the alias it names (and where that alias lives), its failover role (PRIMARY,
    SECONDARY, or SIMPLE) and whether Route 53 checks its health."""

    alias_id: str
    role: str
    health_check: bool
    account_id: str
    region: str


def dns_name(value: object) -> str:
    """A DNS name as stored and compared: lower case, without a final dot [DNS names ignore case]."""
    if not isinstance(value, str):
        raise SignInInputError("InvalidName", "A DNS name is a string such as desktop.example.com.")
    name = value.strip().rstrip(".").lower()
    labels = name.split(".")
    if not 0 < len(name) <= MAX_CODE or len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        raise SignInInputError("InvalidName", f"{value[:80]!r} is not a DNS name such as desktop.example.com "
                               "(labels of letters, digits and hyphens, at least two, at most 253 characters).")
    return name


def parse_records(value: object) -> list[tuple[str, str, bool]]:
    """A PUT /_understudy/dns/{name} body's records as (alias_id, role, health_check), checked for form:
    one simple record alone, or at most one PRIMARY and one SECONDARY."""
    if not isinstance(value, list) or not 1 <= len(value) <= 2:
        raise SignInInputError("InvalidRecords", "records must be a list of one or two records.")
    parsed = []
    for i, record in enumerate(value):
        if not isinstance(record, dict) or set(record) - {"alias_id", "failover", "health_check"}:
            raise SignInInputError("InvalidRecords", f"records[{i}] must be an object of alias_id, failover and "
                                   "health_check.")
        alias_id, role, check = record.get("alias_id"), record.get("failover"), record.get("health_check", True)
        if not isinstance(alias_id, str) or _ALIAS_ID.fullmatch(alias_id) is None:
            raise SignInInputError("InvalidRecords", f"records[{i}].alias_id must be a connection alias id (wsca-...).")
        if role is not None and role not in ROLES:
            raise SignInInputError("InvalidRecords", f"records[{i}].failover must be PRIMARY, SECONDARY or absent.")
        if not isinstance(check, bool):
            raise SignInInputError("InvalidRecords", f"records[{i}].health_check must be true or false.")
        parsed.append((alias_id, role or SIMPLE, check))
    roles = [role for _, role, _ in parsed]
    if SIMPLE in roles and len(roles) > 1:
        raise SignInInputError("InvalidRecords", "A simple record (without failover) must be the name's only record.")
    if len(set(roles)) != len(roles):
        raise SignInInputError("InvalidRecords", "A name holds at most one PRIMARY and one SECONDARY record.")
    return parsed


def parse_sign_in(body: Mapping[str, Any]) -> SignIn:
    """A POST /_understudy/sign-ins body, parsed once; SignInInputError names what is wrong."""
    unknown = set(body) - {"registration_code", "user", "source_ip", "client"}
    if unknown:
        raise SignInInputError("InvalidSignIn", f"Unknown field(s): {', '.join(sorted(unknown)[:10])[:200]}; known: "
                               "registration_code, user, source_ip, client.")
    code = body.get("registration_code")
    if not isinstance(code, str) or not code.strip():
        raise SignInInputError("InvalidSignIn", "registration_code must be a directory's registration code or a "
                               "DNS name.")
    code = code.strip()
    if len(code) > MAX_CODE:
        raise SignInInputError("InvalidSignIn", f"registration_code is at most {MAX_CODE} characters.")
    is_fqdn = "." in code
    if is_fqdn:
        try:
            code = dns_name(code)
        except SignInInputError as e:
            raise SignInInputError("InvalidSignIn", f"registration_code: {e}") from None
    user = body.get("user")
    if not isinstance(user, str) or _USER.fullmatch(user) is None:
        raise SignInInputError("InvalidSignIn", f"user must be a user name of 1 to {MAX_USER} characters.")
    source = body.get("source_ip", DEFAULT_SOURCE_IP)
    try:
        if not isinstance(source, str) or len(source) > 45:
            raise ValueError(source)
        address = ipaddress.ip_address(source)
    except ValueError:
        raise SignInInputError("InvalidSignIn", "source_ip must be an IPv4 or IPv6 address.") from None
    client = body.get("client", DEFAULT_CLIENT)
    if not isinstance(client, str) or client not in CLIENTS:
        raise SignInInputError("InvalidSignIn", f"client must be one of {', '.join(CLIENTS)}.")
    return SignIn(code=code, is_fqdn=is_fqdn, user=user, source_ip=address, client=client)


def is_registration_code(code: str) -> bool:
    """Whether a code has the form of a directory's RegistrationCode (`SLiad+AB12CD`); others are INVALID_CODE."""
    return _REGISTRATION_CODE.fullmatch(code) is not None


def is_session_id(value: str) -> bool:
    return _SESSION_ID.fullmatch(value) is not None


def healthy(record: Record, out_regions: Iterable[str]) -> bool:
    """A record is healthy unless its alias's Region has an outage; one without a health check always is."""
    return not record.health_check or record.region not in set(out_regions)


def answer(records: list[Record], out_regions: Iterable[str]) -> Record | None:
    """The record a name answers with, by Route 53's failover rules [AWS, Route 53 "Active-passive failover"]:
    a simple record always; else the primary while it is healthy, the secondary when the primary is unhealthy
    and the secondary healthy, and the primary when both are unhealthy (Route 53 then answers as if all were
    healthy). A name with only one failover record answers it."""
    if not records:
        return None
    by_role = {r.role: r for r in records}
    if SIMPLE in by_role:
        return by_role[SIMPLE]
    out = set(out_regions)
    ordered = [by_role[role] for role in ROLES if role in by_role]
    return next((r for r in ordered if healthy(r, out)), ordered[0])


def ip_allowed(source_ip: ipaddress.IPv4Address | ipaddress.IPv6Address, groups: Sequence[Mapping[str, Any]]) -> bool:
    """With IP access control groups on the directory, only their rules' ranges may connect; with none, any
    address may [AWS, "IP access control groups"]. A rule that is not a valid range allows nothing."""
    if not groups:
        return True
    for group in groups:
        for rule in group.get("userRules") or []:
            try:
                network = ipaddress.ip_network(str(rule.get("ipRule", "")), strict=False)
            except ValueError:
                continue
            if source_ip.version == network.version and source_ip in network:
                return True
    return False


def device_allowed(client: str, access: Mapping[str, Any] | None) -> bool:
    """Whether the directory's WorkspaceAccessProperties let this client in; a device type absent there is
    allowed [CHOSEN: AWS lists every type on a directory; absent only in hand-made state]."""
    return bool((access or {}).get(CLIENTS[client], "ALLOW") != "DENY")


def is_standby(doc: Mapping[str, Any]) -> bool:
    return "_Primary" in doc


def running_mode(doc: Mapping[str, Any]) -> str:
    mode: str = (doc.get("WorkspaceProperties") or {}).get("RunningMode", "ALWAYS_ON")
    return mode


def auto_stops(doc: Mapping[str, Any]) -> bool:
    """An AUTO_STOP WorkSpace stops after its user leaves; a standby behaves as AUTO_STOP [CHOSEN]."""
    return running_mode(doc) == "AUTO_STOP" or is_standby(doc)


def auto_stop_seconds(doc: Mapping[str, Any]) -> float:
    """How long after a sign-out an AutoStop WorkSpace stops: its RunningModeAutoStopTimeoutInMinutes (60 on a
    standby, or when unset) [AWS default 60; CHOSEN for standbys]."""
    minutes = (doc.get("WorkspaceProperties") or {}).get("RunningModeAutoStopTimeoutInMinutes") or 60
    return float(minutes) * 60


def choose_workspace(found: Sequence[Mapping[str, Any]], *, via_alias: bool) -> Mapping[str, Any] | None:
    """The user's WorkSpace among those of a directory: one on its way out only when there is no other; through
    a connection alias a standby first (the redirection exists to reach it), through the directory's own code
    the user's own WorkSpace first [CHOSEN: a user may have both in one directory]."""
    def rank(doc: Mapping[str, Any]) -> tuple[bool, bool, str]:
        leaving = doc.get("State") in ("TERMINATING", "TERMINATED")
        return leaving, is_standby(doc) != via_alias, str(doc.get("WorkspaceId"))
    return min(found, key=rank) if found else None


def landing_outcome(doc: Mapping[str, Any], shown_state: str, startable: bool, *, migrating: bool = False) -> str:
    """What a sign-in makes of the WorkSpace found: CONNECTED when AVAILABLE; STARTING when it is STOPPED and
    AutoStop (or a standby) and may be started; else UNAVAILABLE (so is a WorkSpace being migrated [CHOSEN])."""
    if migrating:
        return "UNAVAILABLE"
    if shown_state == "AVAILABLE":
        return "CONNECTED"
    if shown_state == "STOPPED" and auto_stops(doc) and startable:
        return "STARTING"
    return "UNAVAILABLE"


def data_as_of(doc: Mapping[str, Any], now: float, profile: str) -> float | None:
    """What data a user finds: none of this on a primary (live data, None); on a standby the RecoverySnapshotTime
    when replication is on and a snapshot exists, else when the standby finished provisioning [CHOSEN: without
    replication the standby holds only its own data]."""
    if not is_standby(doc):
        return None
    view = replication_view(doc, now, profile)
    snapshot = view.get("RecoverySnapshotTime")
    if view.get("DataReplication") == "PRIMARY_AS_SOURCE" and snapshot is not None:
        return float(snapshot)
    provisioned = doc.get("_ProvisionedAt", doc.get("_CreatedAt"))
    return None if provisioned is None else float(provisioned)


MESSAGES = {
    "INVALID_CODE": "The registration code is not valid: no directory has it, or no DNS record leads from it to a "
                    "created, associated connection alias.",
    "REGION_UNREACHABLE": "The WorkSpaces service of {region} cannot be reached (a simulated Region outage).",
    "ACCESS_DENIED": "{why}",
    "NO_WORKSPACE": "There is no WorkSpace for {user} in the directory {directory_id}.",
    "STARTING": "The WorkSpace {workspace_id} was stopped and is starting; sign in again once it is AVAILABLE.",
    "UNAVAILABLE": "The WorkSpace {workspace_id} is {state}; it cannot take a sign-in now.",
    "CONNECTED": "{user} is connected to {workspace_id} in {region}.",
}
