"""tag_problem: the tag rules every operation that takes Tags applies."""

import pytest

from understudy.operations.tags import tag_problem


def _tags(*keys: str, value: str = "v") -> list[dict]:
    return [{"Key": k, "Value": value} for k in keys]


@pytest.mark.parametrize("tags", [
    [],
    _tags("Name", "cost-centre", "team_a", "a.b:c/d=e+f@g", "with space"),
    _tags("Projekt", "Équipe", "部署"),
    [{"Key": "no-value"}],
    _tags("awsome", "x:aws:y"),
])
def test_valid_tags_have_no_problem(tags):
    assert tag_problem(tags) is None


@pytest.mark.parametrize("key", ["aws:x", "AWS:x", "Aws:workspaces:owner"])
def test_reserved_prefix_in_any_case(key):
    assert "aws:" in tag_problem(_tags("fine", key))


@pytest.mark.parametrize(("key", "value"), [("a#b", "v"), ("k", "a&b"), ("k", "line\nbreak"), ("semi;colon", "")])
def test_characters_outside_the_allowed_set(key, value):
    assert "not valid" in tag_problem([{"Key": key, "Value": value}])


def test_fifty_tags_and_no_more():
    assert tag_problem(_tags(*(f"k{i}" for i in range(50)))) is None
    assert "50" in tag_problem(_tags(*(f"k{i}" for i in range(51))))


def test_existing_tags_count_and_same_keys_overwrite():
    existing = {f"k{i}": "v" for i in range(49)}
    assert tag_problem(_tags("k0", "k1", "new"), existing) is None
    assert "51" in tag_problem(_tags("new", "newer"), existing)


def test_keys_are_case_sensitive_when_counting():
    existing = {f"k{i}": "v" for i in range(50)}
    assert tag_problem(_tags("K0"), existing) is not None
