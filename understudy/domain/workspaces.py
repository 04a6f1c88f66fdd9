"""WorkSpace state machines as tables: which operation may run from which state, and what it starts.

Sources: the API reference of each operation (allowed source states and running modes), and
docs/workspaces.md "WorkSpaces". A WorkSpace in ADMIN_MAINTENANCE ignores reboot, stop,
start, rebuild and restore requests (ModifyWorkspaceState API doc), so that state is in none of
their sets; terminate is not named there and works from it.
"""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from understudy.domain import families
from understudy.domain.errors import Refused
from understudy.domain.families import Timed
from understudy.domain.outages import shown_state
from understudy.domain.resources import GONE
from understudy.domain.standby import replication_view

ALL_STATES = frozenset({
    "PENDING", "AVAILABLE", "IMPAIRED", "UNHEALTHY", "REBOOTING", "STARTING", "REBUILDING", "RESTORING",
    "MAINTENANCE", "ADMIN_MAINTENANCE", "TERMINATING", "TERMINATED", "SUSPENDED", "UPDATING", "STOPPING",
    "STOPPED", "ERROR",
})


@dataclass(frozen=True)
class Action:
    allowed_from: frozenset[str]
    transient: str  # the state the WorkSpace shows while the action runs
    settles_to: str | None  # None: back to the state it came from
    duration: Timed
    running_modes: frozenset[str] | None = None  # None: any running mode


ACTIONS = {
    "StartWorkspaces": Action(frozenset({"STOPPED"}), "STARTING", "AVAILABLE", families.WORKSPACE_START,
                              frozenset({"AUTO_STOP", "MANUAL"})),
    "StopWorkspaces": Action(frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"}), "STOPPING", "STOPPED",
                             families.WORKSPACE_STOP, frozenset({"AUTO_STOP", "MANUAL"})),
    "RebootWorkspaces": Action(frozenset({"AVAILABLE", "UNHEALTHY", "REBOOTING"}), "REBOOTING", "AVAILABLE",
                               families.WORKSPACE_REBOOT),
    "RebuildWorkspaces": Action(frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"}), "REBUILDING",
                                "AVAILABLE", families.WORKSPACE_REBUILD),
    "RestoreWorkspace": Action(frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"}), "RESTORING", "AVAILABLE",
                               families.WORKSPACE_RESTORE),
    "TerminateWorkspaces": Action(ALL_STATES - {"SUSPENDED"}, "TERMINATING", "TERMINATED",
                                  families.WORKSPACE_TERMINATE),
    "ModifyWorkspaceProperties": Action(frozenset({"AVAILABLE", "STOPPED"}), "UPDATING", None,
                                        families.WORKSPACE_MODIFY),
}

# ModifyWorkspaceState moves between these two only
# [AWS: https://docs.aws.amazon.com/workspaces/latest/api/API_ModifyWorkspaceState.html].
MAINTENANCE_STATES = frozenset({"AVAILABLE", "ADMIN_MAINTENANCE"})

# What a TERMINATED WorkSpace becomes after it has been shown briefly: it vanishes [AWS].
AFTER_TERMINATED = GONE

# Per-item failure codes of the batch operations [CHOSEN: AWS's dotted style, as CreateWorkspaces uses;
# no public capture of these exists, docs/evidence.md "Per-item failure codes"].
FAILURES = {
    "not_found": ("ResourceNotFound.WorkSpace", "The WorkSpace {id} could not be found."),
    "state": ("InvalidResourceState.WorkSpace",
              "The WorkSpace {id} is in state {state}; this operation needs one of: {allowed}."),
    "running_mode": ("InvalidResourceState.RunningMode",
                     "The WorkSpace {id} runs in {mode} mode; this operation needs AUTO_STOP or MANUAL."),
    "standby": ("OperationNotSupported.StandbyWorkSpace", "The WorkSpace {id} is a standby WorkSpace."),
    # [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"] a source being migrated takes no other action.
    "migrating": ("OperationInProgress.Migration", "The WorkSpace {id} is being migrated to {target}."),
}

# Volume sizes [AWS, https://docs.aws.amazon.com/workspaces/latest/adminguide/modify-workspaces.html]: the root and
# user volumes come in fixed pairs, root 80 with user 10, 50 or 100, or root 175-2000 with user 100-2000; at most
# 2000 GB each; one volume change in 6 hours, the first 6 hours after creation.
MAX_VOLUME_GIB = 2000
VOLUME_COOLDOWN_SECONDS = 6 * 3600
_SMALL_ROOT_GIB, _SMALL_ROOT_USERS = 80, (10, 50, 100)
_LARGE_ROOT_GIB, _LARGE_ROOT_MIN_USER_GIB = 175, 100

# What a PENDING WorkSpace does not show yet [AWS, the CLI's create-workspaces and describe-workspaces examples]:
# kept as `_SubnetId`, `_IpAddress` and `_ComputerName` and shown once it is provisioned.
NETWORK_FIELDS = ("SubnetId", "IpAddress", "ComputerName")


def volume_problem(root_gib: int, user_gib: int) -> str | None:
    """Why a WorkSpace cannot have these volume sizes, or None when (root, user) is an allowed pair."""
    if root_gib > MAX_VOLUME_GIB or user_gib > MAX_VOLUME_GIB:
        return f"The root and user volumes can be at most {MAX_VOLUME_GIB} GB each."
    if root_gib == _SMALL_ROOT_GIB and user_gib in _SMALL_ROOT_USERS:
        return None
    if root_gib >= _LARGE_ROOT_GIB and user_gib >= _LARGE_ROOT_MIN_USER_GIB:
        return None
    return (f"The volume sizes root {root_gib} GB and user {user_gib} GB are not an allowed pair: root 80 GB with user "
            f"10, 50 or 100 GB, or root 175 to {MAX_VOLUME_GIB} GB with user 100 to {MAX_VOLUME_GIB} GB.")


