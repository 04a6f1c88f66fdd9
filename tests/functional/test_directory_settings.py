"""A registered directory's SAML, certificate-based authentication, streaming and endpoint encryption settings,
changed through boto3 and read back through DescribeWorkspaceDirectories."""

import pytest
from botocore.exceptions import ClientError

from tests.helpers import code

CA = "arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/12345678-1234-1234-1234-123456789012"
IDP = "https://idp.example.com/sso/workspaces"


def directory(ws, directory_id: str) -> dict:
    (doc,) = ws.describe_workspace_directories(DirectoryIds=[directory_id])["Directories"]
    return doc


def test_a_new_directory_has_saml_and_certificates_off_and_standard_tls(ws, registered):
    doc = directory(ws, registered)
    assert doc["SamlProperties"]["Status"] == "DISABLED"
    assert doc["CertificateBasedAuthProperties"] == {"Status": "DISABLED"}
    assert doc["EndpointEncryptionMode"] == "STANDARD_TLS"


def test_saml_is_enabled_with_a_user_access_url(ws, registered):
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"Status": "ENABLED", "UserAccessUrl": IDP})
    assert directory(ws, registered)["SamlProperties"] == {"Status": "ENABLED", "UserAccessUrl": IDP,
                                                           "RelayStateParameterName": "RelayState"}
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"RelayStateParameterName": "target"})
    assert directory(ws, registered)["SamlProperties"]["RelayStateParameterName"] == "target"


def test_saml_cannot_be_enabled_without_a_user_access_url(ws, registered):
    for status in ("ENABLED", "ENABLED_WITH_DIRECTORY_LOGIN_FALLBACK"):
        assert code(ws.modify_saml_properties, ResourceId=registered, SamlProperties={"Status": status}) == \
            "InvalidParameterValuesException"
    assert directory(ws, registered)["SamlProperties"]["Status"] == "DISABLED"


def test_saml_properties_are_deleted(ws, registered):
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"UserAccessUrl": IDP})
    ws.modify_saml_properties(ResourceId=registered, PropertiesToDelete=[
        "SAML_PROPERTIES_USER_ACCESS_URL", "SAML_PROPERTIES_RELAY_STATE_PARAMETER_NAME"])
    assert directory(ws, registered)["SamlProperties"] == {"Status": "DISABLED"}


def test_the_user_access_url_of_enabled_saml_cannot_be_deleted(ws, registered):
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"Status": "ENABLED", "UserAccessUrl": IDP})
    assert code(ws.modify_saml_properties, ResourceId=registered,
                PropertiesToDelete=["SAML_PROPERTIES_USER_ACCESS_URL"]) == "InvalidParameterValuesException"
    assert directory(ws, registered)["SamlProperties"]["UserAccessUrl"] == IDP


def test_a_property_both_given_and_deleted_is_refused(ws, registered):
    assert code(ws.modify_saml_properties, ResourceId=registered, SamlProperties={"UserAccessUrl": IDP},
                PropertiesToDelete=["SAML_PROPERTIES_USER_ACCESS_URL"]) == "InvalidParameterValuesException"
    assert code(ws.modify_certificate_based_auth_properties, ResourceId=registered,
                CertificateBasedAuthProperties={"CertificateAuthorityArn": CA},
                PropertiesToDelete=["CERTIFICATE_BASED_AUTH_PROPERTIES_CERTIFICATE_AUTHORITY_ARN"]) == \
        "InvalidParameterValuesException"


def test_certificate_based_auth_needs_saml_and_a_certificate_authority(ws, registered):
    assert code(ws.modify_certificate_based_auth_properties, ResourceId=registered,
                CertificateBasedAuthProperties={"Status": "ENABLED", "CertificateAuthorityArn": CA}) == \
        "OperationNotSupportedException"
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"Status": "ENABLED", "UserAccessUrl": IDP})
    assert code(ws.modify_certificate_based_auth_properties, ResourceId=registered,
                CertificateBasedAuthProperties={"Status": "ENABLED"}) == "InvalidParameterValuesException"
    assert directory(ws, registered)["CertificateBasedAuthProperties"] == {"Status": "DISABLED"}
    ws.modify_certificate_based_auth_properties(
        ResourceId=registered, CertificateBasedAuthProperties={"Status": "ENABLED", "CertificateAuthorityArn": CA})
    assert directory(ws, registered)["CertificateBasedAuthProperties"] == {"Status": "ENABLED",
                                                                           "CertificateAuthorityArn": CA}


