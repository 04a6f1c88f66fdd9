"""WorkSpaces: create, describe, the lifecycle actions (start, stop, reboot, rebuild, restore,
terminate), state and property changes, connection status and snapshots.

Batch operations report per-item problems in their failed list with HTTP 200; only whole-request
problems raise [AWS]. State rules live in domain/workspaces.py as tables.
"""

from typing import NamedTuple

from understudy.domain import families
from understudy.domain import workspaces as rules
from understudy.domain.errors import (
    DIRECTORY_NOT_FOUND,
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
from understudy.operations.tags import as_dict, tag_problem

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
        return Refused("ResourceNotFound.Directory", DIRECTORY_NOT_FOUND)
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
    refused = _create_properties_problem(props, bundle)
    if refused:
        return refused
    problem = tag_problem(item.get("Tags", []))
    if problem:
        return Refused("InvalidParameterValues.Tags", problem)
    claimed.add(user)
    return _Found(directory, bundle)


def _create_properties_problem(props: dict, bundle: dict) -> Refused | None:
    """The volume and auto-stop rules ModifyWorkspaceProperties keeps, at creation, against the bundle: volumes at
    least the bundle's, an allowed pair, at most 2000 GB each [AWS, modify-workspaces.html]; a timeout in whole
    hours [AWS, the API reference of WorkspaceProperties]. AWS documents no per-item code for these: the codes
    are ours, in AWS's dotted style [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"]."""
    smallest = {"RootVolumeSizeGib": int(bundle["RootStorage"]["Capacity"]),
                "UserVolumeSizeGib": int(bundle["UserStorage"]["Capacity"])}
    sizes = {key: props.get(key, least) for key, least in smallest.items()}
    for key, least in smallest.items():
        if sizes[key] < least:
            return Refused("InvalidParameterValues.VolumeSize",
                           f"{key} {sizes[key]} is smaller than the bundle's {least} GB.")
    problem = rules.volume_problem(sizes["RootVolumeSizeGib"], sizes["UserVolumeSizeGib"])
    if problem:
        return Refused("InvalidParameterValues.VolumeSize", problem)
    timeout = props.get("RunningModeAutoStopTimeoutInMinutes")
    if timeout is not None and timeout % 60:
        return Refused("InvalidParameterValues.RunningModeAutoStopTimeoutInMinutes",
                       "RunningModeAutoStopTimeoutInMinutes must be a multiple of 60.")
    return None


def new_workspace(ctx: Context, *, directory: dict, bundle: dict, user_name: str, properties: dict,
                  **optional: object) -> dict:
    """A WorkSpace being provisioned now in this scope, in `directory` from `bundle` (both already read)."""
    return rules.new_workspace(directory_id=directory["DirectoryId"], subnet_ids=directory.get("SubnetIds"),
                               user_name=user_name, bundle=bundle, properties=properties, now=ctx.now,
                               provision_seconds=ctx.duration(families.WORKSPACE_PROVISION), **optional)


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
        ctx.tx.put_tags(doc["WorkspaceId"], as_dict(item.get("Tags", [])))
        ctx.tx.schedule(_KIND, doc["WorkspaceId"], "PENDING", "AVAILABLE", ctx.duration(families.WORKSPACE_PROVISION))
        shown = present(ctx, doc)
        # [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"] the CLI's create-workspaces example shows no
        # ModificationStates in PendingRequests; Describe shows it, empty, on an idle WorkSpace.
        shown.pop("ModificationStates", None)
        pending.append(shown)
    return {"FailedRequests": failed, "PendingRequests": pending}


def present(ctx: Context, doc: dict) -> dict:
    """A WorkSpace as Describe shows it: its stored fields plus what is computed live."""
    out = rules.shown(doc, region_out=ctx.tx.outage() is not None, now=ctx.now, profile=ctx.tx.timing)
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
                                  id_key="WorkspaceId", DirectoryId=request.get("DirectoryId"),
                                  UserName=request.get("UserName"), BundleId=request.get("BundleId"),
                                  WorkspaceName=request.get("WorkspaceName"))
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
                        delay + ctx.duration(families.WORKSPACE_TERMINATED_SHOWN))
        _abandon_migration(ctx, doc)


