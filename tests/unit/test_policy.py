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
