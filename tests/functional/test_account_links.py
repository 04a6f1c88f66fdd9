"""Account links through boto3, between two (or three) accounts: the invitation seen by both, accepting,
rejecting, withdrawing, every refusal, idempotent creation, lookups, filters and pages, and the Region."""

import re

import pytest

from tests.helpers import code, pages, said
from tests.helpers import other_account as new_account

PENDING = "PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT"


@pytest.fixture
def pair(make_client, account):
    """(source account, source client, target account, target client)."""
    target = new_account(account)
    return account, make_client(), target, make_client(account_id=target)


def test_an_invitation_appears_to_the_target(pair):
    source, a, target, b = pair
    link = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]
    assert re.fullmatch(r"link-.{8,24}", link["AccountLinkId"])
    assert (link["AccountLinkStatus"], link["SourceAccountId"], link["TargetAccountId"]) == (PENDING, source, target)
    assert b.list_account_links()["AccountLinks"] == [link]
    assert a.list_account_links()["AccountLinks"] == [link]
    assert b.get_account_link(LinkedAccountId=source)["AccountLink"] == link
    assert a.get_account_link(LinkedAccountId=target)["AccountLink"] == link
    assert b.get_account_link(LinkId=link["AccountLinkId"])["AccountLink"] == link


def test_the_target_accepts(pair):
    source, a, target, b = pair
    link_id = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]["AccountLinkId"]
    assert code(a.accept_account_link_invitation, LinkId=link_id) == "AccessDeniedException"
    accepted = b.accept_account_link_invitation(LinkId=link_id)["AccountLink"]
    assert accepted["AccountLinkStatus"] == "LINKED"
    assert a.get_account_link(LinkId=link_id)["AccountLink"]["AccountLinkStatus"] == "LINKED"
    assert b.accept_account_link_invitation(LinkId=link_id)["AccountLink"] == accepted  # again: nothing changes
    # No unlinking once accepted.
    linked = ("ConflictException", f"The account link {link_id} is LINKED; linked accounts cannot be unlinked.")
    assert said(b.reject_account_link_invitation, LinkId=link_id) == linked
    assert said(a.delete_account_link_invitation, LinkId=link_id) == linked
    assert code(a.create_account_link_invitation, TargetAccountId=target) == "ConflictException"
    assert code(b.create_account_link_invitation, TargetAccountId=source) == "ConflictException"


def test_the_target_rejects(pair):
    source, a, target, b = pair
    link_id = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]["AccountLinkId"]
    assert code(a.reject_account_link_invitation, LinkId=link_id) == "AccessDeniedException"
    assert b.reject_account_link_invitation(LinkId=link_id)["AccountLink"]["AccountLinkStatus"] == "REJECTED"
    assert b.reject_account_link_invitation(LinkId=link_id)["AccountLink"]["AccountLinkStatus"] == "REJECTED"
    assert a.get_account_link(LinkId=link_id)["AccountLink"]["AccountLinkStatus"] == "REJECTED"
    assert code(b.accept_account_link_invitation, LinkId=link_id) == "ConflictException"
    # A new invitation replaces the rejected one, on both sides.
    again = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]
    assert again["AccountLinkId"] != link_id and again["AccountLinkStatus"] == PENDING
    assert [link["AccountLinkId"] for link in b.list_account_links()["AccountLinks"]] == [again["AccountLinkId"]]
    assert code(b.get_account_link, LinkId=link_id) == "ResourceNotFoundException"


def test_the_source_withdraws_its_invitation(pair):
    source, a, target, b = pair
    link = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]
    assert code(b.delete_account_link_invitation, LinkId=link["AccountLinkId"]) == "AccessDeniedException"
    assert a.delete_account_link_invitation(LinkId=link["AccountLinkId"])["AccountLink"] == link
    for client in (a, b):
        assert client.list_account_links()["AccountLinks"] == []
        assert code(client.get_account_link, LinkId=link["AccountLinkId"]) == "ResourceNotFoundException"
    assert code(b.accept_account_link_invitation, LinkId=link["AccountLinkId"]) == "ResourceNotFoundException"
    assert code(a.delete_account_link_invitation, LinkId=link["AccountLinkId"]) == "ResourceNotFoundException"


