"""The Directory Service slice served beside WorkSpaces (botocore service `ds`): Simple AD, AWS Managed
Microsoft AD and AD Connector directories, created, described and deleted, so a script can build its
directories against the same endpoint [CHOSEN, docs/evidence.md "The Directory Service slice"].

Stored as kind `ds_directory`, the model's DirectoryDescription shape; `Stage` moves on the clock.
"""

import secrets

from understudy.domain import families
from understudy.domain.errors import (
    ClientException,
    DirectoryLimitExceededException,
    EntityDoesNotExistException,
    InvalidNextTokenException,
    InvalidParameterException,
    InvalidParameterValuesException,
    UnsupportedOperationException,
)
from understudy.domain.resources import GONE
from understudy.operations.context import Context, Handler
from understudy.operations.paging import cut, decode_token

_KIND = "ds_directory"


def _subnets(settings: dict) -> list[str]:
    # [AWS] "The two subnets must be in different Availability Zones" (API_DirectoryVpcSettings); the ids are
    # checked for form only (by the model's pattern), so two distinct ids is all we can require.
    subnets = settings["SubnetIds"]
    if len(subnets) != 2 or subnets[0] == subnets[1]:
        raise InvalidParameterException("Invalid subnet ID(s). Specify two subnets in different Availability Zones.")
    return subnets


def _dns_ips(directory_id: str) -> list[str]:
    """Two made-up private addresses, stable per directory, one in each subnet's /24."""
    host = int(directory_id[2:4], 16) % 250 + 4
    return [f"10.0.1.{host}", f"10.0.2.{host}"]


def _create(ctx: Context, request: dict, directory_type: str, **fields) -> dict:
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("directories"):
        raise DirectoryLimitExceededException("Directory limit exceeded for this account and Region.")
    directory_id = families.DS_DIRECTORY.new_id()
    region = ctx.scope.region
    network = {"SecurityGroupId": "sg-" + secrets.token_hex(9)[:17], "AvailabilityZones": [f"{region}a", f"{region}b"]}
    if directory_type == "ADConnector":
        connect = request["ConnectSettings"]
        fields["ConnectSettings"] = {"VpcId": connect["VpcId"], "SubnetIds": _subnets(connect),
                                     "CustomerUserName": connect["CustomerUserName"],
                                     "ConnectIps": _dns_ips(directory_id), **network}
        dns_ips = connect.get("CustomerDnsIps") or _dns_ips(directory_id)
    else:
        vpc = request["VpcSettings"]
        fields["VpcSettings"] = {"VpcId": vpc["VpcId"], "SubnetIds": _subnets(vpc), **network}
        dns_ips = _dns_ips(directory_id)
    name = request["Name"]
    doc = {
        "DirectoryId": directory_id,
        "Name": name,
        # [CHOSEN] With no ShortName, the NetBIOS name is the first label of the DNS name, upper-cased
        # (corp.example.com -> CORP), as the console proposes.
        "ShortName": request.get("ShortName") or name.split(".")[0].upper(),
        "Description": request.get("Description"),
        # [AWS] Until an alias is created, the alias is the directory id (API_DirectoryDescription).
        "Alias": directory_id,
        "AccessUrl": f"{directory_id}.awsapps.com",
        "Type": directory_type,
        "DnsIpAddrs": dns_ips,
        "Stage": "Requested",
        "LaunchTime": ctx.now,
        "StageLastUpdatedDateTime": ctx.now,
        "SsoEnabled": False,
        "NetworkType": request.get("NetworkType", "IPv4"),
        **fields,
    }
    ctx.tx.insert(_KIND, doc)
    ctx.tx.schedule(_KIND, directory_id, "Requested", "Creating", 0)
    ctx.tx.schedule(_KIND, directory_id, "Creating", "Active", ctx.duration(families.DS_DIRECTORY_CREATE))
    # [CHOSEN] Tags are accepted and not kept: the ds tag operations are not served here.
    return {"DirectoryId": directory_id}


