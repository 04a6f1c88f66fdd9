"""WorkSpaces directories: registering a Directory Service directory (or a WorkSpaces-managed `wsd-` one)
with WorkSpaces, describing, deregistering, and the per-directory settings (creation, self-service,
access and client properties).

Stored as kind `directory`, the model's WorkspaceDirectory shape; client properties, which that shape
lacks, are kept on the same doc under `_ClientProperties`. Other families look a directory up with
`tx.get("directory", id)` and rely on `State` and `DirectoryType`.
"""

import secrets
import string

from understudy.domain import families
from understudy.domain.errors import (
    InvalidParameterValuesException,
    InvalidResourceStateException,
    OperationNotSupportedException,
    ResourceAlreadyExistsException,
    ResourceLimitExceededException,
    ValidationException,
    directory_not_found,
)
from understudy.domain.resources import GONE, directory_name_claim
from understudy.operations.context import Context, Handler
from understudy.operations.paging import cut, decode_token
from understudy.operations.tags import as_dict, tag_problem

_KIND = "directory"
# AWS documents no default Limit for DescribeWorkspaceDirectories. [CHOSEN] 25, its largest Limit.
_PAGE_SIZE = 25
# [FIELD] AWS's message for a directory that is not Active:
# https://github.com/hashicorp/terraform-provider-aws/issues/18352
_NOT_ACTIVE = ("The specified directory is not in a valid state. Confirm that the directory has a status of Active, "
               "and try again.")

# ds Type -> (WorkspaceDirectoryType, the directory's administrator account). AD Connector names its
# service account in ConnectSettings. [CHOSEN] The enum has no Managed Microsoft AD value: it reports
# AD_CONNECTOR, never SIMPLE_AD, so Simple AD's restrictions do not apply to it.
_AD_TYPES = {"SimpleAD": ("SIMPLE_AD", "Administrator"), "MicrosoftAD": ("AD_CONNECTOR", "Admin"),
             "ADConnector": ("AD_CONNECTOR", None)}

# [AWS-CODE] A registration code is a Region prefix, "+" and six characters: SLiad+S393HD in us-east-1
# (AWS CLI example), WSpdx+... in us-west-2 (docs/evidence.md "Registration codes"). [CHOSEN] Other Regions:
# "WS" and the airport code of the Region's city; an unlisted Region (--any-region) uses its first three letters.
_REGION_CODES = {
    "us-east-1": "SLiad", "us-east-2": "WScmh", "us-west-2": "WSpdx", "ca-central-1": "WSyul",
    "sa-east-1": "WSgru", "eu-west-1": "WSdub", "eu-west-2": "WSlhr", "eu-west-3": "WScdg",
    "eu-central-1": "WSfra", "il-central-1": "WStlv", "af-south-1": "WScpt", "ap-south-1": "WSbom",
    "ap-northeast-1": "WSnrt", "ap-northeast-2": "WSicn", "ap-southeast-1": "WSsin",
    "ap-southeast-2": "WSsyd", "ap-southeast-5": "WSkul",
}

# Defaults of a newly registered directory, as AWS reports them in terraform-provider-aws's acceptance
# test of a directory registered with no settings (internal/service/workspaces/directory_test.go, basic).
_ACCESS = {"DeviceTypeWindows": "ALLOW", "DeviceTypeOsx": "ALLOW", "DeviceTypeWeb": "DENY", "DeviceTypeIos": "ALLOW",
           "DeviceTypeAndroid": "ALLOW", "DeviceTypeChromeOs": "ALLOW", "DeviceTypeZeroClient": "ALLOW",
           "DeviceTypeLinux": "DENY",
           # [CHOSEN] not in that test: Thin Client devices are allowed, like the other hardware clients.
           "DeviceTypeWorkSpacesThinClient": "ALLOW"}
_CREATION = {"EnableInternetAccess": False, "UserEnabledAsLocalAdministrator": True, "EnableMaintenanceMode": True}
_SELF_SERVICE = {"RestartWorkspace": "ENABLED", "IncreaseVolumeSize": "DISABLED", "ChangeComputeType": "DISABLED",
                 "SwitchRunningMode": "DISABLED", "RebuildWorkspace": "DISABLED",
                 # [AWS] documented defaults of the two newer permissions (API_SelfservicePermissions).
                 "NestedVirtualization": "DISABLED", "EnableEndUserAdvisor": "ENABLED"}
