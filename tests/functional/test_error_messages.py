"""What refusals say, word for word, where a call alone reaches them: the message is what a person reads when a
runbook fails, so it names the rule and what to do, and a change to it is a change users see."""

import pytest

from tests.helpers import said

OWN_ACCOUNT = "self"  # stands for the caller's own account id in a case's request


@pytest.mark.parametrize(("operation", "request_", "refused"), [
    ("modify_account", {}, ("InvalidParameterValuesException", "At least one of DedicatedTenancySupport or "
                                                                "DedicatedTenancyManagementCidrRange must be given.")),
    ("create_account_link_invitation", {"TargetAccountId": OWN_ACCOUNT},
     ("ValidationException", "An account cannot invite itself to an account link.")),
    ("get_account_link", {}, ("ValidationException", "Specify LinkId or LinkedAccountId.")),
    ("import_custom_workspace_image", {
        "ImageName": "w11", "ImageDescription": "x", "ComputeType": "BASE", "Protocol": "PCOIP",
        "ImageSource": {"Ec2ImageId": "ami-0123456789abcdef0"}, "Platform": "WINDOWS", "OsVersion": "Windows_11",
        "InfrastructureConfigurationArn": "arn:aws:imagebuilder:us-east-1:123456789012:infrastructure-configuration/i"},
     ("InvalidParameterValuesException", "Windows 11 images do not support the PCOIP protocol.")),
    ("register_workspace_directory", {"UserIdentityType": "AWS_IAM_IDENTITY_CENTER", "WorkspaceDirectoryName": "idc",
                                      "WorkspaceType": "PERSONAL"},
     ("InvalidParameterValuesException", "UserIdentityType AWS_IAM_IDENTITY_CENTER needs an IdcInstanceArn.")),
    ("register_workspace_directory", {"WorkspaceDirectoryName": "idc"},
     ("ValidationException", "The following arguments are required - DirectoryId.")),
    ("describe_client_properties", {"ResourceIds": ["d-1234567890"]},
     ("ResourceNotFoundException", "The specified directory could not be found in the specified region.")),
])
def test_a_refusal_says_what_is_wrong(ws, account, operation, request_, refused):
    request_ = {k: account if v == OWN_ACCOUNT else v for k, v in request_.items()}
    assert said(getattr(ws, operation), **request_) == refused