def test_saml_cannot_be_turned_off_under_certificate_based_auth(ws, registered):
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"Status": "ENABLED", "UserAccessUrl": IDP})
    ws.modify_certificate_based_auth_properties(
        ResourceId=registered, CertificateBasedAuthProperties={"Status": "ENABLED", "CertificateAuthorityArn": CA})
    assert code(ws.modify_saml_properties, ResourceId=registered, SamlProperties={"Status": "DISABLED"}) == \
        "OperationNotSupportedException"
    assert code(ws.modify_certificate_based_auth_properties, ResourceId=registered,
                PropertiesToDelete=["CERTIFICATE_BASED_AUTH_PROPERTIES_CERTIFICATE_AUTHORITY_ARN"]) == \
        "InvalidParameterValuesException"
    ws.modify_certificate_based_auth_properties(ResourceId=registered,
                                                CertificateBasedAuthProperties={"Status": "DISABLED"})
    ws.modify_certificate_based_auth_properties(
        ResourceId=registered, PropertiesToDelete=["CERTIFICATE_BASED_AUTH_PROPERTIES_CERTIFICATE_AUTHORITY_ARN"])
    ws.modify_saml_properties(ResourceId=registered, SamlProperties={"Status": "DISABLED"})
    doc = directory(ws, registered)
    assert (doc["CertificateBasedAuthProperties"], doc["SamlProperties"]["Status"]) == ({"Status": "DISABLED"},
                                                                                        "DISABLED")


def test_streaming_properties_are_set_member_by_member(ws, registered):
    clipboard = [{"Action": "CLIPBOARD_COPY_FROM_LOCAL_DEVICE", "Permission": "ENABLED", "MaximumLength": 100},
                 {"Action": "PRINTING_TO_LOCAL_DEVICE", "Permission": "DISABLED"}]
    ws.modify_streaming_properties(ResourceId=registered, StreamingProperties={
        "StreamingExperiencePreferredProtocol": "UDP", "UserSettings": clipboard})
    ws.modify_streaming_properties(ResourceId=registered, StreamingProperties={
        "StorageConnectors": [{"ConnectorType": "HOME_FOLDER", "Status": "ENABLED"}],
        "GlobalAccelerator": {"Mode": "ENABLED_AUTO", "PreferredProtocol": "TCP"}})
    assert directory(ws, registered)["StreamingProperties"] == {
        "StreamingExperiencePreferredProtocol": "UDP", "UserSettings": clipboard,
        "StorageConnectors": [{"ConnectorType": "HOME_FOLDER", "Status": "ENABLED"}],
        "GlobalAccelerator": {"Mode": "ENABLED_AUTO", "PreferredProtocol": "TCP"}}


@pytest.mark.parametrize("settings", [
    [{"Action": "SMART_CARD", "Permission": "ENABLED"}, {"Action": "SMART_CARD", "Permission": "DISABLED"}],
    [{"Action": "PRINTING_TO_LOCAL_DEVICE", "Permission": "ENABLED", "MaximumLength": 10}],
])
def test_bad_user_settings_are_refused(ws, registered, settings):
    assert code(ws.modify_streaming_properties, ResourceId=registered,
                StreamingProperties={"UserSettings": settings}) == "InvalidParameterValuesException"
    assert "StreamingProperties" not in directory(ws, registered)


def test_endpoint_encryption_switches_to_fips_and_back(ws, registered):
    ws.modify_endpoint_encryption_mode(DirectoryId=registered, EndpointEncryptionMode="FIPS_VALIDATED")
    assert directory(ws, registered)["EndpointEncryptionMode"] == "FIPS_VALIDATED"
    ws.modify_endpoint_encryption_mode(DirectoryId=registered, EndpointEncryptionMode="STANDARD_TLS")
    assert directory(ws, registered)["EndpointEncryptionMode"] == "STANDARD_TLS"


def test_fips_is_refused_on_a_directory_with_workspaces(ws, registered, make_workspace):
    make_workspace(directory=registered)
    assert code(ws.modify_endpoint_encryption_mode, DirectoryId=registered,
                EndpointEncryptionMode="FIPS_VALIDATED") == "OperationNotSupportedException"
    assert directory(ws, registered)["EndpointEncryptionMode"] == "STANDARD_TLS"


@pytest.mark.parametrize("call, kw", [
    ("modify_saml_properties", {"ResourceId": "d-1234567890", "SamlProperties": {"Status": "DISABLED"}}),
    ("modify_certificate_based_auth_properties", {"ResourceId": "d-1234567890",
                                                  "CertificateBasedAuthProperties": {"Status": "DISABLED"}}),
    ("modify_streaming_properties", {"ResourceId": "d-1234567890",
                                     "StreamingProperties": {"StreamingExperiencePreferredProtocol": "TCP"}}),
    ("modify_endpoint_encryption_mode", {"DirectoryId": "d-1234567890", "EndpointEncryptionMode": "STANDARD_TLS"}),
])
def test_an_unknown_directory_is_not_found(ws, call, kw):
    with pytest.raises(ClientError) as e:
        getattr(ws, call)(**kw)
    assert (e.value.response["Error"]["Code"], e.value.response["ResourceId"]) == \
        ("ResourceNotFoundException", "d-1234567890")