# [CHOSEN] EnableSelfService=true turns on every capability the console's self-service switch covers.
_SELF_SERVICE_ON = ("RestartWorkspace", "IncreaseVolumeSize", "ChangeComputeType", "SwitchRunningMode",
                    "RebuildWorkspace")
# [CHOSEN] AWS documents no default client properties: reconnect and log upload start enabled.
_CLIENT = {"ReconnectEnabled": "ENABLED", "LogUploadEnabled": "ENABLED"}
_FILTER_FIELDS = {"USER_IDENTITY_TYPE": "UserIdentityType", "WORKSPACE_TYPE": "WorkspaceType"}


def _directory(ctx: Context, directory_id: str) -> dict:
    doc = ctx.tx.get(_KIND, directory_id, for_update=True)
    if doc is None:
        raise directory_not_found(directory_id)
    return doc


def registered(ctx: Context, directory_id: str) -> dict:
    """The caller's directory, registered with WorkSpaces in this Region, for update: the door the per-directory
    families (IP groups, settings, branding, add-ins) go through. One that is still registering or already
    deregistering is not found, as for AssociateConnectionAlias [CHOSEN]."""
    doc = ctx.tx.get(_KIND, directory_id, for_update=True)
    if doc is None or doc["State"] != "REGISTERED":
        raise directory_not_found(directory_id)
    return doc


def _ad_directory(ctx: Context, request: dict, directory_id: str) -> dict:
    """The registration of a Directory Service directory: it must be Active in the same account and Region."""
    ds = ctx.tx.get("ds_directory", directory_id)
    if ds is None:
        raise directory_not_found(directory_id)
    if ds["Stage"] != "Active":
        raise InvalidResourceStateException(_NOT_ACTIVE)
    if request.get("WorkspaceType") == "POOLS":
        # [CHOSEN] Pools use WorkSpaces-managed directories; Terraform refuses directory_id for POOLS too.
        raise InvalidParameterValuesException("A directory for WorkSpaces Pools is registered without a DirectoryId.")
    directory_type, admin = _AD_TYPES[ds["Type"]]
    network = ds.get("VpcSettings") or ds["ConnectSettings"]
    return {"DirectoryId": directory_id, "Alias": ds["Alias"], "DirectoryName": ds["Name"],
            "DirectoryType": directory_type, "CustomerUserName": network.get("CustomerUserName", admin),
            "DnsIpAddresses": ds["DnsIpAddrs"], "SubnetIds": network["SubnetIds"],
            "UserIdentityType": "AWS_DIRECTORY_SERVICE", "WorkspaceType": "PERSONAL"}


def _managed_directory(ctx: Context, request: dict) -> dict:
    """A `wsd-` directory that WorkSpaces manages itself (IAM Identity Center, or customer-managed for Pools)."""
    identity, name = request.get("UserIdentityType"), request.get("WorkspaceDirectoryName")
    if identity in (None, "AWS_DIRECTORY_SERVICE"):
        # [FIELD] AWS's answer when no identity type says the directory is WorkSpaces-managed
        # (terraform-provider-aws #46088).
        raise ValidationException("The following arguments are required - DirectoryId.")
    if name is None:
        raise InvalidParameterValuesException(f"WorkspaceDirectoryName is required for UserIdentityType {identity}.")
    if identity == "AWS_IAM_IDENTITY_CENTER" and "IdcInstanceArn" not in request:
        raise InvalidParameterValuesException("UserIdentityType AWS_IAM_IDENTITY_CENTER needs an IdcInstanceArn.")
    # [CHOSEN] Names are unique per account and Region, so WorkspaceDirectoryNames finds one directory.
    if ctx.tx.held(directory_name_claim(name)):
        raise ResourceAlreadyExistsException(f"A WorkSpaces directory named {name} already exists.")
    doc = {"DirectoryId": families.DIRECTORY.new_id(),
           # [CHOSEN] DirectoryName repeats the name, so every directory has one.
           "DirectoryName": name, "WorkspaceDirectoryName": name, "DirectoryType": identity,
           "UserIdentityType": identity, "WorkspaceType": request.get("WorkspaceType", "PERSONAL"),
           "SubnetIds": request.get("SubnetIds")}
    for key in ("WorkspaceDirectoryDescription", "WorkspaceOsUserMode", "MicrosoftEntraConfig",
                "ActiveDirectoryConfig"):
        doc[key] = request.get(key)
    if "IdcInstanceArn" in request:
        doc["IDCConfig"] = {"InstanceArn": request["IdcInstanceArn"]}
    return doc


