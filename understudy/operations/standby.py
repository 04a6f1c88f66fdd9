"""Standby WorkSpaces: CreateStandbyWorkspaces, the live primary-standby relationship, and data replication.

CreateStandbyWorkspaces runs in the standby Region S and reads the primary in `PrimaryRegion` P of
the same account, through `tx.in_region`, the one door between Regions. The pair is stored as a
reference on each side (`_Standbys` on the primary, `_Primary` on the standby); what Describe shows
of the other side (its state, replication) is read live from it at every call.
"""

from typing import NamedTuple

from understudy.domain import families
from understudy.domain import standby as rules
from understudy.domain import workspaces as rules_ws
from understudy.domain.errors import (
    InvalidParameterValuesException,
    OperationNotSupportedException,
    Refused,
    ResourceLimitExceededException,
    UnsupportedWorkspaceConfigurationException,
)
from understudy.domain.outages import shown_state
from understudy.domain.resources import LEAVING, standby_claim
from understudy.operations.context import Context, Handler, Transaction
from understudy.operations.tags import as_dict, tag_problem

_KIND = "workspace"


def is_standby(doc: dict) -> bool:
    return "_Primary" in doc


def _live(tx: Transaction, ref: dict) -> dict | None:
    """The WorkSpace a pair reference points at, or None when it is gone."""
    return tx.in_region(ref["Region"]).get(_KIND, ref["WorkspaceId"])


def _state(ctx: Context, ref: dict, doc: dict) -> str:
    """The other side's state as its own Region shows it: UNHEALTHY while that Region is out."""
    return shown_state(doc["State"], ctx.tx.outage(ref["Region"]) is not None)


def _replication(ctx: Context, standby_doc: dict) -> dict:
    return rules.replication_view(standby_doc, ctx.now, ctx.tx.timing)


def other_side(doc: dict | None) -> tuple[str, str, str] | None:
    """The Region, kind and id of the one WorkSpace `relationship` reads for `doc` (the other side of its
    pair), or None when it reads none or several: what a by-id read may have read ahead (gateway._run)."""
    if doc is None:
        return None
    refs = [doc["_Primary"]] if is_standby(doc) else doc.get("_Standbys", [])
    return (refs[0]["Region"], _KIND, refs[0]["WorkspaceId"]) if len(refs) == 1 else None


def relationship(ctx: Context, doc: dict) -> dict:
    """RelatedWorkspaces and the replication fields of a WorkSpace, read live from the other side.

    `Type` names the other WorkSpace's role: AWS's Cost Optimizer finds standbys by an entry of
    Type PRIMARY (docs/evidence.md "Related WorkSpaces").
    """
    if is_standby(doc):
        primary = _live(ctx.tx, doc["_Primary"])
        if primary is None:
            return {}
        return {"RelatedWorkspaces": [{**doc["_Primary"], "State": _state(ctx, doc["_Primary"], primary),
                                       "Type": "PRIMARY"}]}
    related, properties = [], []
    for ref in doc.get("_Standbys", []):
        other = _live(ctx.tx, ref)
        if other is None:
            continue
        related.append({**ref, "State": _state(ctx, ref, other), "Type": "STANDBY"})
        properties.append({"StandbyWorkspaceId": ref["WorkspaceId"], **_replication(ctx, other)})
    return {"RelatedWorkspaces": related, "StandbyWorkspacesProperties": properties} if related else {}


def _check_request(ctx: Context, request: dict) -> None:
    here, primary_region = ctx.scope.region, request["PrimaryRegion"]
    if primary_region == here:
        raise InvalidParameterValuesException("PrimaryRegion must differ from the Region of the standby WorkSpaces "
                                              f"(the Region this request is sent to, {here}).")
    if not ctx.settings.serves_region(primary_region):
        raise InvalidParameterValuesException(f"PrimaryRegion {primary_region} is not a WorkSpaces Region.")
    for region in (here, primary_region):
        if region not in ctx.settings.mrr_regions:
            raise OperationNotSupportedException(
                f"Multi-Region Resilience is not available in {region}; it is available in "
                f"{', '.join(ctx.settings.mrr_regions)}.", reason="UNSUPPORTED_REGION")
    items = request["StandbyWorkspaces"]
    if not 1 <= len(items) <= rules.MAX_BATCH:
        raise InvalidParameterValuesException(f"StandbyWorkspaces must hold 1 to {rules.MAX_BATCH} items.")
    if ctx.tx.total(_KIND, "standby", for_quota=True) + len(items) > ctx.quota("standby_workspaces"):
        raise ResourceLimitExceededException("Your request would exceed the standby WorkSpaces quota of this account "
                                             f"and Region ({ctx.quota('standby_workspaces')}).")


