"""The wire as clients see it: every error kind, headers, non-API paths, Regions and accounts."""

import httpx
import orjson
import pytest
from botocore import xform_name
from botocore.exceptions import ClientError

from understudy.operations import OPERATIONS
from understudy.protocol import spec


def raw(server, target: str | None, body: bytes = b"{}", region: str = "us-east-1", **headers) -> httpx.Response:
    h = {"content-type": "application/x-amz-json-1.1",
         "authorization": f"AWS4-HMAC-SHA256 Credential=111122223333/20261127/{region}/workspaces/aws4_request, "
                          "SignedHeaders=host, Signature=abc"}
    if target is not None:
        h["X-Amz-Target"] = target
    h.update(headers)
    return server.request("POST", "/", content=body, headers=h)


def assert_aws_error(r: httpx.Response, status: int, code: str) -> dict:
    assert r.status_code == status
    assert r.headers["x-amzn-ErrorType"] == code
    assert r.headers["x-amzn-RequestId"]
    body = orjson.loads(r.content)
    assert body["__type"] == code and body["message"]
    return body


def test_success_carries_a_request_id_and_the_json_content_type(ws):
    r = ws.describe_account()
    assert r["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert r["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"
    assert len(r["ResponseMetadata"]["RequestId"]) == 36


def test_unknown_operation(server):
    assert_aws_error(raw(server, "WorkspacesService.LaunchRocket"), 400, "UnknownOperationException")
    assert_aws_error(raw(server, None), 400, "UnknownOperationException")


def test_body_that_is_not_json(server):
    assert_aws_error(raw(server, "WorkspacesService.DescribeAccount", b"{oops"), 400, "SerializationException")


def test_wrong_json_type(server):
    r = raw(server, "WorkspacesService.DescribeWorkspaces", b'{"Limit": "ten"}')
    assert assert_aws_error(r, 400, "SerializationException")["message"] == (
        "STRING_VALUE can not be converted to an Integer")


def test_header_names_in_any_case(server):
    r = raw(server, None, **{"x-amz-target": "WorkspacesService.DescribeAccount"})
    assert r.status_code == 200
    r = raw(server, None, **{"X-AMZ-TARGET": "WorkspacesService.DescribeAccount"})
    assert r.status_code == 200


def test_validation_botocore_does_not_do_is_done_by_the_server(ws):
    with pytest.raises(ClientError) as e:
        ws.create_standby_workspaces(PrimaryRegion="US-EAST-1", StandbyWorkspaces=[
            {"PrimaryWorkspaceId": "ws-abcdefghi", "DirectoryId": "x-123456789"}])
    err = e.value.response["Error"]
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith("2 validation errors detected: Value 'US-EAST-1' at 'primaryRegion'")
    assert "'standbyWorkspaces.1.member.directoryId'" in err["Message"]


@pytest.mark.parametrize("call", [
    lambda ws: ws.create_ip_group(GroupName="a\x00b"),
    lambda ws: ws.describe_tags(ResourceId="wsipg-\x00"),
    lambda ws: ws.describe_workspaces(DirectoryId="d-1234567890", UserName="a\x00b"),
], ids=["create", "describe-tags", "describe-by-user"])
def test_a_string_holding_nul_is_a_validation_error_on_every_store(ws, call):
    """PostgreSQL cannot store or compare U+0000: it answered these 500 (SQLite, 200 or 404)."""
    with pytest.raises(ClientError) as e:
        call(ws)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "Member must not contain the NUL character (U+0000)" in e.value.response["Error"]["Message"]


def test_a_name_longer_than_any_column_is_kept_whole_on_every_store(ws):
    """The model bounds no IP group name: PostgreSQL's VARCHAR(255) answered a longer one 500."""
    name = "n" * 1000
    group = ws.create_ip_group(GroupName=name)["GroupId"]
    assert ws.describe_ip_groups(GroupIds=[group])["Result"][0]["groupName"] == name


def _unimplemented_without_required_members() -> tuple[str, str]:
    """(X-Amz-Target prefix, operation): WorkSpaces first, then the Directory Service operations beyond its slice."""
    for prefix, service in spec.SERVICES.items():
        for name in spec.operation_names(service):
            shape = spec.operation_model(service, name).input_shape
            if (service, name) not in OPERATIONS and not (shape and shape.required_members):
                return prefix, name
    raise AssertionError("every operation of both models is implemented: point these tests elsewhere")


def test_operations_not_implemented_answer_501_naming_them(server):
    prefix, name = _unimplemented_without_required_members()
    body = assert_aws_error(raw(server, f"{prefix}.{name}"), 501, "NotImplementedException")
    assert name in body["message"]


def test_boto3_sees_not_implemented_without_retrying(server):
    prefix, name = _unimplemented_without_required_members()
    service = spec.SERVICES[prefix]
    client = server.client(service, retries=None)  # botocore's default retries
    with pytest.raises(ClientError) as e:
        getattr(client, xform_name(name))()
    assert e.value.response["Error"]["Code"] == "NotImplementedException"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert e.value.response["ResponseMetadata"]["RetryAttempts"] == 0


@pytest.mark.parametrize(("method", "path", "status"), [
    ("PUT", "/", 405), ("GET", "/index.html", 404), ("POST", "/api/v1", 404),
    ("GET", "/_understudy/nope", 404), ("DELETE", "/_understudy/clock", 405),
])
def test_other_paths_and_methods_answer_json_never_html(server, method, path, status):
    r = server.request(method, path)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/json")
    assert orjson.loads(r.content)["error"]


def test_region_without_a_workspaces_endpoint_is_refused(make_client):
    with pytest.raises(ClientError) as e:
        make_client(region="us-west-1").describe_account()
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert e.value.response["Error"]["Code"] == "InvalidRegionException"
    assert "us-west-1" in e.value.response["Error"]["Message"]


def test_directory_service_target_answers_on_the_same_endpoint(make_client, server):
    r = server.request("POST", "/", content=b"{}", headers={
        "X-Amz-Target": "DirectoryService_20150416.NoSuchThing", "content-type": "application/x-amz-json-1.1"})
    assert_aws_error(r, 400, "UnknownOperationException")


def test_regions_are_isolated(make_client):
    east, west = make_client(region="us-east-1"), make_client(region="us-west-2")
    east.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.0.0.0/16")
    assert east.describe_account()["DedicatedTenancySupport"] == "ENABLED"
    assert west.describe_account()["DedicatedTenancySupport"] == "DISABLED"
    assert "DedicatedTenancyManagementCidrRange" not in west.describe_account()


def test_accounts_are_isolated(make_client):
    mine, theirs = make_client(account_id="111111111111"), make_client(account_id="222222222222")
    mine.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.1.0.0/16")
    assert theirs.describe_account()["DedicatedTenancySupport"] == "DISABLED"


def test_keys_that_are_not_12_digits_share_the_default_account(make_client):
    a, b = make_client(account_id="AKIAEXAMPLEKEYONE"), make_client(account_id="AKIAEXAMPLEKEYTWO")
    a.modify_account(DedicatedTenancySupport="ENABLED", DedicatedTenancyManagementCidrRange="10.2.0.0/16")
    assert b.describe_account()["DedicatedTenancyManagementCidrRange"] == "10.2.0.0/16"
