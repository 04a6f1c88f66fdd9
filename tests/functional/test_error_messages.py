"""What refusals say, word for word, where a call alone reaches them: the message is what a person reads when a
runbook fails, so it names the rule and what to do, and a change to it is a change users see."""

import pytest

from tests.helpers import VPC, said

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
    ("describe_workspace_bundles", {"BundleIds": ["wsb-0123456789"], "Owner": "AMAZON"},
     ("InvalidParameterValuesException", "BundleIds and Owner cannot be used together.")),
    ("list_available_management_cidr_ranges", {"ManagementCidrRangeConstraint": "10.0.0.0/8"},
     ("AccessDeniedException", "The account is not enabled for BYOL. Enable dedicated tenancy with ModifyAccount "
                               "before you list management CIDR ranges.")),
    ("create_ip_group", {"GroupName": "g", "UserRules": [{"ruleDesc": "no range"}]},
     ("InvalidParameterValuesException", "The IP rule '' is not a valid CIDR block.")),
])
def test_a_refusal_says_what_is_wrong(ws, account, operation, request_, refused):
    request_ = {k: account if v == OWN_ACCOUNT else v for k, v in request_.items()}
    assert said(getattr(ws, operation), **request_) == refused


@pytest.mark.parametrize(("operation", "request_", "refused"), [
    ("create_microsoft_ad", {"Name": "corp.example.com", "Password": "Passw0rd!", "Edition": "Hybrid",
                             "VpcSettings": VPC},
     ("UnsupportedOperationException", "Hybrid Edition directories are created with CreateHybridAD.")),
    ("create_microsoft_ad", {"Name": "corp.example.com", "Password": "Passw0rd!",
                             "VpcSettings": {**VPC, "SubnetIds": VPC["SubnetIds"][:1]}},
     ("InvalidParameterException", "Invalid subnet ID(s). Specify two subnets in different Availability Zones.")),
    ("describe_directories", {"NextToken": "not-a-token"},
     ("InvalidNextTokenException", "The NextToken value is not valid.")),
])
def test_a_directory_service_refusal_says_what_is_wrong(make_client, operation, request_, refused):
    assert said(getattr(make_client("ds"), operation), **request_) == refused
