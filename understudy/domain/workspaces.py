"""WorkSpace state machines as tables: which operation may run from which state, and what it starts.

Sources: the API reference of each operation (allowed source states and running modes), and
BEHAVIOUR.md "WorkSpaces in general". A WorkSpace in ADMIN_MAINTENANCE ignores reboot, stop,
start, rebuild and restore requests (ModifyWorkspaceState API doc), so that state is in none of
their sets; terminate is not named there and works from it.
"""

import secrets
from dataclasses import dataclass
from typing import Any

from understudy.domain import ids
from understudy.domain.errors import Refused
from understudy.domain.resources import GONE

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
    duration: str  # the timing.DURATIONS entry
    running_modes: frozenset[str] | None = None  # None: any running mode


ACTIONS = {
    "StartWorkspaces": Action(frozenset({"STOPPED"}), "STARTING", "AVAILABLE", "workspace.start",
                              frozenset({"AUTO_STOP", "MANUAL"})),
    "StopWorkspaces": Action(frozenset({"AVAILABLE", "IMPAIRED", "UNHEALTHY", "ERROR"}), "STOPPING", "STOPPED",
                             "workspace.stop", frozenset({"AUTO_STOP", "MANUAL"})),
    "RebootWorkspaces": Action(frozenset({"AVAILABLE", "UNHEALTHY", "REBOOTING"}), "REBOOTING", "AVAILABLE",
                               "workspace.reboot"),
    "RebuildWorkspaces": Action(frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED", "REBOOTING"}), "REBUILDING",
                                "AVAILABLE", "workspace.rebuild"),
    "RestoreWorkspace": Action(frozenset({"AVAILABLE", "ERROR", "UNHEALTHY", "STOPPED"}), "RESTORING", "AVAILABLE",
                               "workspace.restore"),
    "TerminateWorkspaces": Action(ALL_STATES - {"SUSPENDED"}, "TERMINATING", "TERMINATED", "workspace.terminate"),
    "ModifyWorkspaceProperties": Action(frozenset({"AVAILABLE", "STOPPED"}), "UPDATING", None, "workspace.modify"),
}

# ModifyWorkspaceState moves between these two only [BEHAVIOUR.md].
MAINTENANCE_STATES = frozenset({"AVAILABLE", "ADMIN_MAINTENANCE"})

# What a TERMINATED WorkSpace becomes after it has been shown briefly: it vanishes [AWS].
AFTER_TERMINATED = GONE

# Per-item failure codes of the batch operations [CHOSEN: AWS's dotted style, as CreateWorkspaces uses;
# no public capture of these exists, see aws-research-notes.md "Open questions"].
FAILURES = {
    "not_found": ("ResourceNotFound.WorkSpace", "The WorkSpace {id} could not be found."),
    "state": ("InvalidResourceState.WorkSpace",
              "The WorkSpace {id} is in state {state}; this operation needs one of: {allowed}."),
    "running_mode": ("InvalidResourceState.RunningMode",
                     "The WorkSpace {id} runs in {mode} mode; this operation needs AUTO_STOP or MANUAL."),
    "standby": ("OperationNotSupported.StandbyWorkSpace", "The WorkSpace {id} is a standby WorkSpace."),
}


def refusal(action: str, doc: dict[str, Any]) -> Refused | None:
    """Why `action` cannot run on the WorkSpace `doc`, or None when it can."""
    rule = ACTIONS[action]
    state = doc["State"]
    if state not in rule.allowed_from:
        return failure("state", id=doc["WorkspaceId"], state=state, allowed=", ".join(sorted(rule.allowed_from)))
    mode = doc.get("WorkspaceProperties", {}).get("RunningMode")
    if rule.running_modes is not None and mode not in rule.running_modes:
        return failure("running_mode", id=doc["WorkspaceId"], mode=mode)
    return None


def failure(kind: str, **fields: object) -> Refused:
    code, text = FAILURES[kind]
    return Refused(code, text.format(**fields))


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
    # ALWAYS_ON when no running mode is given [CHOSEN, as Terraform's default; BEHAVIOUR.md].
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
        "WorkspaceId": ids.workspace_id(),
        "DirectoryId": directory_id,
        "UserName": user_name,
        "State": "PENDING",
        "BundleId": bundle["BundleId"],
        "SubnetId": subnets[0],
        "IpAddress": f"10.{secrets.randbelow(256)}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}",
        "ComputerName": "WSAMZN-" + secrets.token_hex(4).upper(),
        "WorkspaceProperties": props,
        "_CreatedAt": now,
        "_ProvisionedAt": now + provision_seconds,
    }
    doc.update((k, v) for k, v in optional.items() if k in OPTIONAL_FIELDS)
    return doc
