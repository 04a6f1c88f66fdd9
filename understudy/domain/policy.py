"""Permissions (`--policy FILE`): which statements apply to a caller, and IAM's evaluation order.

The file maps a principal, an access key or an account id, to IAM-shaped statements:
`{"policies": {"AKIADEV": [{"Effect": "Deny", "Action": "workspaces:Terminate*",
"Resource": "arn:aws:workspaces:*:*:workspace/ws-*"}]}}` (a value may also be `{"Statement": [...]}`).
Evaluation follows IAM: an explicit Deny wins, then an Allow, else the call is denied; a caller with
no statement at all is allowed, so the emulator stays open by default.
[AWS: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html]

Resources are the ids a request names (recognised by their prefix, `ws-`, `d-`, ...), as ARNs. A
request that names none (Describe without ids, Create*) cannot be known before its handler runs,
so it is matched on the action alone and reported as resource `*`.
Where the model says so (CreateWorkspaceImage, CreateUpdatedWorkspaceImage, CreateWorkspaceBundle),
a creation with Tags also needs `workspaces:CreateTags`, matched on the action alone.
"""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from understudy.domain.errors import AccessDeniedException
from understudy.domain.families import ARN_TYPES
from understudy.domain.scope import Scope

# The resource type in each id's ARN: families.ARN_TYPES
# [AWS: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonworkspaces.html]
_KNOWN_KEYS = {"Effect", "Action", "Resource", "Sid"}

# Creations whose model says that adding Tags at creation also needs `workspaces:CreateTags`
# [AWS, model doc of each operation's Tags member]. The new resource has no ARN yet, so CreateTags is
# matched on its action alone, as a request without ids is.
_TAGS_NEED_CREATE_TAGS = frozenset({"CreateWorkspaceImage", "CreateUpdatedWorkspaceImage", "CreateWorkspaceBundle"})


class PolicyError(ValueError):
    pass


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: tuple[str, ...]
    resources: tuple[str, ...]


def parse(document: object) -> dict[str, tuple[Statement, ...]]:
    """The policy file's JSON -> principal: statements. Refuses what it would not enforce (NotAction, Condition)."""
    if not isinstance(document, dict) or not isinstance(document.get("policies"), dict):
        raise PolicyError('a policy file is {"policies": {"ACCESS_KEY_OR_ACCOUNT": [statements]}}')
    return {str(who): tuple(_statement(who, s) for s in _statements(who, p)) for who, p in document["policies"].items()}


def _statements(who: str, policy: object) -> list[Any]:
    statements = policy.get("Statement") if isinstance(policy, dict) else policy
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list):
        raise PolicyError(f"the policy of {who} must be a list of statements or {{'Statement': [...]}}")
    return statements


def _statement(who: str, s: object) -> Statement:
    if not isinstance(s, dict) or s.get("Effect") not in ("Allow", "Deny") or "Action" not in s:
        raise PolicyError(f"a statement of {who} needs Effect (Allow or Deny) and Action: {s!r}")
    unknown = set(s) - _KNOWN_KEYS
    if unknown:
        raise PolicyError(f"a statement of {who} uses {', '.join(sorted(unknown))}, which Understudy does not enforce")
    return Statement(s["Effect"], _strings(who, s["Action"]), _strings(who, s.get("Resource", "*")))


def _strings(who: str, value: object) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values):
        raise PolicyError(f"Action and Resource of {who} must be a string or a list of strings")
    return tuple(values)


@cache
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    # IAM wildcards are `*` (any run) and `?` (one character); nothing else is special.
    body = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _matches(statement: Statement, action: str, resource: str | None) -> bool:
    # Action names are case-insensitive in IAM, ARNs are not.
    if not any(_wildcard(a, True).fullmatch(action) for a in statement.actions):
        return False
    return resource is None or any(_wildcard(r, False).fullmatch(resource) for r in statement.resources)


def resource_arns(service: str, scope: Scope, params: object) -> list[str]:
    """The ARNs of every id the request names, in the order they appear."""
    found: list[str] = []
    _collect(params, False, found)
    arns = []
    for rid in found:
        kind = next((k for prefix, k in ARN_TYPES if rid.startswith(prefix)), None)
        if kind is not None:
            arns.append(f"arn:aws:{service}:{scope.region}:{scope.account_id}:{kind}/{rid}")
    return list(dict.fromkeys(arns))


def _collect(value: object, is_id: bool, out: list[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _collect(v, str(k).endswith(("Id", "Ids")), out)
    elif isinstance(value, list):
        for v in value:
            _collect(v, is_id, out)
    elif is_id and isinstance(value, str):
        out.append(value)


def authorize(policies: dict[str, tuple[Statement, ...]], access_key: str | None, scope: Scope, service: str,
              operation: str, params: dict[str, Any]) -> None:
    """Raises AccessDeniedException unless the caller's statements (its key's and its account's) allow the call."""
    statements = policies.get(access_key or "", ()) + policies.get(scope.account_id, ())
    if not statements:
        return
    resources: list[str | None] = [*resource_arns(service, scope, params)] or [None]
    checks = [(f"{service}:{operation}", resource) for resource in resources]
    if service == "workspaces" and operation in _TAGS_NEED_CREATE_TAGS and params.get("Tags"):
        checks.append(("workspaces:CreateTags", None))
    for action, resource in checks:
        denied = any(s.effect == "Deny" and _matches(s, action, resource) for s in statements)
        if denied or not any(s.effect == "Allow" and _matches(s, action, resource) for s in statements):
            user = f"arn:aws:iam::{scope.account_id}:user/{access_key or 'anonymous'}"
            # The reasons are AWS's current wording (github.com/aws-samples/aws-iot-twinmaker-samples/issues/65).
            why = ("with an explicit deny in an identity-based policy" if denied
                   else f"because no identity-based policy allows the {action} action")
            raise AccessDeniedException(
                f"User: {user} is not authorized to perform: {action} on resource: {resource or '*'} {why}")