def create_directory(ctx: Context, request: dict) -> dict:
    # [AWS] "Simple AD supports IPv4 and Dual-stack only" (model doc of CreateDirectory's NetworkType).
    if request.get("NetworkType") == "IPv6":
        raise InvalidParameterException("Simple AD supports the network types IPv4 and Dual-stack only.")
    return _create(ctx, request, "SimpleAD", Size=request["Size"])


def create_microsoft_ad(ctx: Context, request: dict) -> dict:
    # [AWS] Enterprise is the default edition (API_CreateMicrosoftAD); Hybrid directories are made by
    # CreateHybridAD from self-managed domain controllers, not by this call.
    edition = request.get("Edition", "Enterprise")
    if edition == "Hybrid":
        raise UnsupportedOperationException("Hybrid Edition directories are created with CreateHybridAD.")
    return _create(ctx, request, "MicrosoftAD", Edition=edition, DesiredNumberOfDomainControllers=2)


def connect_directory(ctx: Context, request: dict) -> dict:
    return _create(ctx, request, "ADConnector", Size=request["Size"])


def describe_directories(ctx: Context, request: dict) -> dict:
    try:
        after = decode_token(request.get("NextToken"))
    except InvalidParameterValuesException:
        raise InvalidNextTokenException("The NextToken value is not valid.") from None
    wanted = request.get("DirectoryIds")
    # [AWS] "An empty list results in an InvalidParameterException being thrown" (ds model, DirectoryIds);
    # only an absent list means every directory of the account.
    if wanted == []:
        raise InvalidParameterException("DirectoryIds must contain at least one directory identifier.")
    if wanted:
        docs = ctx.tx.get_many(_KIND, wanted)
        missing = sorted(set(wanted) - {d["DirectoryId"] for d in docs})
        if missing:
            raise EntityDoesNotExistException(f"Directory {missing[0]} does not exist.")
        docs = [d for d in docs if after is None or d["DirectoryId"] > after]
    else:
        docs = ctx.tx.find(_KIND, after=after)
    # [AWS] A Limit of zero means the operation's own maximum (API_DescribeDirectories). [CHOSEN] That
    # maximum is "all of them": the directories quota keeps the list short.
    docs, token = cut(docs, request.get("Limit") or len(docs), "DirectoryId")
    return {"DirectoryDescriptions": docs, "NextToken": token}


def delete_directory(ctx: Context, request: dict) -> dict:
    directory_id = request["DirectoryId"]
    doc = ctx.tx.get(_KIND, directory_id, for_update=True)
    if doc is None:
        raise EntityDoesNotExistException(f"Directory {directory_id} does not exist.")
    # [AWS] A directory must be deregistered from WorkSpaces before it is deleted
    # (https://docs.aws.amazon.com/workspaces/latest/adminguide/delete-workspaces-directory.html). The model
    # leaves ClientException as the only fitting error, and that is what AWS answers, with this message
    # [FIELD] (https://github.com/rebuy-de/aws-nuke/issues/623).
    if ctx.tx.get("directory", directory_id) is not None:
        raise ClientException("Cannot delete the directory because it still has authorized applications.")
    if doc["Stage"] != "Deleting":
        # [CHOSEN] Deleting a directory already being deleted answers as the first call did.
        doc.update(Stage="Deleting", StageLastUpdatedDateTime=ctx.now)
        ctx.tx.update(_KIND, doc)
        ctx.tx.schedule(_KIND, directory_id, "Deleting", GONE, ctx.duration(families.DS_DIRECTORY_DELETE))
    return {"DirectoryId": directory_id}


OPERATIONS: dict[str, Handler] = {
    "ConnectDirectory": connect_directory,
    "CreateDirectory": create_directory,
    "CreateMicrosoftAD": create_microsoft_ad,
    "DeleteDirectory": delete_directory,
    "DescribeDirectories": describe_directories,
}