def register_workspace_directory(ctx: Context, request: dict) -> dict:
    directory_id = request.get("DirectoryId")
    if directory_id is not None:
        existing = ctx.tx.get(_KIND, directory_id)
        if existing is not None and existing["State"] == "DEREGISTERING":
            # [CHOSEN] Terraform retries InvalidResourceStateException, so a quick re-register succeeds.
            raise InvalidResourceStateException(f"The directory {directory_id} is being deregistered.")
        if existing is not None:
            raise ResourceAlreadyExistsException(f"The directory {directory_id} is already registered.")
    doc = _ad_directory(ctx, request, directory_id) if directory_id else _managed_directory(ctx, request)
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("directories"):
        raise ResourceLimitExceededException("You have reached the maximum number of registered directories.")
    # [AWS] Subnets in different Availability Zones, else OperationNotSupportedException (model doc of
    # SubnetIds); ids are checked for form only, so two distinct ids is what we can require.
    subnets = request.get("SubnetIds")
    if subnets is not None and (len(subnets) != 2 or subnets[0] == subnets[1]):
        raise OperationNotSupportedException("The subnets must be two subnets in different Availability Zones.")
    # [AWS] DEDICATED needs an account enabled for BYOL, else InvalidParameterValuesException (model doc).
    tenancy = request.get("Tenancy", "SHARED")
    if tenancy == "DEDICATED" and (ctx.tx.get("account", "account") or {}).get("DedicatedTenancySupport") != "ENABLED":
        raise InvalidParameterValuesException("Your account is not enabled for BYOL: Tenancy DEDICATED is not allowed.")
    problem = tag_problem(request.get("Tags", []))
    if problem:
        raise InvalidParameterValuesException(problem)
    self_service = dict(_SELF_SERVICE)
    if request.get("EnableSelfService"):
        self_service.update(dict.fromkeys(_SELF_SERVICE_ON, "ENABLED"))
    code = _REGION_CODES.get(ctx.scope.region, "WS" + ctx.scope.region.replace("-", "")[:3])
    doc.update({
        "RegistrationCode": code + "+" + "".join(secrets.choice(string.ascii_uppercase + string.digits)
                                                 for _ in range(6)),
        "IamRoleId": f"arn:aws:iam::{ctx.scope.account_id}:role/workspaces_DefaultRole",
        "WorkspaceSecurityGroupId": "sg-" + secrets.token_hex(9)[:17],
        "State": "REGISTERING",
        "Tenancy": tenancy,
        "WorkspaceCreationProperties": dict(_CREATION),
        "WorkspaceAccessProperties": dict(_ACCESS),
        "SelfservicePermissions": self_service,
        "SamlProperties": {"Status": "DISABLED", "RelayStateParameterName": "RelayState"},
        "CertificateBasedAuthProperties": {"Status": "DISABLED"},
        "EndpointEncryptionMode": "STANDARD_TLS",
        "_ClientProperties": dict(_CLIENT),
    })
    if subnets is not None:
        doc["SubnetIds"] = subnets
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(doc["DirectoryId"], as_dict(request.get("Tags", [])))
    ctx.tx.schedule(_KIND, doc["DirectoryId"], "REGISTERING", "REGISTERED", ctx.duration(families.DIRECTORY_REGISTER))
    return {"DirectoryId": doc["DirectoryId"], "State": "REGISTERING"}


def describe_workspace_directories(ctx: Context, request: dict) -> dict:
    after = decode_token(request.get("NextToken"))
    wanted, names = request.get("DirectoryIds"), request.get("WorkspaceDirectoryNames")
    # Unknown ids are simply absent, as for DescribeWorkspaces; Terraform reads an empty list as "gone".
    docs = ctx.tx.get_many(_KIND, wanted) if wanted else ctx.tx.find(_KIND)
    # [CHOSEN] Every criterion given must hold; names match DirectoryName, so AD directories are found by
    # their DNS name too.
    if names:
        docs = [d for d in docs if d.get("DirectoryName") in names]
    for f in request.get("Filters", []):
        docs = [d for d in docs if d.get(_FILTER_FIELDS[f["Name"]]) in f["Values"]]
    docs = [d for d in docs if after is None or d["DirectoryId"] > after]
    docs, token = cut(docs, request.get("Limit", _PAGE_SIZE), "DirectoryId")
    return {"Directories": docs, "NextToken": token}


