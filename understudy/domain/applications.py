"""The catalogue of applications WorkSpaces installs and uninstalls on a WorkSpace (Manage applications), and
the state table of an application's association with a WorkSpace.

Names and the uninstall-only Office 2016/2019 follow AWS's list
(https://docs.aws.amazon.com/workspaces/latest/adminguide/manage-applications.html): Manage applications is
for Windows WorkSpaces only. Ids are derived from the name, so every Region and every run shows the same
`wsa-` ids [CHOSEN]. Besides the WorkSpaceApplication members each entry carries `_Family`: two applications
of one family cannot be installed on one WorkSpace [CHOSEN, after the combinations table of that page: the
Standard and Professional editions of one product exclude each other, and so do Office versions, Microsoft 365
Apps included].
"""

from typing import Any

from understudy.domain import families, ids

_CREATED = 1698796800.0  # 2023-11-01T00:00:00Z, the launch of Manage applications [CHOSEN date]

# [CHOSEN] License-included applications ride on AWS's Windows Server based bundles; Microsoft 365 Apps for
# enterprise is brought with your own license (UNLICENSED) to BYOL Windows 10/11 desktops.
_SERVER = ("WINDOWS_SERVER_2016", "WINDOWS_SERVER_2019", "WINDOWS_SERVER_2022")
_BYOL = ("WINDOWS_10", "WINDOWS_11")
_ALL_COMPUTE = ("VALUE", "STANDARD", "PERFORMANCE", "POWER", "POWERPRO", "GENERALPURPOSE_4XLARGE",
                "GENERALPURPOSE_8XLARGE", "GRAPHICS_G4DN", "GRAPHICSPRO_G4DN")
# [CHOSEN] Visual Studio 2022 needs 4 GiB of memory at least (Microsoft's system requirements): not on Value.
_NO_VALUE = _ALL_COMPUTE[1:]

# (name, family, license, operating systems, compute types, state)
_TABLE = (
    ("Microsoft 365 Apps for enterprise", "office", "UNLICENSED", _BYOL, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Office LTSC Professional Plus 2021", "office", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Office LTSC Standard 2021", "office", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    # [AWS] Office 2016 and 2019 can only be uninstalled.
    ("Microsoft Office Professional Plus 2016", "office", "LICENSED", _SERVER, _ALL_COMPUTE, "UNINSTALL_ONLY"),
    ("Microsoft Office Professional Plus 2019", "office", "LICENSED", _SERVER, _ALL_COMPUTE, "UNINSTALL_ONLY"),
    ("Microsoft Project Professional 2021", "project", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Project Standard 2021", "project", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Visio LTSC Professional 2021", "visio", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Visio LTSC Standard 2021", "visio", "LICENSED", _SERVER, _ALL_COMPUTE, "AVAILABLE"),
    ("Microsoft Visual Studio Enterprise 2022", "visual_studio", "LICENSED", _SERVER, _NO_VALUE, "AVAILABLE"),
    ("Microsoft Visual Studio Professional 2022", "visual_studio", "LICENSED", _SERVER, _NO_VALUE, "AVAILABLE"),
)

# An association's life [CHOSEN within the model's AssociationState enum]: associating waits for a
# deployment (PENDING_INSTALL_DEPLOYMENT); DeployWorkspaceApplications queues it (PENDING_INSTALL), installs it
# (INSTALLING) and completes it (COMPLETED). Disassociating runs the same way down to REMOVED, which is shown
# briefly and then gone. A failed deployment is ERROR until a forced deployment retries it.
WAITING_FOR_DEPLOYMENT = {"install": "PENDING_INSTALL_DEPLOYMENT", "uninstall": "PENDING_UNINSTALL_DEPLOYMENT"}
DEPLOYMENT_STEPS = {
    "install": (("PENDING_INSTALL", families.APPLICATION_QUEUE), ("INSTALLING", families.APPLICATION_INSTALL),
                ("COMPLETED", None)),
    "uninstall": (("PENDING_UNINSTALL", families.APPLICATION_QUEUE), ("UNINSTALLING", families.APPLICATION_UNINSTALL),
                  ("REMOVED", families.APPLICATION_REMOVED_SHOWN)),
}
IN_FLIGHT = frozenset({"PENDING_INSTALL", "INSTALLING", "PENDING_UNINSTALL", "UNINSTALLING"})
# Associations that no longer hold the application on the WorkSpace, nor will: they block nothing.
LEAVING = frozenset({"PENDING_UNINSTALL_DEPLOYMENT", "PENDING_UNINSTALL", "UNINSTALLING", "REMOVED"})


def applications() -> list[dict[str, Any]]:
    """Every application of the catalogue as a WorkSpaceApplication (fresh dicts, in ApplicationId order)."""
    apps = [{
        "ApplicationId": ids.stable_id("wsa-", "application", name),
        "Name": name,
        "Description": f"{name}, installed and managed by Amazon WorkSpaces",
        "Owner": "AMAZON",
        "LicenseType": license_type,
        "State": state,
        "SupportedOperatingSystemNames": list(systems),
        "SupportedComputeTypeNames": list(computes),
        "Created": _CREATED,
        "_Family": family,
    } for name, family, license_type, systems, computes, state in _TABLE]
    return sorted(apps, key=lambda a: a["ApplicationId"])


def application(application_id: str) -> dict[str, Any] | None:
    return next((a for a in applications() if a["ApplicationId"] == application_id), None)
