"""The validator: one case per constraint kind, AWS's exact wording, several failures at once."""

import pytest

from understudy.domain.errors import ValidationException
from understudy.protocol import spec, validator


def check(operation: str, params: dict, service: str = "workspaces") -> str:
    with pytest.raises(ValidationException) as e:
        validator.validate(spec.operation_model(service, operation), params)
    return e.value.message


def test_valid_input_passes():
    op = spec.operation_model("workspaces", "CreateStandbyWorkspaces")
    item = {"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890"}
    validator.validate(op, {"PrimaryRegion": "us-east-1", "StandbyWorkspaces": [item]})


def test_required_member():
    assert check("CreateStandbyWorkspaces", {"StandbyWorkspaces": []}) == (
        "1 validation error detected: Value null at 'primaryRegion' failed to satisfy constraint: "
        "Member must not be null")


def test_pattern():
    msg = check("CreateStandbyWorkspaces", {"PrimaryRegion": "US", "StandbyWorkspaces": []})
    assert msg == ("1 validation error detected: Value 'US' at 'primaryRegion' failed to satisfy constraint: "
                   "Member must satisfy regular expression pattern: ^[-0-9a-z]{1,31}$")


def test_string_length_min_and_max():
    assert "Member must have length greater than or equal to 1" in check(
        "CreateStandbyWorkspaces", {"PrimaryRegion": "", "StandbyWorkspaces": []})
    assert "Member must have length less than or equal to 31" in check(
        "CreateStandbyWorkspaces", {"PrimaryRegion": "a" * 32, "StandbyWorkspaces": []})


def test_list_length():
    msg = check("DescribeWorkspaces", {"WorkspaceIds": []})
    assert msg == ("1 validation error detected: Value '[]' at 'workspaceIds' failed to satisfy constraint: "
                   "Member must have length greater than or equal to 1")


def test_number_range():
    msg = check("DescribeWorkspaces", {"Limit": 26})
    assert msg == ("1 validation error detected: Value '26' at 'limit' failed to satisfy constraint: "
                   "Member must have value less than or equal to 25")


def test_enum():
    msg = check("ModifyWorkspaceState", {"WorkspaceId": "ws-abcdefghi", "WorkspaceState": "BROKEN"})
    assert msg == ("1 validation error detected: Value 'BROKEN' at 'workspaceState' failed to satisfy constraint: "
                   "Member must satisfy enum value set: [AVAILABLE, ADMIN_MAINTENANCE]")


def test_nested_list_member_paths():
    msg = check("CreateStandbyWorkspaces", {"PrimaryRegion": "us-east-1", "StandbyWorkspaces": [
        {"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "d-1234567890"},
        {"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "x-1234567890"}]})
    assert "at 'standbyWorkspaces.2.member.directoryId' failed to satisfy constraint" in msg


def test_several_failures_reported_at_once():
    msg = check("CreateStandbyWorkspaces", {"PrimaryRegion": "US", "StandbyWorkspaces": [{"DirectoryId": "bad"}]})
    assert msg.startswith("4 validation errors detected: ")
    parts = msg.removeprefix("4 validation errors detected: ").split("; ")
    assert [p.split("' failed")[0].split(" at '")[1] for p in parts] == [
        "primaryRegion", "standbyWorkspaces.1.member.primaryWorkspaceId",
        "standbyWorkspaces.1.member.directoryId", "standbyWorkspaces.1.member.directoryId"]


def test_directory_service_model_validates_too():
    msg = check("DescribeDirectories", {"Limit": -1}, service="ds")
    assert "Member must have value greater than or equal to 0" in msg


def test_an_error_does_not_grow_with_the_input():
    """A 12 MB logo once came back inside a 59 MB error message."""
    logo = b"\0" * 12_000_000
    msg = check("ImportClientBranding", {"ResourceId": "d-1234567890", "DeviceTypeWindows": {"Logo": logo}})
    assert msg == ("1 validation error detected: Value 'java.nio.HeapByteBuffer[pos=0 lim=12000000 cap=12000000]' "
                   "at 'deviceTypeWindows.logo' failed to satisfy constraint: Member must have length less than or "
                   "equal to 1500000")
    long_name = "x" * 5000
    msg = check("CreateConnectionAlias", {"ConnectionString": long_name})
    assert f"Value '{'x' * validator.SHOWN_CHARS}...' at 'connectionString'" in msg and len(msg) < 1000


def test_patterns_written_in_javas_terms_are_read_as_java_reads_them():
    """ds's TagKey names Unicode properties; its TrustPassword Java's own \\p{LD} and \\p{Punct}."""
    tags = spec.operation_model("ds", "AddTagsToResource")
    for key in ("team a", "Équipe-1", "cost:centre/9"):
        validator.validate(tags, {"ResourceId": "d-1234567890", "Tags": [{"Key": key, "Value": "été"}]})
    assert "tags.1.member.key" in check("AddTagsToResource", {"ResourceId": "d-1234567890",
                                                              "Tags": [{"Key": "bad#key", "Value": "v"}]}, "ds")
    trust = {"DirectoryId": "d-1234567890", "RemoteDomainName": "corp.example.com", "TrustDirection": "Two-Way"}
    validator.validate(spec.operation_model("ds", "CreateTrust"), {**trust, "TrustPassword": "Pässw0rd! #1"})
    assert "trustPassword" in check("CreateTrust", {**trust, "TrustPassword": "tab\there"}, "ds")


def test_a_shape_whose_check_failed_to_build_is_never_checked_in_part():
    """A member whose check cannot be built (here a pattern no regex engine reads; none of today's models has one)
    fails every request that reaches it: the members built before it are never kept as the whole check, which
    would pass the next request with the later members, required ones included, unchecked."""
    from botocore.model import ShapeResolver

    shapes = ShapeResolver({
        "Input": {"type": "structure", "required": ["Size", "Name"],
                  "members": {"Size": {"shape": "Size"}, "Name": {"shape": "Broken"}}},
        "Broken": {"type": "string", "pattern": "(unclosed"}, "Size": {"type": "integer", "min": 1},
    })
    checker = validator._checker(shapes.get_shape_by_name("Input"))
    for _ in range(2):
        with pytest.raises(Exception) as e:
            checker({"Size": 5}, "", [])
        assert not isinstance(e.value, ValidationException)
