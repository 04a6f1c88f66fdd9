"""WorkSpace state machines as tables: which operation may run from which state, and what it starts.

Sources: the API reference of each operation (allowed source states and running modes), and
BEHAVIOUR.md "WorkSpaces in general". A WorkSpace in ADMIN_MAINTENANCE ignores reboot, stop,
start, rebuild and restore requests (ModifyWorkspaceState API doc), so that state is in none of
their sets; terminate is not named there and works from it.
"""

from dataclasses import dataclass

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


def refusal(action: str, doc: dict) -> tuple[str, str] | None:
    """(ErrorCode, ErrorMessage) when `action` cannot run on the WorkSpace `doc`, else None."""
    rule = ACTIONS[action]
    state = doc["State"]
    if state not in rule.allowed_from:
        code, text = FAILURES["state"]
        return code, text.format(id=doc["WorkspaceId"], state=state, allowed=", ".join(sorted(rule.allowed_from)))
    mode = doc.get("WorkspaceProperties", {}).get("RunningMode")
    if rule.running_modes is not None and mode not in rule.running_modes:
        code, text = FAILURES["running_mode"]
        return code, text.format(id=doc["WorkspaceId"], mode=mode)
    return None


def failure(kind: str, **fields: str) -> tuple[str, str]:
    code, text = FAILURES[kind]
    return code, text.format(**fields)
