"""The catalogue of Amazon-owned public bundles: the same bundles in every Region, ids stable per Region, and
the few public bundles that published sources name by id, in the Region they come from (`_PUBLISHED`).

Names, compute types and volume sizes follow AWS's public bundles (docs/evidence.md "Bundles";
https://aws.amazon.com/workspaces/core/pricing/); ids are derived from (Region, name), so a Region
always shows the same `wsb-`/`wsi-` ids and two Regions never share them, as on AWS.
Besides the WorkspaceBundle members, each bundle carries private keys for the rules of other
operations: `_OperatingSystem` (an `OperatingSystemName` of the model) and `_Protocols` (the
streaming protocols it supports, its default first).
"""

import copy
from functools import cache
from typing import Any

from understudy.domain import ids

# Compute type -> (name in bundle names, vCPUs, memory GiB, root GB, user GB).
_COMPUTE = {
    "VALUE": ("Value", 1, 2, 80, 10),
    "STANDARD": ("Standard", 2, 4, 80, 50),
    "PERFORMANCE": ("Performance", 2, 8, 80, 100),
    "POWER": ("Power", 4, 16, 80, 100),
    "POWERPRO": ("PowerPro", 8, 32, 80, 100),
    "GENERALPURPOSE_4XLARGE": ("GeneralPurpose.4xlarge", 16, 64, 175, 100),
    "GENERALPURPOSE_8XLARGE": ("GeneralPurpose.8xlarge", 32, 128, 175, 100),
    "GRAPHICS_G4DN": ("Graphics.g4dn", 4, 16, 175, 100),
    "GRAPHICSPRO_G4DN": ("GraphicsPro.g4dn", 16, 64, 175, 100),
    "GRAPHICS_G6_XLARGE": ("Graphics.g6.xlarge", 4, 16, 175, 100),
    "GRAPHICS_G6_2XLARGE": ("Graphics.g6.2xlarge", 8, 32, 175, 100),
    "GRAPHICS_G6_4XLARGE": ("Graphics.g6.4xlarge", 16, 64, 175, 100),
    "GRAPHICS_G6_8XLARGE": ("Graphics.g6.8xlarge", 32, 128, 175, 100),
    "GRAPHICS_G6_16XLARGE": ("Graphics.g6.16xlarge", 64, 256, 175, 100),
    "GRAPHICS_GR6_4XLARGE": ("Graphics.gr6.4xlarge", 16, 128, 175, 100),
    "GRAPHICS_GR6_8XLARGE": ("Graphics.gr6.8xlarge", 32, 256, 175, 100),
    "GRAPHICS_G6F_LARGE": ("Graphics.g6f.large", 2, 8, 175, 100),
    "GRAPHICS_G6F_XLARGE": ("Graphics.g6f.xlarge", 4, 16, 175, 100),
    "GRAPHICS_G6F_2XLARGE": ("Graphics.g6f.2xlarge", 8, 32, 175, 100),
    "GRAPHICS_G6F_4XLARGE": ("Graphics.g6f.4xlarge", 16, 64, 175, 100),
    "GRAPHICS_GR6F_4XLARGE": ("Graphics.gr6f.4xlarge", 16, 128, 175, 100),
}

_VALUE = ("VALUE",)
_CORE = ("STANDARD", "PERFORMANCE", "POWER", "POWERPRO")
_GP = ("GENERALPURPOSE_4XLARGE", "GENERALPURPOSE_8XLARGE")
_G4DN = ("GRAPHICS_G4DN", "GRAPHICSPRO_G4DN")
_G6 = ("GRAPHICS_G6_XLARGE", "GRAPHICS_G6_2XLARGE", "GRAPHICS_G6_4XLARGE", "GRAPHICS_G6_8XLARGE",
       "GRAPHICS_G6_16XLARGE", "GRAPHICS_GR6_4XLARGE", "GRAPHICS_GR6_8XLARGE", "GRAPHICS_G6F_LARGE",
       "GRAPHICS_G6F_XLARGE", "GRAPHICS_G6F_2XLARGE", "GRAPHICS_G6F_4XLARGE", "GRAPHICS_GR6F_4XLARGE")
_PCOIP_FIRST = ("PCOIP", "WSP")
_WSP_ONLY = ("WSP",)