def deregister_workspace_directory(ctx: Context, request: dict) -> dict:
    doc = _directory(ctx, request["DirectoryId"])
    if doc["State"] != "REGISTERED":
        # [FIELD] Terraform retries deregistration on this error while registration settles (issue 18352 above).
        raise InvalidResourceStateException(f"The directory {doc['DirectoryId']} is {doc['State']}.")
    # [AWS] WorkSpaces still in the directory: OperationNotSupportedException, as the model's doc of
    # DirectoryId says and the field confirms (https://github.com/cloud-custodian/cloud-custodian/pull/7227).
    if ctx.tx.exists("workspace", DirectoryId=doc["DirectoryId"]):
        raise OperationNotSupportedException("Remove the WorkSpaces in this directory before deregistering it.")
    # A pool's WorkSpaces live in its directory too [CHOSEN: the same refusal as for WorkSpaces].
    if ctx.tx.exists("pool", DirectoryId=doc["DirectoryId"]):
        raise OperationNotSupportedException("Terminate the pools of this directory before deregistering it.")
    # Aliases must be disassociated first (cross-region-redirection.html, "Disassociate..."); the alias
    # shared into this account counts too, through its share record [CHOSEN: InvalidResourceStateException].
    if ctx.tx.exists("connection_alias", _AssociatedDirectory=doc["DirectoryId"]) or ctx.tx.exists(
            "alias_share", _AssociatedDirectory=doc["DirectoryId"]):
        raise InvalidResourceStateException("Disassociate the connection aliases of this directory before "
                                            "deregistering it.")
    doc["State"] = "DEREGISTERING"
    ctx.tx.update(_KIND, doc)
    ctx.tx.schedule(_KIND, doc["DirectoryId"], "DEREGISTERING", GONE, ctx.duration(families.DIRECTORY_DEREGISTER))
    return {}


def _modify(ctx: Context, directory_id: str, field: str, changes: dict) -> dict:
    doc = _directory(ctx, directory_id)
    doc[field] = {**doc.get(field, {}), **changes}
    ctx.tx.update(_KIND, doc)
    return {}


def modify_workspace_creation_properties(ctx: Context, request: dict) -> dict:
    return _modify(ctx, request["ResourceId"], "WorkspaceCreationProperties", request["WorkspaceCreationProperties"])


def modify_selfservice_permissions(ctx: Context, request: dict) -> dict:
    return _modify(ctx, request["ResourceId"], "SelfservicePermissions", request["SelfservicePermissions"])


def modify_workspace_access_properties(ctx: Context, request: dict) -> dict:
    return _modify(ctx, request["ResourceId"], "WorkspaceAccessProperties", request["WorkspaceAccessProperties"])


def modify_client_properties(ctx: Context, request: dict) -> dict:
    return _modify(ctx, request["ResourceId"], "_ClientProperties", request["ClientProperties"])


def describe_client_properties(ctx: Context, request: dict) -> dict:
    docs = [_directory(ctx, rid) for rid in dict.fromkeys(request["ResourceIds"])]
    return {"ClientPropertiesList": [{"ResourceId": d["DirectoryId"], "ClientProperties": d["_ClientProperties"]}
                                     for d in docs]}


OPERATIONS: dict[str, Handler] = {
    "DeregisterWorkspaceDirectory": deregister_workspace_directory,
    "DescribeClientProperties": describe_client_properties,
    "DescribeWorkspaceDirectories": describe_workspace_directories,
    "ModifyClientProperties": modify_client_properties,
    "ModifySelfservicePermissions": modify_selfservice_permissions,
    "ModifyWorkspaceAccessProperties": modify_workspace_access_properties,
    "ModifyWorkspaceCreationProperties": modify_workspace_creation_properties,
    "RegisterWorkspaceDirectory": register_workspace_directory,
}
