"""Families declared once (domain/families.py): the derived tables, a hypothetical new family, and the
declared document shapes (domain/documents.py) kept whole."""

import os
import re
import uuid
from pathlib import Path

import pytest

from understudy import config
from understudy.domain import families, ids, policy
from understudy.domain.documents import DOCUMENTS
from understudy.domain.errors import AccessDeniedException
from understudy.domain.families import FAMILIES, Family, Quota, Timed, derive
from understudy.domain.resources import Kind
from understudy.domain.scope import Scope

ROOT = Path(__file__).resolve().parents[2]


def test_every_family_makes_ids_of_its_own_shape():
    for family in FAMILIES:
        if family.prefix:
            new = {family.new_id() for _ in range(20)}
            assert len(new) == 20
            for rid in new:
                assert rid.startswith(family.prefix)
                assert len(rid) == len(family.prefix) + family.id_length
                assert set(rid[len(family.prefix):]) <= set(family.id_alphabet)


def test_request_ids_are_uuids_that_never_repeat_in_a_process_or_its_forks():
    mine = [ids.request_id() for _ in range(1000)]
    assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 4 for i in mine) and len(set(mine)) == 1000
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # a forked server process (`serve --workers N`) draws its own
        os.write(write, " ".join(ids.request_id() for _ in range(1000)).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        theirs = pipe.read().split()
    os.waitpid(pid, 0)
    after = [ids.request_id() for _ in range(1000)]
    assert len(theirs) == 1000 and not set(theirs) & set(mine + after)
    assert {i.rsplit("-", 1)[0] for i in theirs}.isdisjoint(i.rsplit("-", 1)[0] for i in mine)


def test_the_tag_table_holds_exactly_the_taggable_families():
    assert families.TAGGABLE == {"ws": "workspace", "d": "directory", "wsd": "directory", "wsi": "image",
                                 "wsb": "bundle", "wsipg": "ip_group", "wsca": "connection_alias", "wspool": "pool"}


def test_policies_read_the_longest_prefix_first():
    prefixes = [prefix for prefix, _ in families.ARN_TYPES]
    for i, prefix in enumerate(prefixes):
        assert not any(prefix.startswith(shorter) for shorter in prefixes[:i])
    assert dict(families.ARN_TYPES)["wsb-"] == "workspacebundle"
    assert dict(families.ARN_TYPES)["ws-"] == "workspace"


def test_quota_profiles_come_from_the_families():
    assert config.QUOTA_PROFILES["aws"] == {q.name: q.aws for q in families.QUOTAS.values()}
    assert config.QUOTA_PROFILES["aws"]["standby_workspaces"] == 0
    assert config.QUOTA_PROFILES["aws"]["connection_aliases"] == 20
    assert config.Settings(quota_profile="aws").quota("images") == 40


@pytest.mark.parametrize("profile", ["instant", "fast", "realistic"])
def test_every_transition_has_a_length_in_every_profile(profile):
    for timed in derive(FAMILIES).timed.values():
        seconds = timed.seconds(profile)
        assert seconds == 0 if profile == "instant" else seconds > 0
    assert families.WORKSPACE_PROVISION.seconds("realistic") == 20 * 60


def test_a_hypothetical_family_reaches_every_table():
    create = Timed("widget.create", 1.0, 60)
    widget = Family(kinds=(Kind("widget", id="WidgetId", state="State", label="WidgetName"),), prefix="wsw-",
                    arn_type="workspacewidget", taggable=True, quotas=(Quota("widgets", 100, 20),), timed=(create,))
    tables = derive((*FAMILIES, widget))
    assert tables.kinds["widget"].column_of("WidgetName") == "label"
    assert tables.taggable["wsw"] == "widget"
    assert dict(tables.arn_types)["wsw-"] == "workspacewidget"
    assert [p for p, _ in tables.arn_types].index("wsw-") < [p for p, _ in tables.arn_types].index("ws-")
    assert tables.quotas["widgets"].aws == 20
    assert tables.timed["widget.create"] is create
    assert widget.new_id().startswith("wsw-")


def test_a_family_declared_twice_is_refused():
    with pytest.raises(AssertionError):
        derive((*FAMILIES, families.POOL))


def test_lookups_name_fields_the_kind_indexes():
    kind = families.KINDS["application_association"]
    assert kind.column_of("WorkspaceId") == "label"
    with pytest.raises(KeyError):
        kind.column_of("ApplicationId")


def test_a_policy_names_resources_by_the_families_arn_types():
    policies = policy.parse({"policies": {"AKIA": [{
        "Effect": "Allow", "Action": "workspaces:*",
        "Resource": "arn:aws:workspaces:us-east-1:111122223333:workspacespool/*"}]}})
    scope = Scope("111122223333", "us-east-1")
    policy.authorize(policies, "AKIA", scope, "workspaces", "DescribeWorkspacesPools",
                     {"PoolIds": ["wspool-abcdefghi"]})
    with pytest.raises(AccessDeniedException):
        policy.authorize(policies, "AKIA", scope, "workspaces", "DescribeWorkspaces",
                         {"WorkspaceIds": ["ws-abcdefghi"]})


def test_every_stored_kind_has_a_declared_shape():
    assert set(DOCUMENTS) == set(families.KINDS)


def test_every_private_key_the_code_uses_is_declared():
    declared = {key for shape in DOCUMENTS.values() for key in shape.__annotations__} | {
        "_Family"}  # the application catalogue's (ApplicationDoc), not a stored kind
    used = set()
    for path in (ROOT / "understudy").rglob("*.py"):
        # a key in quotes, not the tail of a value such as "_WSP" in endswith("_WSP")
        used |= set(re.findall(r'(?<!endswith\()"(_[A-Z][A-Za-z0-9]+)"', path.read_text()))
    assert used - declared == set()
