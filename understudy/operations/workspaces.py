"""WorkSpaces: create, describe, the lifecycle actions (start, stop, reboot, rebuild, restore,
terminate), state and property changes, connection status and snapshots.

Batch operations report per-item problems in their failed list with HTTP 200; only whole-request
problems raise [AWS]. State rules live in domain/workspaces.py as tables.
"""

from typing import NamedTuple

from understudy.domain import workspaces as rules
from understudy.domain.errors import (
    InvalidParameterValuesException,
    InvalidResourceStateException,
    OperationInProgressException,
    OperationNotSupportedException,
    Refused,
    ResourceLimitExceededException,
    ResourceNotFoundException,
    ResourceUnavailableException,
)
from understudy.domain.outages import shown_state
from understudy.domain.resources import LEAVING, user_claim
from understudy.operations import paging, standby
from understudy.operations.bundles import find_bundle
from understudy.operations.context import Context, Handler
from understudy.operations.images import migration_problem
from understudy.operations.tags import tag_problem

_KIND = "workspace"
_SNAPSHOT_INTERVAL = 12 * 3600  # WorkSpaces snapshots root and user volumes every 12 hours [AWS, admin guide]


def _failed(request: dict, code: str, message: str) -> dict:
    return {"WorkspaceRequest": request, "ErrorCode": code, "ErrorMessage": message}


class _Found(NamedTuple):
    directory: dict
    bundle: dict


def _create_problem(ctx: Context, item: dict, claimed: set) -> Refused | _Found:
    """What the item needs (its directory and bundle), or why it fails."""
    directory = ctx.tx.get("directory", item["DirectoryId"])
    if directory is None:
        return Refused("ResourceNotFound.Directory",
                       "The specified directory could not be found in the specified region.")
    if directory.get("State") != "REGISTERED":
        return Refused("InvalidResourceState.Directory", f"The directory {item['DirectoryId']} is not registered yet.")
    bundle = find_bundle(ctx.tx, item["BundleId"])
    if bundle is None:
        return Refused("ResourceNotFound.Bundle", f"The bundle {item['BundleId']} could not be found in this Region.")
    user = (item["DirectoryId"], item["UserName"].lower())
    if user in claimed or ctx.tx.held(user_claim(item["DirectoryId"], item["UserName"])):
        return Refused("ResourceExists.WorkSpace", "A WorkSpace already exists for the specified user.")
    props = item.get("WorkspaceProperties", {})
    if props.get("RunningMode", "ALWAYS_ON") == "ALWAYS_ON" and "RunningModeAutoStopTimeoutInMinutes" in props:
        return Refused("AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace",
                       "RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace with running mode set to "
                       "ALWAYS_ON.")
    problem = tag_problem(item.get("Tags", []))
    if problem:
        return Refused("InvalidParameterValues.Tags", problem)
    claimed.add(user)
    return _Found(directory, bundle)


def new_workspace(ctx: Context, *, directory: dict, bundle: dict, user_name: str, properties: dict,
                  **optional: object) -> dict:
    """A WorkSpace being provisioned now in this scope, in `directory` from `bundle` (both already read)."""
    return rules.new_workspace(directory_id=directory["DirectoryId"], subnet_ids=directory.get("SubnetIds"),
                               user_name=user_name, bundle=bundle, properties=properties, now=ctx.now,
                               provision_seconds=ctx.duration("workspace.provision"), **optional)


