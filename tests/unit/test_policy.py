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


def refusal(statements: list, operation: str, params: dict, key: str | None = "AKIA1") -> str:
    """The AccessDeniedException message a call gets from a policy of `key`'s (it must be refused)."""
    with pytest.raises(AccessDeniedException) as e:
        authorize(parse({"policies": {key or "123456789012": statements}}), key, SCOPE, "workspaces", operation,
                  params)
    return e.value.message


def test_a_refusal_names_the_caller_the_action_the_resource_and_why_as_aws_words_it():
    arn = "arn:aws:workspaces:eu-west-1:123456789012:workspace/ws-prod1"
    deny = [{"Effect": "Allow", "Action": "*"}, {"Effect": "Deny", "Action": "workspaces:Reboot*"}]
    assert refusal(deny, "RebootWorkspaces", {"RebootWorkspaceRequests": [{"WorkspaceId": "ws-prod1"}]}) == (
        f"User: arn:aws:iam::123456789012:user/AKIA1 is not authorized to perform: workspaces:RebootWorkspaces on "
        f"resource: {arn} with an explicit deny in an identity-based policy")
    assert refusal([{"Effect": "Allow", "Action": "workspaces:Describe*"}], "ModifyAccount", {}, key=None) == (
        "User: arn:aws:iam::123456789012:user/anonymous is not authorized to perform: workspaces:ModifyAccount on "
        "resource: * because no identity-based policy allows the workspaces:ModifyAccount action")


def test_the_account_s_statements_apply_beside_the_key_s():
    policies = parse({"policies": {"AKIA1": [{"Effect": "Allow", "Action": "*"}],
                                   "123456789012": [{"Effect": "Deny", "Action": "workspaces:ModifyAccount"}]}})
    authorize(policies, "AKIA1", SCOPE, "workspaces", "DescribeAccount", {})
    with pytest.raises(AccessDeniedException):
        authorize(policies, "AKIA1", SCOPE, "workspaces", "ModifyAccount", {})


def test_resource_patterns_are_case_sensitive_and_whole():
    statements = [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:workspaces:*:*:workspace/ws-ab?"}]
    assert allowed(statements, "RebootWorkspaces", {"RebootWorkspaceRequests": [{"WorkspaceId": "ws-abc"}]})
    for other in ("ws-ABC", "ws-abcd", "ws-ab"):
        assert not allowed(statements, "RebootWorkspaces", {"RebootWorkspaceRequests": [{"WorkspaceId": other}]})


def test_a_statement_document_may_hold_one_statement_or_a_list():
    one = parse({"policies": {"K": {"Statement": {"Effect": "Deny", "Action": "*"}}}})
    document = parse({"policies": {"K": {"Statement": [{"Effect": "Deny", "Action": ["a:b", "c:*"],
                                                        "Resource": ["*"], "Sid": "x"}]}}})
    assert one["K"][0].effect == "Deny" and one["K"][0].actions == ("*",) and one["K"][0].resources == ("*",)
    assert document["K"][0].actions == ("a:b", "c:*")


@pytest.mark.parametrize(("document", "message"), [
    ({"policies": []}, 'a policy file is {"policies": {"ACCESS_KEY_OR_ACCOUNT": [statements]}}'),
    ({"policies": {"K": "Allow"}}, "the policy of K must be a list of statements or {'Statement': [...]}"),
    ({"policies": {"K": ["Allow"]}}, "a statement of K needs Effect (Allow or Deny) and Action: 'Allow'"),
    ({"policies": {"K": [{"Effect": "Allow", "Action": "*", "NotAction": "x", "Condition": {}}]}},
     "a statement of K uses Condition, NotAction, which Understudy does not enforce"),
    ({"policies": {"K": [{"Effect": "Allow", "Action": ["*", 1]}]}},
     "Action and Resource of K must be a string or a list of strings"),
])
def test_a_refused_policy_file_says_what_is_wrong(document, message):
    with pytest.raises(PolicyError) as e:
        parse(document)
    assert str(e.value) == message