def volumes_changeable_at(doc: Mapping[str, Any]) -> float:
    """When the volumes of the WorkSpace `doc` may next be changed: 6 hours after its creation or after its last
    volume change, whichever is later."""
    since: float = max(doc.get("_CreatedAt", 0.0), doc.get("_VolumesChangedAt", 0.0))
    return since + VOLUME_COOLDOWN_SECONDS


def migrating(doc: Mapping[str, Any]) -> bool:
    """Whether the WorkSpace `doc` is the source of a migration still running."""
    return "_MigratingTo" in doc and doc["State"] not in ("TERMINATING", "TERMINATED")


def refusal(action: str, doc: dict[str, Any]) -> Refused | None:
    """Why `action` cannot run on the WorkSpace `doc`, or None when it can."""
    rule = ACTIONS[action]
    state = doc["State"]
    if migrating(doc):
        return failure("migrating", id=doc["WorkspaceId"], target=doc["_MigratingTo"])
    if state not in rule.allowed_from:
        return failure("state", id=doc["WorkspaceId"], state=state, allowed=", ".join(sorted(rule.allowed_from)))
    mode = doc.get("WorkspaceProperties", {}).get("RunningMode")
    if rule.running_modes is not None and mode not in rule.running_modes:
        return failure("running_mode", id=doc["WorkspaceId"], mode=mode)
    return None


def failure(kind: str, **fields: object) -> Refused:
    code, text = FAILURES[kind]
    return Refused(code, text.format(**fields))


_NETWORK_KEYS = tuple((key, "_" + key) for key in NETWORK_FIELDS)


def shown(doc: Mapping[str, Any], *, region_out: bool, now: float, profile: str) -> dict[str, Any]:
    """A WorkSpace as AWS shows it at `now`, from its own document: what DescribeWorkspaces and the dashboard
    both start from. UNHEALTHY while its Region is out; a modification in progress; a standby's replication.
    Describe adds the live other side of a pair, which takes reading another Region."""
    out = dict(doc, State=shown_state(doc["State"], region_out))
    # An idle WorkSpace shows `"ModificationStates": []` [AWS, the CLI's describe-workspaces example].
    out["ModificationStates"] = []
    if doc["State"] == "UPDATING" and doc.get("_Modifying"):
        out["ModificationStates"] = [{"Resource": r, "State": "UPDATE_IN_PROGRESS"} for r in doc["_Modifying"]]
    # Its network identity shows once it is provisioned; a document stored before these were private has them
    # public, and they are hidden the same way while it is PENDING.
    provisioned = doc["State"] != "PENDING"
    for key, private in _NETWORK_KEYS:
        value = doc[private] if private in doc else doc.get(key)
        if provisioned and value is not None:
            out[key] = value
        else:
            out.pop(key, None)
    if "_Primary" in doc:
        out["DataReplicationSettings"] = replication_view(doc, now, profile)
    return out


# Properties a new WorkSpace takes from its request beyond the ones every WorkSpace has.
OPTIONAL_FIELDS = ("VolumeEncryptionKey", "UserVolumeEncryptionEnabled", "RootVolumeEncryptionEnabled", "WorkspaceName",
                   "Ipv6Address")


def new_workspace(*, directory_id: str, subnet_ids: list[str] | None, user_name: str, bundle: dict[str, Any],
                  properties: dict[str, Any], now: float, provision_seconds: float,
                  **optional: object) -> dict[str, Any]:
    """The document of a WorkSpace being provisioned (PENDING): what CreateWorkspaces, CreateStandbyWorkspaces
    and MigrateWorkspace make. `properties` are the requested ones; the bundle fills in the rest.
    `optional` holds any of OPTIONAL_FIELDS."""
    props = dict(properties)
    # ALWAYS_ON when no running mode is given [CHOSEN, as Terraform's default; docs/workspaces.md "WorkSpaces"].
    props.setdefault("RunningMode", "ALWAYS_ON")
    if props["RunningMode"] == "AUTO_STOP":
        props.setdefault("RunningModeAutoStopTimeoutInMinutes", 60)
    props.setdefault("RootVolumeSizeGib", int(bundle["RootStorage"]["Capacity"]))
    props.setdefault("UserVolumeSizeGib", int(bundle["UserStorage"]["Capacity"]))
    props.setdefault("ComputeTypeName", bundle["ComputeType"]["Name"])
    props.setdefault("Protocols", bundle.get("_Protocols", ["PCOIP"]))
    props.setdefault("OperatingSystemName", bundle.get("_OperatingSystem", "UNKNOWN"))
    subnets = subnet_ids or ["subnet-" + secrets.token_hex(8)]
    doc = {
        "WorkspaceId": families.WORKSPACE.new_id(),
        "DirectoryId": directory_id,
        "UserName": user_name,
        "State": "PENDING",
        "BundleId": bundle["BundleId"],
        "_SubnetId": subnets[0],
        "_IpAddress": f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}",
        "_ComputerName": "WSAMZN-" + secrets.token_hex(4).upper(),
        "WorkspaceProperties": props,
        "_CreatedAt": now,
        "_ProvisionedAt": now + provision_seconds,
    }
    doc.update((k, v) for k, v in optional.items() if k in OPTIONAL_FIELDS)
    return doc