def create_workspaces(ctx: Context, request: dict) -> dict:
    items = request["Workspaces"]
    # Standby WorkSpaces have a quota of their own and do not count here [CHOSEN].
    if ctx.tx.total(_KIND, for_quota=True) - ctx.tx.total(_KIND, "standby") + len(items) > ctx.quota("workspaces"):
        raise ResourceLimitExceededException("Your request would exceed the WorkSpaces quota of this account and "
                                             f"Region ({ctx.quota('workspaces')}).")
    pending, failed, claimed = [], [], set[tuple[str, str]]()
    for item in items:
        found = _create_problem(ctx, item, claimed)
        if isinstance(found, Refused):
            failed.append(_failed(item, *found))
            continue
        doc = new_workspace(ctx, directory=found.directory, bundle=found.bundle, user_name=item["UserName"],
                            properties=item.get("WorkspaceProperties", {}),
                            **{k: item[k] for k in rules.OPTIONAL_FIELDS if k in item})
        ctx.tx.insert(_KIND, doc)
        ctx.tx.put_tags(doc["WorkspaceId"], {t["Key"]: t.get("Value", "") for t in item.get("Tags", [])})
        ctx.tx.schedule(_KIND, doc["WorkspaceId"], "PENDING", "AVAILABLE", ctx.duration("workspace.provision"))
        pending.append(present(ctx, doc))
    return {"FailedRequests": failed, "PendingRequests": pending}


def present(ctx: Context, doc: dict) -> dict:
    """A WorkSpace as Describe shows it: its stored fields plus what is computed live."""
    out = dict(doc, State=shown_state(doc["State"], ctx.tx.outage() is not None))
    if doc["State"] == "UPDATING" and doc.get("_Modifying"):
        out["ModificationStates"] = [{"Resource": r, "State": "UPDATE_IN_PROGRESS"} for r in doc["_Modifying"]]
    out.update(standby.relationship(ctx, doc))
    return out


def describe_workspaces(ctx: Context, request: dict) -> dict:
    filters = [k for k in ("WorkspaceIds", "DirectoryId", "BundleId", "WorkspaceName") if k in request]
    if len(filters) > 1:
        raise InvalidParameterValuesException("You can specify only one filter: " + " or ".join(filters) + ".")
    if "UserName" in request and "DirectoryId" not in request:
        raise InvalidParameterValuesException("The UserName filter requires the DirectoryId filter.")
    if "WorkspaceIds" in request:
        docs, token = ctx.tx.get_many(_KIND, list(dict.fromkeys(request["WorkspaceIds"]))), None
    else:
        docs, token = paging.page(ctx.tx, _KIND, limit=request.get("Limit", 25), next_token=request.get("NextToken"),
                                  id_key="WorkspaceId", directory_id=request.get("DirectoryId"),
                                  user_name=request.get("UserName"), bundle_id=request.get("BundleId"),
                                  label=request.get("WorkspaceName"))
    return {"Workspaces": [present(ctx, d) for d in docs], "NextToken": token}


def _act(ctx: Context, action: str, workspace_id: str, *, standby_allowed: bool = True) -> Refused | None:
    """Starts `action` on one WorkSpace; returns why when it cannot."""
    doc = ctx.tx.get(_KIND, workspace_id, for_update=True)
    if doc is None:
        return rules.failure("not_found", id=workspace_id)
    if not standby_allowed and standby.is_standby(doc):
        return rules.failure("standby", id=workspace_id)
    if action == "TerminateWorkspaces" and doc["State"] in LEAVING:
        return None  # already on its way out: terminating again changes nothing
    refused = rules.refusal(action, {**doc, "State": shown_state(doc["State"], ctx.tx.outage() is not None)})
    if refused:
        return refused
    _start_action(ctx, action, doc)
    return None


def _start_action(ctx: Context, action: str, doc: dict) -> None:
    rule = rules.ACTIONS[action]
    settles_to = rule.settles_to or doc["State"]
    ctx.tx.cancel_transitions(_KIND, doc["WorkspaceId"])
    doc["State"] = rule.transient
    ctx.tx.update(_KIND, doc)
    wid, delay = doc["WorkspaceId"], ctx.duration(rule.duration)
    ctx.tx.schedule(_KIND, wid, rule.transient, settles_to, delay)
    if action == "TerminateWorkspaces":
        ctx.tx.schedule(_KIND, wid, "TERMINATED", rules.AFTER_TERMINATED,
                        delay + ctx.duration("workspace.terminated_shown"))


