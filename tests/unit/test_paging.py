"""Cursor pages (understudy/operations/paging.py): a page exactly full has no next token; one more item makes one."""

import pytest

from understudy.domain.errors import InvalidParameterValuesException
from understudy.operations.paging import cut, decode_token, encode_token

ITEMS = [{"Id": "a-1"}, {"Id": "a-2"}, {"Id": "a-3"}]


def test_a_page_exactly_full_is_the_last():
    assert cut(ITEMS, 3, "Id") == (ITEMS, None)
    assert cut(ITEMS, 4, "Id") == (ITEMS, None)


def test_one_item_more_than_the_page_gives_a_token_that_resumes_after_its_last():
    page, token = cut(ITEMS, 2, "Id")
    assert page == ITEMS[:2]
    assert decode_token(token) == "a-2"


def test_items_that_are_ids_are_their_own_cursor():
    page, token = cut(["10.0.0.0/16", "10.1.0.0/16"], 1)
    assert (page, decode_token(token)) == (["10.0.0.0/16"], "10.0.0.0/16")


def test_a_token_round_trips_and_no_token_is_the_start():
    assert decode_token(encode_token("ws-abc/wsa-1")) == "ws-abc/wsa-1"
    assert decode_token(None) is None


@pytest.mark.parametrize("token", ["not base64!", "////", "_w=="])
def test_a_token_that_is_not_ours_is_refused(token):
    with pytest.raises(InvalidParameterValuesException) as e:
        decode_token(token)
    assert e.value.message == "The value for NextToken is not valid."