def _abandon_migration(ctx: Context, target: dict) -> None:
    """A migration's target terminated before the migration ended: the source is kept, as it was, and is no longer
    terminated [AWS, migrate-workspaces.html: when a migration fails "the original WorkSpace is recovered and
    returned to its original state, and the new WorkSpace is terminated"]."""
    source_id = target.get("_MigratingFrom")
    source = ctx.tx.get(_KIND, source_id, for_update=True) if source_id else None
    if source is None or source.get("_MigratingTo") != target["WorkspaceId"] or not rules.migrating(source):
        return
    ctx.tx.cancel_transitions(_KIND, source["WorkspaceId"])
    del source["_MigratingTo"]
    ctx.tx.update(_KIND, source)  # it holds its user again: the target, TERMINATING, has given it up


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
    if rules.migrating(doc):
        raise InvalidResourceStateException(f"The WorkSpace {doc['WorkspaceId']} is being migrated.")
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


def _check_property_change(ctx: Context, doc: dict, wanted: dict, changed: list[str]) -> None:
    """Rules of https://docs.aws.amazon.com/workspaces/latest/adminguide/modify-workspaces.html.

    Of the errors the model declares for ModifyWorkspaceProperties, volume sizes and pairs that break the rules are
    InvalidParameterValuesException, and a volume change within the 6-hour cool-down InvalidResourceStateException
    (the request is right, the WorkSpace cannot take it yet) [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"].
    """
    current = doc["WorkspaceProperties"]
    volumes = {"ROOT_VOLUME", "USER_VOLUME"} & set(changed)
    if "COMPUTE_TYPE" in changed and volumes:
        raise InvalidParameterValuesException("You can't change the compute type and the volume size of a WorkSpace "
                                              "in the same request.")
    for key in ("RootVolumeSizeGib", "UserVolumeSizeGib"):
        if key in wanted and wanted[key] < current.get(key, 0):
            raise InvalidParameterValuesException(f"{key} can only be increased (from {current.get(key)}).")
    if len(volumes) == 2:
        raise InvalidParameterValuesException("You can't increase the root volume and the user volume of a WorkSpace "
                                              "at the same time.")
    if volumes:
        problem = rules.volume_problem(wanted.get("RootVolumeSizeGib", current.get("RootVolumeSizeGib", 0)),
                                       wanted.get("UserVolumeSizeGib", current.get("UserVolumeSizeGib", 0)))
        if problem:
            raise InvalidParameterValuesException(problem)
    mode = wanted.get("RunningMode", current.get("RunningMode"))
    if mode == "ALWAYS_ON" and "RunningModeAutoStopTimeoutInMinutes" in wanted:
        raise InvalidParameterValuesException("RunningModeAutoStopTimeoutInMinutes is not applicable for WorkSpace "
                                              "with running mode set to ALWAYS_ON.")
    timeout = wanted.get("RunningModeAutoStopTimeoutInMinutes")
    if timeout is not None and timeout % 60:
        raise InvalidParameterValuesException("RunningModeAutoStopTimeoutInMinutes must be a multiple of 60.")
    # A millisecond of slack: the clock's seconds are floats, and 6 hours later must be exactly on time.
    if volumes and ctx.now + 0.001 < rules.volumes_changeable_at(doc):
        raise InvalidResourceStateException(
            f"The volumes of the WorkSpace {doc['WorkspaceId']} were created or last changed less than 6 hours ago; "
            f"they can be changed again in {int(rules.volumes_changeable_at(doc) - ctx.now) + 1} seconds.")


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
    if rules.migrating(doc):
        raise InvalidResourceStateException(f"The WorkSpace {doc['WorkspaceId']} is being migrated.")
    if doc["State"] not in rules.ACTIONS["ModifyWorkspaceProperties"].allowed_from:
        raise InvalidResourceStateException(f"The WorkSpace {doc['WorkspaceId']} is in state {doc['State']}; it "
                                            "can be modified only when AVAILABLE or STOPPED.")
    current, wanted = doc["WorkspaceProperties"], request["WorkspaceProperties"]
    changed = _changed_resources(current, wanted)
    _check_property_change(ctx, doc, wanted, changed)
    if {"ROOT_VOLUME", "USER_VOLUME"} & set(changed):
        # The cool-down counts from the request [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"].
        doc["_VolumesChangedAt"] = ctx.now
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
    # Sessions come from the control plane's sign-ins (docs/standby.md "The user's side: sign-ins, DNS failover,
    # AutoStop"): CONNECTED while a user's session lasts on an AVAILABLE WorkSpace, and the last sign-in's time
    # kept after it ends [AWS fields]; a WorkSpace that is not AVAILABLE shows UNKNOWN [CHOSEN].
    region_out = ctx.tx.outage() is not None
    sessions = ctx.tx.connections([d["WorkspaceId"] for d in docs])
    statuses = []
    for d in docs:
        available = shown_state(d["State"], region_out) == "AVAILABLE"
        session = sessions.get(d["WorkspaceId"])
        status = {"WorkspaceId": d["WorkspaceId"], "ConnectionStateCheckTimestamp": ctx.now,
                  "ConnectionState": "UNKNOWN" if not available else
                  "CONNECTED" if session and session["ended_at"] is None else "DISCONNECTED"}
        if session:
            status["LastKnownUserConnectionTimestamp"] = session["since"]
        statuses.append(status)
    return {"WorkspacesConnectionStatus": statuses, "NextToken": token}


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
    """A new WorkSpace (new id, same user and directory) from the target bundle, keeping the user volume; the source
    is terminated once the migration has finished [AWS, https://docs.aws.amazon.com/workspaces/latest/adminguide/
    migrate-workspaces.html: "If an error occurs ..., the original WorkSpace is recovered and returned to its
    original state"]. Until then the source shows its state as it was and takes no other action, and it has handed
    its user over to the target [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"].

    A standby cannot be migrated [AWS, docs/standby.md "What a standby refuses"]. [CHOSEN] The source must be
    AVAILABLE or STOPPED (while it is being modified: OperationInProgressException; else ResourceUnavailableException,
    both declared), and the new WorkSpace keeps its running mode, user volume size, name, encryption settings and tags.
    """
    doc = ctx.require(_KIND, request["SourceWorkspaceId"])
    wid, props = doc["WorkspaceId"], doc["WorkspaceProperties"]
    if standby.is_standby(doc):
        raise OperationNotSupportedException("A standby WorkSpace cannot be migrated.", reason="STANDBY_WORKSPACE")
    if doc["State"] == "UPDATING":
        raise OperationInProgressException("The properties of this WorkSpace are currently under modification. "
                                           "Please try again in a moment.")
    if rules.migrating(doc):
        raise OperationInProgressException(f"The WorkSpace {wid} is already being migrated.")
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
    kept = {k: props[k] for k in ("RunningMode", "RunningModeAutoStopTimeoutInMinutes", "UserVolumeSizeGib")
            if k in props}
    # The user volume is kept, grown to the bundle's when it makes no allowed pair with the target's root volume
    # (50 GB beside 175 GB) [CHOSEN, docs/workspaces.md "Fidelity of WorkSpaces"].
    if "UserVolumeSizeGib" in kept and rules.volume_problem(int(bundle["RootStorage"]["Capacity"]),
                                                            kept["UserVolumeSizeGib"]):
        kept["UserVolumeSizeGib"] = max(kept["UserVolumeSizeGib"], int(bundle["UserStorage"]["Capacity"]))
    directory = ctx.tx.get("directory", doc["DirectoryId"]) or {"DirectoryId": doc["DirectoryId"]}
    target = new_workspace(ctx, directory=directory, bundle=bundle, user_name=doc["UserName"], properties=kept,
                           **{k: doc[k] for k in ("WorkspaceName", "VolumeEncryptionKey", "UserVolumeEncryptionEnabled",
                                                  "RootVolumeEncryptionEnabled") if k in doc})
    target["_MigratingFrom"] = wid
    # The source hands its user over first (one live WorkSpace per user and directory), and stays as it is.
    ctx.tx.cancel_transitions(_KIND, wid)
    doc["_MigratingTo"] = target["WorkspaceId"]
    ctx.tx.update(_KIND, doc)
    ctx.tx.insert(_KIND, target)
    ctx.tx.put_tags(target["WorkspaceId"], ctx.tx.tags(wid))
    migrated = ctx.duration(families.WORKSPACE_MIGRATE)
    ctx.tx.schedule(_KIND, target["WorkspaceId"], "PENDING", "AVAILABLE", migrated)
    # When the target is AVAILABLE, the source is terminated as TerminateWorkspaces would: TERMINATING, TERMINATED,
    # then gone. Nothing else moves it meanwhile (`rules.migrating` refuses every action on it).
    terminated = migrated + ctx.duration(families.WORKSPACE_TERMINATE)
    ctx.tx.schedule(_KIND, wid, doc["State"], "TERMINATING", migrated)
    ctx.tx.schedule(_KIND, wid, "TERMINATING", "TERMINATED", terminated)
    ctx.tx.schedule(_KIND, wid, "TERMINATED", rules.AFTER_TERMINATED,
                    terminated + ctx.duration(families.WORKSPACE_TERMINATED_SHOWN))
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