def _batch(ctx: Context, action: str, items: list[dict], *, standby_allowed: bool = True) -> dict:
    failed = []
    for item in items:
        if "WorkspaceId" not in item:
            # StartRequest and StopRequest leave WorkspaceId optional in the model, so the validator lets an
            # empty item through; it fails alone, like any other bad item of the batch [CHOSEN; found by fuzzing].
            failed.append({"ErrorCode": "InvalidParameterValuesException", "ErrorMessage": "WorkspaceId is required."})
            continue
        refused = _act(ctx, action, item["WorkspaceId"], standby_allowed=standby_allowed)
        if refused:
            failed.append({"WorkspaceId": item["WorkspaceId"], "ErrorCode": refused.code,
                           "ErrorMessage": refused.message})
    return {"FailedRequests": failed}


def start_workspaces(ctx: Context, request: dict) -> dict:
    return _batch(ctx, "StartWorkspaces", request["StartWorkspaceRequests"])


def stop_workspaces(ctx: Context, request: dict) -> dict:
    return _batch(ctx, "StopWorkspaces", request["StopWorkspaceRequests"])


def reboot_workspaces(ctx: Context, request: dict) -> dict:
    return _batch(ctx, "RebootWorkspaces", request["RebootWorkspaceRequests"])


def rebuild_workspaces(ctx: Context, request: dict) -> dict:
    # A standby cannot be rebuilt [AWS, MRR guide]; in a batch call that is a failed item [CHOSEN].
    return _batch(ctx, "RebuildWorkspaces", request["RebuildWorkspaceRequests"], standby_allowed=False)


def terminate_workspaces(ctx: Context, request: dict) -> dict:
    result = _batch(ctx, "TerminateWorkspaces", request["TerminateWorkspaceRequests"])
    for item in request["TerminateWorkspaceRequests"]:
        standby.on_terminate(ctx, item["WorkspaceId"])
    return result



def restore_workspace(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["WorkspaceId"])
    if standby.is_standby(doc):
        raise OperationNotSupportedException("A standby WorkSpace cannot be restored.", reason="STANDBY_WORKSPACE")
    refused = rules.refusal("RestoreWorkspace", doc)
    if refused:
        raise OperationNotSupportedException(refused.message)
    _start_action(ctx, "RestoreWorkspace", doc)
    return {}


def modify_workspace_state(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["WorkspaceId"])
    if doc["State"] not in rules.MAINTENANCE_STATES:
        raise InvalidResourceStateException(f"The WorkSpace {doc['WorkspaceId']} is in state {doc['State']}; its "
                                            "state can change only between AVAILABLE and ADMIN_MAINTENANCE.")
    doc["State"] = request["WorkspaceState"]
    ctx.tx.update(_KIND, doc)
    return {}


def _changed_resources(current: dict, wanted: dict) -> list[str]:
    changed = []
    if "RootVolumeSizeGib" in wanted and wanted["RootVolumeSizeGib"] != current.get("RootVolumeSizeGib"):
        changed.append("ROOT_VOLUME")
    if "UserVolumeSizeGib" in wanted and wanted["UserVolumeSizeGib"] != current.get("UserVolumeSizeGib"):
        changed.append("USER_VOLUME")
    if "ComputeTypeName" in wanted and wanted["ComputeTypeName"] != current.get("ComputeTypeName"):
        changed.append("COMPUTE_TYPE")
    if "Protocols" in wanted and wanted["Protocols"] != current.get("Protocols"):
        changed.append("PROTOCOL")
    return changed