def test_one_invitation_per_pair_and_client_tokens(pair):
    source, a, target, b = pair
    first = a.create_account_link_invitation(TargetAccountId=target, ClientToken="token-1")["AccountLink"]
    assert a.create_account_link_invitation(TargetAccountId=target, ClientToken="token-1")["AccountLink"] == first
    assert code(a.create_account_link_invitation, TargetAccountId=target, ClientToken="token-2") == "ConflictException"
    assert code(a.create_account_link_invitation, TargetAccountId=target) == "ConflictException"
    assert code(b.create_account_link_invitation, TargetAccountId=source) == "ConflictException"
    assert code(a.create_account_link_invitation, TargetAccountId=source) == "ValidationException"
    assert code(a.create_account_link_invitation, TargetAccountId="12345") == "ValidationException"


def test_get_account_link_lookups(pair, make_client):
    source, a, target, b = pair
    link_id = a.create_account_link_invitation(TargetAccountId=target)["AccountLink"]["AccountLinkId"]
    assert a.get_account_link(LinkId=link_id, LinkedAccountId=target)["AccountLink"]["AccountLinkId"] == link_id
    assert code(a.get_account_link, LinkId=link_id, LinkedAccountId=source) == "ResourceNotFoundException"
    assert code(a.get_account_link) == "ValidationException"
    assert code(a.get_account_link, LinkId="link-abcdefgh1234") == "ResourceNotFoundException"
    assert code(a.get_account_link, LinkedAccountId=new_account(source, target)) == "ResourceNotFoundException"
    # A third account sees nothing of the pair's link.
    third = make_client(account_id=new_account(source, target))
    assert code(third.get_account_link, LinkId=link_id) == "ResourceNotFoundException"
    assert code(third.accept_account_link_invitation, LinkId=link_id) == "ResourceNotFoundException"
    assert third.list_account_links()["AccountLinks"] == []


def test_list_filters_and_pages(ws, make_client, account):
    targets = []
    for _ in range(5):
        targets.append(new_account(account, *targets))
        ws.create_account_link_invitation(TargetAccountId=targets[-1])
    make_client(account_id=targets[0]).accept_account_link_invitation(
        LinkId=ws.get_account_link(LinkedAccountId=targets[0])["AccountLink"]["AccountLinkId"])
    make_client(account_id=targets[1]).reject_account_link_invitation(
        LinkId=ws.get_account_link(LinkedAccountId=targets[1])["AccountLink"]["AccountLinkId"])

    def linked_to(**kw):
        return {link["TargetAccountId"] for link in ws.list_account_links(**kw)["AccountLinks"]}

    assert linked_to() == set(targets)
    assert linked_to(LinkStatusFilter=["LINKED"]) == {targets[0]}
    assert linked_to(LinkStatusFilter=["LINKED", "REJECTED"]) == {targets[0], targets[1]}
    assert linked_to(LinkStatusFilter=[PENDING]) == set(targets[2:])
    seen = []
    for page in pages(ws.list_account_links, MaxResults=2):
        assert len(page["AccountLinks"]) <= 2
        seen += [link["AccountLinkId"] for link in page["AccountLinks"]]
    assert len(seen) == 5 and seen == sorted(seen)
    assert code(ws.list_account_links, NextToken="???") == "ValidationException"


def test_a_link_lives_in_the_region_of_its_invitation(pair, make_client):
    source, a, target, b = pair
    a.create_account_link_invitation(TargetAccountId=target)
    for account_id in (source, target):
        assert make_client(region="us-west-2", account_id=account_id).list_account_links()["AccountLinks"] == []
