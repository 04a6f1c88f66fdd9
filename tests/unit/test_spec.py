"""The advice a wrong Region or operation name gets (understudy/protocol/spec.py), from botocore's own data."""

from understudy.protocol import spec


def test_a_misspelt_region_gets_up_to_three_close_names_of_regions_with_the_service():
    advice = spec.region_advice("us-est-1")
    names = advice.removeprefix("Did you mean ").removesuffix("?").split(" or ")
    assert advice.startswith("Did you mean ") and len(names) == 3 and names[0] == "us-east-1"
    assert set(names) <= set(spec.endpoint_regions("workspaces"))
    assert "us-west-1" not in names  # no WorkSpaces there
    assert "us-west-1" in spec.region_advice("us-est-1", "ds")  # the Directory Service has it


def test_a_name_no_region_resembles_and_a_real_region_without_the_service():
    assert spec.region_advice("mars-1") == "It is not a Region name AWS uses."
    assert spec.region_advice("us-west-1") == "Start Understudy with --any-region to allow any Region."


def test_a_misspelt_operation_gets_the_closest_name_or_nothing():
    assert spec.operation_advice("workspaces", "DescribeWorkspace") == " Did you mean DescribeWorkspaces?"
    assert spec.operation_advice("ds", "DescribeDirectory") == " Did you mean DescribeDirectories?"
    assert spec.operation_advice("workspaces", "Nothing") == ""
