"""Tags of every taggable WorkSpaces resource: CreateTags, DeleteTags, DescribeTags, and
`tag_problem`, the tag rules that operations creating resources with tags apply too.

Rules [AWS] https://docs.aws.amazon.com/workspaces/latest/adminguide/tag-workspaces-resources.html
(docs/evidence.md "Tags"): at most 50 tags per resource; keys starting with `aws:` (any case) are
reserved; letters, digits, spaces and `+ - = . _ : / @` only; case-sensitive; a key given again
overwrites its value. Lengths are the model's and checked before handlers run.
"""

import re

from understudy.domain.errors import (
    InvalidParameterValuesException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
)
from understudy.domain.families import TAGGABLE
from understudy.operations.context import Context, Handler

_MAX_TAGS = 50
# \w: Unicode letters and digits, and `_`. [CHOSEN] "Spaces" is the space character: no tabs or newlines.
_ALLOWED = re.compile(r"[\w +=.:/@-]*")
_RESERVED = "aws:"



def as_dict(tags: list[dict]) -> dict[str, str]:
    """A request's tag list as key -> value; a tag without a value has the empty one, and a repeated key its last."""
    return {tag["Key"]: tag.get("Value") or "" for tag in tags}


def _invalid(tags: list[dict]) -> str | None:
    for tag in tags:
        key, value = tag["Key"], tag.get("Value") or ""
        if key.lower().startswith(_RESERVED):
            return f"The tag key {key} is not valid: the prefix aws: is reserved for AWS use."
        if not (_ALLOWED.fullmatch(key) and _ALLOWED.fullmatch(value)):
            return (f"The tag {key} is not valid: keys and values may contain only letters, digits, spaces "
                    "and + - = . _ : / @.")
    return None


def _too_many(tags: list[dict], existing: dict[str, str]) -> str | None:
    count = len(set(existing) | {tag["Key"] for tag in tags})
    if count > _MAX_TAGS:
        return f"A resource can have at most {_MAX_TAGS} tags; these tags would give it {count}."
    return None


def tag_problem(new_tags: list[dict], existing: dict[str, str] | None = None) -> str | None:
    """What is wrong with adding `new_tags` to a resource that has `existing` tags, or None if nothing is."""
    return _invalid(new_tags) or _too_many(new_tags, existing or {})


def _taggable(ctx: Context, resource_id: str) -> str:
    """The id of an existing taggable resource of the caller, or ResourceNotFoundException.

    [CHOSEN] Amazon's public bundles are not the caller's and so are not found: only custom bundles
    are taggable (CreateTags documentation in the model).
    """
    kind = TAGGABLE.get(resource_id.split("-", 1)[0])
    if kind is None or ctx.tx.get(kind, resource_id) is None:
        raise ResourceNotFoundException(f"The resource {resource_id} could not be found.", resource_id=resource_id)
    return resource_id


def create_tags(ctx: Context, request: dict) -> dict:
    rid = _taggable(ctx, request["ResourceId"])
    tags = request["Tags"]
    problem = _invalid(tags)
    if problem:
        raise InvalidParameterValuesException(problem)
    problem = _too_many(tags, ctx.tx.tags(rid))
    if problem:
        raise ResourceLimitExceededException(problem)
    # [CHOSEN] A key repeated within one request keeps its last value, as a later CreateTags would.
    ctx.tx.put_tags(rid, as_dict(tags))
    return {}


def delete_tags(ctx: Context, request: dict) -> dict:
    rid = _taggable(ctx, request["ResourceId"])
    keys = request["TagKeys"]
    reserved = [key for key in keys if key.lower().startswith(_RESERVED)]
    if reserved:
        # AWS-managed tags cannot be deleted (AWS tag restrictions, as above).
        raise InvalidParameterValuesException(f"The tag key {reserved[0]} is not valid: the prefix aws: is "
                                              "reserved for AWS use.")
    # [CHOSEN] Keys the resource does not have are ignored, as in other AWS DeleteTags operations.
    ctx.tx.delete_tags(rid, keys)
    return {}


def describe_tags(ctx: Context, request: dict) -> dict:
    rid = _taggable(ctx, request["ResourceId"])
    return {"TagList": [{"Key": key, "Value": value} for key, value in ctx.tx.tags(rid).items()]}


OPERATIONS: dict[str, Handler] = {
    "CreateTags": create_tags,
    "DeleteTags": delete_tags,
    "DescribeTags": describe_tags,
}