class _Found(NamedTuple):
    primary: dict
    directory: dict


def _item_problem(ctx: Context, item: dict, primary_region: str) -> Refused | _Found:
    """The item's primary (read for update) and standby directory, or why it fails."""
    primary_tx = ctx.tx.in_region(primary_region)
    pid = item["PrimaryWorkspaceId"]
    primary = primary_tx.get(_KIND, pid, for_update=True)
    if primary is None or primary["State"] in LEAVING:
        return rules.failure("primary_not_found", id=pid, region=primary_region)
    directory = ctx.tx.get("directory", item["DirectoryId"])
    if directory is None or directory.get("State") != "REGISTERED":
        return rules.failure("directory_not_found")
    if is_standby(primary):
        return rules.failure("primary_is_standby", id=pid)
    # A primary named twice in one request finds the claim its first item took, so the second fails here too.
    if ctx.tx.held(standby_claim(primary_region, pid)):
        return rules.failure("exists", id=pid, region=ctx.scope.region)
    if primary["State"] not in ("AVAILABLE", "STOPPED"):
        return rules.failure("state", id=pid, state=primary["State"])
    unsupported = rules.unsupported_configuration(primary.get("WorkspaceProperties", {}))
    if unsupported:
        return rules.failure("configuration", id=pid, what=unsupported)
    encrypted = primary.get("RootVolumeEncryptionEnabled") or primary.get("UserVolumeEncryptionEnabled")
    if encrypted and not item.get("VolumeEncryptionKey"):
        return rules.failure("encryption_key", id=pid)
    if item.get("DataReplication") == "PRIMARY_AS_SOURCE":
        primary_dir = primary_tx.get("directory", primary["DirectoryId"]) or {}
        if "SIMPLE_AD" in (directory.get("DirectoryType"), primary_dir.get("DirectoryType")):
            return rules.failure("simple_ad")
    problem = tag_problem(item.get("Tags", []))
    if problem:
        return rules.failure("tags", problem=problem)
    return _Found(primary, directory)


def _standby_bundle(ctx: Context, primary: dict) -> dict:
    """The primary's bundle mirrored into this Region, made on first use [AWS: mirrored; CHOSEN: its shape]."""
    bid = rules.standby_bundle_id(ctx.scope.account_id, primary["BundleId"], ctx.scope.region)
    bundle = ctx.tx.get("bundle", bid)
    if bundle is None:
        props = primary["WorkspaceProperties"]
        bundle = ctx.tx.insert("bundle", {
            "BundleId": bid, "Name": f"Standby of {primary['BundleId']}", "Owner": ctx.scope.account_id,
            "Description": f"Mirror of bundle {primary['BundleId']} for standby WorkSpaces",
            "RootStorage": {"Capacity": str(props.get("RootVolumeSizeGib", 80))},
            "UserStorage": {"Capacity": str(props.get("UserVolumeSizeGib", 10))},
            "ComputeType": {"Name": props.get("ComputeTypeName", "STANDARD")},
            "State": "AVAILABLE", "BundleType": "STANDBY", "CreationTime": ctx.now, "LastUpdatedTime": ctx.now,
            "_SourceBundle": primary["BundleId"], "_OperatingSystem": props.get("OperatingSystemName"),
        })
    return bundle


def _new_standby(ctx: Context, item: dict, found: _Found, primary_region: str) -> dict:
    primary = found.primary
    props = {k: v for k, v in primary["WorkspaceProperties"].items()
             if k in ("RootVolumeSizeGib", "UserVolumeSizeGib", "ComputeTypeName", "Protocols", "OperatingSystemName")}
    props.update(RunningMode="AUTO_STOP", RunningModeAutoStopTimeoutInMinutes=60)
    encryption = {}
    if item.get("VolumeEncryptionKey"):
        encryption = {"VolumeEncryptionKey": item["VolumeEncryptionKey"],
                      "RootVolumeEncryptionEnabled": bool(primary.get("RootVolumeEncryptionEnabled")),
                      "UserVolumeEncryptionEnabled": bool(primary.get("UserVolumeEncryptionEnabled"))}
    doc = rules_ws.new_workspace(directory_id=item["DirectoryId"], subnet_ids=found.directory.get("SubnetIds"),
                                 user_name=primary["UserName"], bundle=_standby_bundle(ctx, primary), properties=props,
                                 now=ctx.now, provision_seconds=ctx.duration(families.WORKSPACE_PROVISION),
                                 **encryption)
    mode = item.get("DataReplication", "NO_REPLICATION")
    doc["_Primary"] = {"WorkspaceId": primary["WorkspaceId"], "Region": primary_region}
    doc["_Replication"] = {"mode": mode, "previous": mode, "effective_at": ctx.now}
    return doc