# (OS in bundle names, OperatingSystemName, protocols, compute types offered).
# Linux bundles stream over WSP (DCV) by default [AWS: https://docs.aws.amazon.com/workspaces/latest/api/API_CreateWorkspaces.html].
# [CHOSEN] G6-family bundles come with Windows Server 2022 and WSP only, as AWS launched them.
# [CHOSEN] The BYOL-style Windows 10/11 entries stand in for the bundles a BYOL account builds from
# its own images, so the desktop-OS values (WINDOWS_10, WINDOWS_11) exist to test rules against.
_TABLE = (
    ("Windows 10 (Server 2019 based)", "WINDOWS_SERVER_2019", _PCOIP_FIRST, _VALUE + _CORE + _GP + _G4DN),
    ("Windows 11 (Server 2022 based)", "WINDOWS_SERVER_2022", _PCOIP_FIRST, _VALUE + _CORE + _GP + _G4DN),
    ("Windows 11 (Server 2022 based)", "WINDOWS_SERVER_2022", _WSP_ONLY, _G6),
    ("Windows 10 BYOL", "WINDOWS_10", _PCOIP_FIRST, _CORE),
    ("Windows 11 BYOL", "WINDOWS_11", _PCOIP_FIRST, _CORE),
    ("Amazon Linux 2", "AMAZON_LINUX_2", ("WSP", "PCOIP"), _VALUE + _CORE),
    ("Ubuntu 22.04", "UBUNTU_22_04", _WSP_ONLY, _VALUE + _CORE + _GP + _G4DN),
    ("Red Hat Enterprise Linux 8", "RHEL_8", _WSP_ONLY, _CORE + _GP),
    ("Rocky Linux 8", "ROCKY_8", _WSP_ONLY, _CORE + _GP),
)

# Amazon's public bundles that published sources name by id, with the Region they were used in: scripts,
# Terraform configurations and tests that name them find them here. (id, name, compute type, root GB, user GB,
# OperatingSystemName), each as its source gives it [AWS, field, docs/evidence.md "Bundles"]:
# - wsb-bh8rsxt14: terraform-provider-aws acceptance tests of aws_workspaces_workspace (VALUE, root 80, user 10);
# - wsb-df76rqys9, wsb-b0s22j3d7: terraform-provider-aws acceptance tests of the aws_workspaces_bundle data source
#   (names, compute types and volumes as checked there).
# Those tests run in us-west-2, Terraform's acceptance-test Region; public bundle ids differ between Regions, so
# they are offered there only. [CHOSEN, docs/evidence.md "Bundles"] These legacy bundles stream over PCoIP only
# (they predate WSP); a "Windows 10" public bundle ran on Windows Server 2016.
# Every other bundle keeps an id derived from (Region, name): no public id of it is known.
_PUBLISHED: dict[str, tuple[tuple[str, str, str, int, int, str], ...]] = {
    "us-west-2": (
        ("wsb-bh8rsxt14", "Value with Windows 10 (English)", "VALUE", 80, 10, "WINDOWS_SERVER_2016"),
        ("wsb-df76rqys9", "Value with Windows 10 and Office 2016", "VALUE", 80, 10, "WINDOWS_SERVER_2016"),
        ("wsb-b0s22j3d7", "Performance with Windows 7", "PERFORMANCE", 80, 100, "WINDOWS_7"),
    ),
}

_CREATED = 1672531200.0  # 2023-01-01T00:00:00Z
_UPDATED = 1719792000.0  # 2024-07-01T00:00:00Z


def public_bundles(region: str) -> list[dict[str, Any]]:
    """Every public bundle of a Region as a WorkspaceBundle (fresh dicts, in catalogue order)."""
    return [copy.deepcopy(b) for b in _catalogue(region)]


def public_bundle(region: str, bundle_id: str) -> dict[str, Any] | None:
    """One public bundle by id (a fresh dict), or None."""
    found = _by_id(region).get(bundle_id)
    return copy.deepcopy(found) if found is not None else None


@cache
def _by_id(region: str) -> dict[str, dict[str, Any]]:
    return {b["BundleId"]: b for b in _catalogue(region)}


def _bundle(region: str, bundle_id: str, name: str, compute: str, root: int, user: int, os_name: str,
            protocols: tuple[str, ...]) -> dict[str, Any]:
    label, cpus, memory, _, _ = _COMPUTE[compute]
    return {
        "BundleId": bundle_id,
        "Name": name,
        "Owner": "Amazon",  # mixed case, though requests say AMAZON (docs/evidence.md "Bundles")
        "Description": f"{label} ({cpus} vCPU, {memory} GiB memory) with {name.split(' with ', 1)[1]}",
        "ImageId": ids.stable_id("wsi-", region, "image", name),
        "RootStorage": {"Capacity": str(root)},
        "UserStorage": {"Capacity": str(user)},
        "ComputeType": {"Name": compute},
        "CreationTime": _CREATED,
        "LastUpdatedTime": _UPDATED,
        "State": "AVAILABLE",
        "BundleType": "REGULAR",
        "_OperatingSystem": os_name,
        "_Protocols": list(protocols),
    }


@cache
def _catalogue(region: str) -> tuple[dict[str, Any], ...]:
    """The catalogue is pure data derived from the Region, so it is built once per Region."""
    bundles = []
    for os_label, os_name, protocols, computes in _TABLE:
        for compute in computes:
            label, _, _, root, user = _COMPUTE[compute]
            name = f"{label} with {os_label}"
            bundles.append(_bundle(region, ids.stable_id("wsb-", region, name), name, compute, root, user, os_name,
                                   protocols))
    for bundle_id, name, compute, root, user, os_name in _PUBLISHED.get(region, ()):
        bundles.append(_bundle(region, bundle_id, name, compute, root, user, os_name, ("PCOIP",)))
    return tuple(bundles)
