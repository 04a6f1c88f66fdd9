"""IP access control groups: create, describe, delete, their rules (authorize, revoke, replace), and their
association with registered directories.

A group is stored as kind `ip_group`, the model's WorkspacesIpGroup shape (`groupId`, `groupName`,
`groupDesc`, `userRules`). Its associations live on the directories, in the `ipGroupIds` member that
DescribeWorkspaceDirectories shows, so a deregistered directory takes its associations with it.

Rules [AWS] https://docs.aws.amazon.com/workspaces/latest/adminguide/amazon-workspaces-ip-access-control-groups.html
and https://docs.aws.amazon.com/workspaces/latest/adminguide/workspaces-limits.html: 100 groups per account and
Region (the `ip_groups` quota), 10 rules per group, 25 groups per directory; a group associated with a
directory cannot be deleted.
"""

import ipaddress

from understudy.domain import families
from understudy.domain.errors import (
    InvalidParameterValuesException,
    ResourceAlreadyExistsException,
    ResourceAssociatedException,
    ResourceLimitExceededException,
)
from understudy.operations import paging
from understudy.operations.context import Context, Handler
from understudy.operations.directories import registered
from understudy.operations.tags import as_dict, tag_problem

_KIND = "ip_group"
_RULES_PER_GROUP = 10
_GROUPS_PER_DIRECTORY = 25
# AWS documents no default MaxResults for DescribeIpGroups. [CHOSEN] 25, its largest.
_PAGE_SIZE = 25



def _checked_rules(rules: list[dict]) -> list[dict]:
    """The rules, once each is a CIDR block (or a single address) and none is given twice.

    `ipRule` is "the IP address range, in CIDR notation" (IpRuleItem in the model). [CHOSEN] A bare address
    means that one address, a range with host bits set (10.0.0.1/24) is refused, IPv6 is accepted, and the
    same range twice in one group is refused.
    """
    seen = set()
    for rule in rules:
        text = rule.get("ipRule", "")
        try:
            network = ipaddress.ip_network(text)
        except ValueError:
            raise InvalidParameterValuesException(f"The IP rule {text!r} is not a valid CIDR block.") from None
        if network in seen:
            raise InvalidParameterValuesException(f"The IP rule {rule['ipRule']} is given more than once.")
        seen.add(network)
    return [{k: v for k, v in rule.items() if k in ("ipRule", "ruleDesc")} for rule in rules]


def _with_rules(doc: dict, rules: list[dict]) -> dict:
    if len(rules) > _RULES_PER_GROUP:
        raise ResourceLimitExceededException(f"An IP access control group can have at most {_RULES_PER_GROUP} "
                                             f"rules; this would give {doc['groupId']} {len(rules)}.")
    doc["userRules"] = _checked_rules(rules)
    return doc


def create_ip_group(ctx: Context, request: dict) -> dict:
    name = request["GroupName"]
    problem = tag_problem(request.get("Tags", []))
    if problem:
        raise InvalidParameterValuesException(problem)
    # [CHOSEN] Names are unique per account and Region, compared exactly, so a name finds one group; the API
    # reference is silent.
    if ctx.tx.count(_KIND, groupName=name):
        raise ResourceAlreadyExistsException(f"An IP access control group named {name} already exists.")
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("ip_groups"):
        raise ResourceLimitExceededException("You have reached the maximum number of IP access control groups in "
                                             f"this Region ({ctx.quota('ip_groups')}).")
    doc = {"groupId": families.IP_GROUP.new_id(), "groupName": name}
    if "GroupDesc" in request:
        doc["groupDesc"] = request["GroupDesc"]
    _with_rules(doc, request.get("UserRules", []))
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(doc["groupId"], as_dict(request.get("Tags", [])))
    return {"GroupId": doc["groupId"]}


def describe_ip_groups(ctx: Context, request: dict) -> dict:
    after, limit = paging.decode_token(request.get("NextToken")), request.get("MaxResults", _PAGE_SIZE)
    if "GroupIds" in request:
        # [CHOSEN] Unknown ids are simply absent, as in DescribeWorkspaces.
        docs = [d for d in ctx.tx.get_many(_KIND, request["GroupIds"]) if after is None or d["groupId"] > after]
        docs = docs[:limit + 1]
    else:
        docs = ctx.tx.find(_KIND, after=after, limit=limit + 1)
    docs, token = paging.cut(docs, limit, "groupId")
    return {"Result": docs, "NextToken": token}


def delete_ip_group(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["GroupId"])
    # [AWS] Disassociate a group from every directory before deleting it (DeleteIpGroup, model doc of
    # ResourceAssociatedException). At most 50 directories per Region, so reading them all is cheap.
    users = [d["DirectoryId"] for d in ctx.tx.find("directory") if doc["groupId"] in d.get("ipGroupIds", [])]
    if users:
        raise ResourceAssociatedException(f"The IP access control group {doc['groupId']} is associated with "
                                          f"{', '.join(users)}.")
    ctx.tx.delete(_KIND, doc["groupId"])
    return {}


def authorize_ip_rules(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["GroupId"])
    ctx.tx.update(_KIND, _with_rules(doc, doc.get("userRules", []) + request["UserRules"]))
    return {}


def revoke_ip_rules(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["GroupId"])
    current = [rule["ipRule"] for rule in doc.get("userRules", [])]
    missing = [rule for rule in request["UserRules"] if rule not in current]
    # [CHOSEN] Revoking a rule the group does not have is refused and changes nothing, as EC2 does for
    # security group rules, so a typo does not pass silently.
    if missing:
        raise InvalidParameterValuesException(f"The IP access control group {doc['groupId']} has no rule "
                                              f"{missing[0]}.")
    doc["userRules"] = [rule for rule in doc.get("userRules", []) if rule["ipRule"] not in request["UserRules"]]
    ctx.tx.update(_KIND, doc)
    return {}


def update_rules_of_ip_group(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["GroupId"])
    ctx.tx.update(_KIND, _with_rules(doc, request["UserRules"]))
    return {}


def associate_ip_groups(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["DirectoryId"])
    wanted = [ctx.require(_KIND, group_id)["groupId"] for group_id in dict.fromkeys(request["GroupIds"])]
    # [CHOSEN] Associating a group that already is associated changes nothing.
    groups = list(dict.fromkeys(directory.get("ipGroupIds", []) + wanted))
    if len(groups) > _GROUPS_PER_DIRECTORY:
        raise ResourceLimitExceededException(f"A directory can have at most {_GROUPS_PER_DIRECTORY} IP access "
                                             f"control groups; this would give it {len(groups)}.")
    directory["ipGroupIds"] = groups
    ctx.tx.update("directory", directory)
    return {}


def disassociate_ip_groups(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["DirectoryId"])
    gone = {ctx.require(_KIND, group_id)["groupId"] for group_id in request["GroupIds"]}
    # [CHOSEN] Disassociating a group that is not associated with the directory changes nothing.
    directory["ipGroupIds"] = [g for g in directory.get("ipGroupIds", []) if g not in gone]
    ctx.tx.update("directory", directory)
    return {}


OPERATIONS: dict[str, Handler] = {
    "AssociateIpGroups": associate_ip_groups,
    "AuthorizeIpRules": authorize_ip_rules,
    "CreateIpGroup": create_ip_group,
    "DeleteIpGroup": delete_ip_group,
    "DescribeIpGroups": describe_ip_groups,
    "DisassociateIpGroups": disassociate_ip_groups,
    "RevokeIpRules": revoke_ip_rules,
    "UpdateRulesOfIpGroup": update_rules_of_ip_group,
}