def create_standby_workspaces(ctx: Context, request: dict) -> dict:
    _check_request(ctx, request)
    primary_region = request["PrimaryRegion"]
    primary_tx = ctx.tx.in_region(primary_region)
    pending, failed = [], []
    for item in request["StandbyWorkspaces"]:
        found = _item_problem(ctx, item, primary_region)
        if isinstance(found, Refused):
            failed.append({"StandbyWorkspaceRequest": item, "ErrorCode": found.code, "ErrorMessage": found.message})
            continue
        primary = found.primary
        doc = _new_standby(ctx, item, found, primary_region)
        ctx.tx.insert(_KIND, doc)
        ctx.tx.put_tags(doc["WorkspaceId"], as_dict(item.get("Tags", [])))
        ctx.tx.schedule(_KIND, doc["WorkspaceId"], "PENDING", ctx.settings.standby_provisioned_state,
                        ctx.duration(families.WORKSPACE_PROVISION))
        primary["_Standbys"] = [r for r in primary.get("_Standbys", []) if r["Region"] != ctx.scope.region]
        primary["_Standbys"].append({"WorkspaceId": doc["WorkspaceId"], "Region": ctx.scope.region})
        primary_tx.update(_KIND, primary)
        pending.append({"UserName": doc["UserName"], "DirectoryId": doc["DirectoryId"], "State": doc["State"],
                        "WorkspaceId": doc["WorkspaceId"]})
    return {"FailedStandbyRequests": failed, "PendingStandbyRequests": pending}


def _standbys_of(ctx: Context, doc: dict) -> list[tuple[Transaction, dict]]:
    """(tx of its Region, standby doc) for the standby itself or for every live standby of a primary."""
    if is_standby(doc):
        return [(ctx.tx, doc)]
    pairs = []
    for ref in doc.get("_Standbys", []):
        tx = ctx.tx.in_region(ref["Region"])
        other = tx.get(_KIND, ref["WorkspaceId"], for_update=True)
        if other is not None and other["State"] not in LEAVING:
            pairs.append((tx, other))
    return pairs


def _switch(ctx: Context, tx: Transaction, standby_doc: dict, mode: str, delay: float) -> None:
    shown = _replication(ctx, standby_doc)
    standby_doc["_Replication"] = {"mode": mode, "previous": shown["DataReplication"],
                                   "effective_at": ctx.now + delay,
                                   "last_snapshot": shown.get("RecoverySnapshotTime")}
    tx.update(_KIND, standby_doc)


def modify_data_replication(ctx: Context, doc: dict, request: dict) -> dict:
    """ModifyWorkspaceProperties with DataReplication, on either WorkSpace of a pair [CHOSEN: switches the pair]."""
    if "WorkspaceProperties" in request:
        raise InvalidParameterValuesException("DataReplication cannot be combined with WorkspaceProperties in one "
                                              "request.")
    pairs = _standbys_of(ctx, doc)
    if not pairs:
        raise InvalidParameterValuesException(f"The WorkSpace {doc['WorkspaceId']} has no standby WorkSpace.")
    mode = request["DataReplication"]
    for tx, standby_doc in pairs:
        if mode == "PRIMARY_AS_SOURCE":
            primary = _live(ctx.tx, standby_doc["_Primary"]) or {}
            dirs = [tx.get("directory", standby_doc["DirectoryId"]) or {},
                    ctx.tx.in_region(standby_doc["_Primary"]["Region"]).get("directory", primary.get("DirectoryId", ""))
                    or {}]
            if any(d.get("DirectoryType") == "SIMPLE_AD" for d in dirs):
                raise UnsupportedWorkspaceConfigurationException("Data replication is not supported with Simple AD "
                                                                 "directories.")
        _switch(ctx, tx, standby_doc, mode, ctx.duration(families.REPLICATION_SWITCH))
    return {}


def on_terminate(ctx: Context, workspace_id: str) -> None:
    """Replication stops when either side of a pair is terminated [CHOSEN]; the survivor lives on."""
    doc = ctx.tx.get(_KIND, workspace_id)
    if doc is None or doc["State"] not in LEAVING:
        return
    for tx, standby_doc in ([(ctx.tx, doc)] if is_standby(doc) else _standbys_of(ctx, doc)):
        if standby_doc["_Replication"]["mode"] != "NO_REPLICATION":
            _switch(ctx, tx, standby_doc, "NO_REPLICATION", 0)


OPERATIONS: dict[str, Handler] = {
    "CreateStandbyWorkspaces": create_standby_workspaces,
}
