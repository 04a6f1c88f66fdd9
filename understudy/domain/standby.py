"""Standby WorkSpaces (Multi-Region Resilience): which primaries qualify, and replication's clock.

Sources: the MRR guide (https://docs.aws.amazon.com/workspaces/latest/adminguide/multi-region-resilience.html)
and our choices, docs/standby.md "The rules, and why".
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from understudy.domain import families
from understudy.domain.errors import DIRECTORY_NOT_FOUND, Refused

# Not supported for standby [AWS, MRR guide]: Linux, GPU bundles, GeneralPurpose 4xlarge and 8xlarge.
# Rocky Linux is not named by AWS; it is Linux, so it is refused too [CHOSEN, docs/evidence.md "Standby prerequisites"].
UNSUPPORTED_OS_PREFIXES = ("AMAZON_LINUX", "UBUNTU", "RHEL", "ROCKY")
UNSUPPORTED_COMPUTE_PREFIXES = ("GRAPHICS", "GENERALPURPOSE_4XLARGE", "GENERALPURPOSE_8XLARGE")

MAX_BATCH = 25  # [CHOSEN] the model gives no bound; CreateWorkspaces' 25 is AWS's batch size elsewhere
MAX_TAGS = 50

# Per-item failure codes [CHOSEN codes in AWS's dotted style, docs/evidence.md "Per-item failure codes"].
FAILURES = {
    "primary_not_found": ("ResourceNotFound.WorkSpace",
                          "The primary WorkSpace {id} could not be found in Region {region}."),
    "directory_not_found": ("ResourceNotFound.Directory", DIRECTORY_NOT_FOUND),
    "primary_is_standby": ("InvalidParameterValues.PrimaryWorkspaceId",
                           "The WorkSpace {id} is itself a standby WorkSpace and cannot be a primary."),
    "exists": ("ResourceExists.WorkSpace", "The WorkSpace {id} already has a standby WorkSpace in Region {region}."),
    "state": ("InvalidResourceState.WorkSpace",
              "The primary WorkSpace {id} is in state {state}; it must be AVAILABLE or STOPPED."),
    "configuration": ("OperationNotSupported.WorkSpaceConfiguration",
                      "Standby WorkSpaces do not support the configuration of {id} ({what})."),
    "encryption_key": ("InvalidParameterValues.VolumeEncryptionKey",
                       "The primary WorkSpace {id} has encrypted volumes; give a VolumeEncryptionKey for the standby."),
    "simple_ad": ("OperationNotSupported.DataReplication",
                  "Data replication is not supported with Simple AD directories."),
    "tags": ("InvalidParameterValues.Tags", "{problem}"),
}


def failure(kind: str, **fields: object) -> Refused:
    code, text = FAILURES[kind]
    return Refused(code, text.format(**fields))


def unsupported_configuration(properties: dict[str, Any]) -> str | None:
    """What about a primary's properties rules out a standby, or None."""
    os_name = properties.get("OperatingSystemName", "")
    if os_name.startswith(UNSUPPORTED_OS_PREFIXES):
        return f"operating system {os_name}"
    compute = properties.get("ComputeTypeName", "")
    if compute.startswith(UNSUPPORTED_COMPUTE_PREFIXES):
        return f"compute type {compute}"
    return None


def standby_bundle_id(account_id: str, primary_bundle_id: str, region: str) -> str:
    """One mirrored bundle per (primary bundle, standby Region), with a stable id [CHOSEN]."""
    digest = hashlib.sha256(f"{account_id}/{primary_bundle_id}/{region}".encode()).hexdigest()
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return families.BUNDLE.prefix + "".join(alphabet[int(digest[i:i + 2], 16) % 36] for i in range(0, 18, 2))


def replication_view(standby: Mapping[str, Any], now: float, profile: str) -> dict[str, Any]:
    """A standby's DataReplication and RecoverySnapshotTime as seen at `now`: what Describe and the views show.

    Its `_Replication` holds the requested mode, the mode before it, when the switch shows
    (`effective_at`, a few minutes after the request [CHOSEN]) and the last snapshot taken before
    replication last stopped. With PRIMARY_AS_SOURCE, the first snapshot lands `first` seconds after
    replication is on and the standby is provisioned, then one every `interval` [AWS: every 12 hours].
    """
    replication, provisioned_at = standby["_Replication"], standby.get("_ProvisionedAt", now)
    first = families.REPLICATION_FIRST_SNAPSHOT.seconds(profile)
    interval = families.REPLICATION_INTERVAL.seconds(profile)
    mode = replication["mode"] if now >= replication["effective_at"] else replication["previous"]
    snapshot = replication.get("last_snapshot")
    if mode == "PRIMARY_AS_SOURCE" and replication["mode"] == "PRIMARY_AS_SOURCE":
        start = max(replication["effective_at"], provisioned_at) + first
        if now >= start:
            snapshot = start + (((now - start) // interval) * interval if interval > 0 else now - start)
    view = {"DataReplication": mode}
    if snapshot is not None:
        view["RecoverySnapshotTime"] = snapshot
    return view
