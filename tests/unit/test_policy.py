"""IAM's evaluation order and the resource ARNs a request names (understudy/domain/policy.py)."""

import pytest

from understudy.domain.errors import AccessDeniedException
from understudy.domain.policy import PolicyError, authorize, parse, resource_arns
from understudy.domain.scope import Scope

SCOPE = Scope("123456789012", "eu-west-1")


def allowed(statements: list, operation: str, params: dict, key: str = "AKIA1") -> bool:
    try:
        authorize(parse({"policies": {key: statements}}), "AKIA1", SCOPE, "workspaces", operation, params)
        return True
    except AccessDeniedException:
        return False


def test_explicit_deny_beats_allow_and_nothing_matching_denies():
    statements = [{"Effect": "Allow", "Action": "workspaces:*"},
                  {"Effect": "Deny", "Action": "workspaces:Terminate*", "Resource": "*:workspace/ws-prod*"}]
    assert allowed(statements, "TerminateWorkspaces", {"TerminateWorkspaceRequests": [{"WorkspaceId": "ws-dev1"}]})
    assert not allowed(statements, "TerminateWorkspaces", {"TerminateWorkspaceRequests": [
        {"WorkspaceId": "ws-dev1"}, {"WorkspaceId": "ws-prod1"}]})
    assert not allowed([{"Effect": "Allow", "Action": "workspaces:Describe*"}], "ModifyAccount", {})


def test_actions_ignore_case_and_a_caller_without_statements_is_allowed():
    assert allowed([{"Effect": "Allow", "Action": "WorkSpaces:describe?orkspaces"}], "DescribeWorkspaces", {})
    assert allowed([{"Effect": "Deny", "Action": "*"}], "DescribeWorkspaces", {}, key="AKIA-SOMEONE-ELSE")


def test_a_request_without_ids_is_matched_on_its_action_alone():
    statements = [{"Effect": "Allow", "Action": "workspaces:CreateWorkspaces", "Resource": "*:directory/d-1*"}]
    assert allowed(statements, "CreateWorkspaces", {"Workspaces": [{"UserName": "ann"}]})


def test_ids_become_arns_by_their_prefix():
    params = {"ResourceId": "wsb-abc", "DirectoryIds": ["d-1", "wsd-2"], "SubnetIds": ["subnet-1"], "Name": "ws-no"}
    assert resource_arns("workspaces", SCOPE, params) == [
        "arn:aws:workspaces:eu-west-1:123456789012:workspacebundle/wsb-abc",
        "arn:aws:workspaces:eu-west-1:123456789012:directory/d-1",
        "arn:aws:workspaces:eu-west-1:123456789012:directory/wsd-2",
    ]


@pytest.mark.parametrize("document", [
    [], {"policies": {"K": [{"Effect": "Maybe", "Action": "*"}]}}, {"policies": {"K": [{"Effect": "Allow"}]}},
    {"policies": {"K": [{"Effect": "Allow", "Action": "*", "Condition": {}}]}},
    {"policies": {"K": [{"Effect": "Allow", "Action": []}]}}, {"policies": {"K": "Allow"}},
])
def test_what_cannot_be_enforced_is_refused(document):
    with pytest.raises(PolicyError):
        parse(document)


@pytest.mark.parametrize("operation,params", [
    ("CreateWorkspaceImage", {"Name": "img", "Description": "d", "WorkspaceId": "ws-abc"}),
    ("CreateUpdatedWorkspaceImage", {"Name": "img", "Description": "d", "SourceImageId": "wsi-abc"}),
    ("CreateWorkspaceBundle", {"BundleName": "b", "ImageId": "wsi-abc"}),
])
def test_creating_with_tags_also_needs_create_tags_where_the_model_says_so(operation, params):
    only_create = [{"Effect": "Allow", "Action": f"workspaces:{operation}"}]
    tags = {"Tags": [{"Key": "team", "Value": "eng"}]}
    assert allowed(only_create, operation, params)
    assert allowed(only_create, operation, {**params, "Tags": []})
    assert not allowed(only_create, operation, {**params, **tags})
    with_tags = [*only_create, {"Effect": "Allow", "Action": "workspaces:CreateTags"}]
    assert allowed(with_tags, operation, {**params, **tags})
    denied_tags = [*with_tags, {"Effect": "Deny", "Action": "workspaces:CreateTags", "Resource": "*"}]
    assert not allowed(denied_tags, operation, {**params, **tags})


def test_a_create_whose_model_says_nothing_of_create_tags_needs_only_its_own_action():
    statements = [{"Effect": "Allow", "Action": "workspaces:CreateIpGroup"}]
    assert allowed(statements, "CreateIpGroup", {"GroupName": "g", "Tags": [{"Key": "k", "Value": "v"}]})


def test_the_create_tags_refusal_names_create_tags():
    statements = {"policies": {"AKIA1": [{"Effect": "Allow", "Action": "workspaces:CreateWorkspaceBundle"}]}}
    with pytest.raises(AccessDeniedException, match="perform: workspaces:CreateTags on resource: \\*"):
        authorize(parse(statements), "AKIA1", SCOPE, "workspaces", "CreateWorkspaceBundle",
                  {"BundleName": "b", "Tags": [{"Key": "k", "Value": "v"}]})