def _check_property_change(current: dict, wanted: dict, changed: list[str]) -> None:
    """Rules of https://docs.aws.amazon.com/workspaces/latest/adminguide/modify-workspaces.html."""
    if "COMPUTE_TYPE" in changed and {"ROOT_VOLUME", "USER_VOLUME"} & set(changed):
        raise InvalidParameterValuesException("You can't change the compute type and the volume size of a WorkSpace "
                                              "in the same request.")
    for key in ("RootVolumeSizeGib", "UserVolumeSizeGib"):
        if key in wanted and wanted[key] < current.get(key, 0):
            raise InvalidParameterValuesException(f"{key} can only be increased (from {current.get(key)}).")
    mode = wanted.get("RunningMode", current.get("RunningMode"))
    if mode == "ALWAYS_ON" and "RunningModeAutoStopTimeoutInMinutes" in wanted:
        raise InvalidParameterValuesException("RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace "
                                              "with running mode set to ALWAYS_ON.")
    timeout = wanted.get("RunningModeAutoStopTimeoutInMinutes")
    if timeout is not None and timeout % 60:
        raise InvalidParameterValuesException("RunningModeAutoStopTimeoutInMinutes must be a multiple of 60.")


def modify_workspace_properties(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["WorkspaceId"])
    if "DataReplication" in request:
        return standby.modify_data_replication(ctx, doc, request)
    if "WorkspaceProperties" not in request:
        raise InvalidParameterValuesException("Give WorkspaceProperties or DataReplication.")
    if standby.is_standby(doc):
        raise OperationNotSupportedException("A standby WorkSpace cannot be modified.", reason="STANDBY_WORKSPACE")
    if doc["State"] == "UPDATING":
        raise OperationInProgressException("The properties of this WorkSpace are currently under modification. "
                                           "Please try again in a moment.")
    if doc["State"] not in rules.ACTIONS["ModifyWorkspaceProperties"].allowed_from:
        raise InvalidResourceStateException(f"The WorkSpace {doc['WorkspaceId']} is in state {doc['State']}; it "
                                            "can be modified only when AVAILABLE or STOPPED.")
    current, wanted = doc["WorkspaceProperties"], request["WorkspaceProperties"]
    changed = _changed_resources(current, wanted)
    _check_property_change(current, wanted, changed)
    current.update(wanted)
    if wanted.get("RunningMode") == "AUTO_STOP":
        current.setdefault("RunningModeAutoStopTimeoutInMinutes", 60)
    if current.get("RunningMode") == "ALWAYS_ON":
        current.pop("RunningModeAutoStopTimeoutInMinutes", None)
    if changed:
        doc["_Modifying"] = changed
        _start_action(ctx, "ModifyWorkspaceProperties", doc)
    else:
        ctx.tx.update(_KIND, doc)
    return {}


def describe_workspaces_connection_status(ctx: Context, request: dict) -> dict:
    if "WorkspaceIds" in request:
        docs, token = ctx.tx.get_many(_KIND, request["WorkspaceIds"]), None
    else:
        docs, token = paging.page(ctx.tx, _KIND, limit=25, next_token=request.get("NextToken"), id_key="WorkspaceId")
    # No user sessions are simulated, so nobody is ever connected [CHOSEN, BEHAVIOUR.md].
    return {"WorkspacesConnectionStatus": [
        {"WorkspaceId": d["WorkspaceId"], "ConnectionState": "DISCONNECTED" if d["State"] == "AVAILABLE" else "UNKNOWN",
         "ConnectionStateCheckTimestamp": ctx.now} for d in docs
    ], "NextToken": token}


def describe_workspace_snapshots(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["WorkspaceId"])
    first: float = doc["_ProvisionedAt"] if "_ProvisionedAt" in doc else doc.get("_CreatedAt", ctx.now)
    if ctx.now < first:
        return {"RebuildSnapshots": [], "RestoreSnapshots": []}
    latest = first + ((ctx.now - first) // _SNAPSHOT_INTERVAL) * _SNAPSHOT_INTERVAL
    # [CHOSEN] the first snapshot is taken when provisioning completes, then one every 12 hours;
    # rebuild and restore both offer the latest.
    return {"RebuildSnapshots": [{"SnapshotTime": latest}], "RestoreSnapshots": [{"SnapshotTime": latest}]}


def migrate_workspace(ctx: Context, request: dict) -> dict:
    """A new WorkSpace (new id, same user and directory) from the target bundle, keeping the user volume, while the
    source is terminated [AWS, https://docs.aws.amazon.com/workspaces/latest/adminguide/migrate-workspaces.html].

    A standby cannot be migrated (BEHAVIOUR.md). [CHOSEN] The source must be AVAILABLE or STOPPED (while it is being
    modified: OperationInProgressException; else ResourceUnavailableException, both declared), and the new WorkSpace
    keeps its running mode, user volume size, name, encryption settings and tags.
    """
    doc = ctx.require(_KIND, request["SourceWorkspaceId"])
    wid, props = doc["WorkspaceId"], doc["WorkspaceProperties"]
    if standby.is_standby(doc):
        raise OperationNotSupportedException("A standby WorkSpace cannot be migrated.", reason="STANDBY_WORKSPACE")
    if doc["State"] == "UPDATING":
        raise OperationInProgressException("The properties of this WorkSpace are currently under modification. "
                                           "Please try again in a moment.")
    if doc["State"] not in ("AVAILABLE", "STOPPED"):
        raise ResourceUnavailableException(f"The WorkSpace {wid} is {doc['State']}; it can be migrated only when "
                                           "AVAILABLE or STOPPED.", resource_id=wid)
    bundle = find_bundle(ctx.tx, request["BundleId"])
    if bundle is None or bundle.get("BundleType") == "STANDBY":
        raise ResourceNotFoundException(f"The bundle {request['BundleId']} could not be found.",
                                        resource_id=request["BundleId"])
    if bundle["BundleId"] == doc["BundleId"]:  # [AWS, migrate-linux-workspaces.html]
        raise InvalidParameterValuesException(f"The WorkSpace {wid} already uses the bundle {bundle['BundleId']}.")
    problem = migration_problem(props.get("OperatingSystemName", "UNKNOWN"), bundle.get("_OperatingSystem", "UNKNOWN"))
    if problem:
        raise OperationNotSupportedException(problem)
    kept = ("RunningMode", "RunningModeAutoStopTimeoutInMinutes", "UserVolumeSizeGib")
    directory = ctx.tx.get("directory", doc["DirectoryId"]) or {"DirectoryId": doc["DirectoryId"]}
    target = new_workspace(ctx, directory=directory, bundle=bundle, user_name=doc["UserName"],
                           properties={k: props[k] for k in kept if k in props},
                           **{k: doc[k] for k in ("WorkspaceName", "VolumeEncryptionKey", "UserVolumeEncryptionEnabled",
                                                  "RootVolumeEncryptionEnabled") if k in doc})
    # The source starts terminating first: that hands its user over (one live WorkSpace per user and directory).
    _start_action(ctx, "TerminateWorkspaces", doc)
    standby.on_terminate(ctx, wid)
    ctx.tx.insert(_KIND, target)
    ctx.tx.put_tags(target["WorkspaceId"], ctx.tx.tags(wid))
    ctx.tx.schedule(_KIND, target["WorkspaceId"], "PENDING", "AVAILABLE", ctx.duration("workspace.migrate"))
    return {"SourceWorkspaceId": wid, "TargetWorkspaceId": target["WorkspaceId"]}


OPERATIONS: dict[str, Handler] = {
    "CreateWorkspaces": create_workspaces,
    "DescribeWorkspaces": describe_workspaces,
    "TerminateWorkspaces": terminate_workspaces,
    "StartWorkspaces": start_workspaces,
    "StopWorkspaces": stop_workspaces,
    "RebootWorkspaces": reboot_workspaces,
    "RebuildWorkspaces": rebuild_workspaces,
    "RestoreWorkspace": restore_workspace,
    "ModifyWorkspaceState": modify_workspace_state,
    "ModifyWorkspaceProperties": modify_workspace_properties,
    "DescribeWorkspacesConnectionStatus": describe_workspaces_connection_status,
    "DescribeWorkspaceSnapshots": describe_workspace_snapshots,
    "MigrateWorkspace": migrate_workspace,
}
