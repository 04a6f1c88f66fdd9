"""Client branding per directory and device type through boto3: import, describe, delete, and the rules
AWS documents for the imported attributes."""

import pytest

from tests.helpers import code

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_a_directory_starts_with_no_branding(ws, registered):
    r = ws.describe_client_branding(ResourceId=registered)
    assert not any(key.startswith("DeviceType") for key in r)


def test_imported_branding_is_described_per_device_type(ws, registered, account):
    windows = {"SupportEmail": "help@example.com", "ForgotPasswordLink": "https://example.com/reset",
               "LoginMessage": {"en_US": "<b>Welcome</b>"}}
    imported = ws.import_client_branding(ResourceId=registered, DeviceTypeWindows={**windows, "Logo": PNG},
                                         DeviceTypeIos={"SupportLink": "https://example.com/help", "Logo": PNG,
                                                        "Logo2x": PNG, "Logo3x": PNG})
    described = ws.describe_client_branding(ResourceId=registered)
    for r in (imported, described):
        assert {k for k in r if k.startswith("DeviceType")} == {"DeviceTypeWindows", "DeviceTypeIos"}
        assert {k: v for k, v in r["DeviceTypeWindows"].items() if k != "LogoUrl"} == windows
        assert r["DeviceTypeWindows"]["LogoUrl"].startswith("https://")
        assert account in r["DeviceTypeWindows"]["LogoUrl"] and registered in r["DeviceTypeWindows"]["LogoUrl"]
        assert {"LogoUrl", "Logo2xUrl", "Logo3xUrl", "SupportLink"} <= set(r["DeviceTypeIos"])
    assert imported["DeviceTypeWindows"] == described["DeviceTypeWindows"]


def test_a_new_import_replaces_the_platform_branding_and_its_logo_url(ws, registered):
    first = ws.import_client_branding(ResourceId=registered, DeviceTypeOsx={"SupportEmail": "a@example.com",
                                                                            "Logo": PNG})
    ws.import_client_branding(ResourceId=registered, DeviceTypeOsx={"SupportLink": "https://example.com/help",
                                                                    "Logo": PNG + b"new"})
    osx = ws.describe_client_branding(ResourceId=registered)["DeviceTypeOsx"]
    assert "SupportEmail" not in osx and osx["SupportLink"] == "https://example.com/help"
    assert osx["LogoUrl"] != first["DeviceTypeOsx"]["LogoUrl"]


def test_deleting_branding_reverts_those_platforms_only(ws, registered):
    ws.import_client_branding(ResourceId=registered, DeviceTypeWeb={"SupportEmail": "a@example.com"},
                              DeviceTypeLinux={"SupportEmail": "b@example.com"})
    ws.delete_client_branding(ResourceId=registered, Platforms=["DeviceTypeWeb", "DeviceTypeAndroid"])
    r = ws.describe_client_branding(ResourceId=registered)
    assert "DeviceTypeWeb" not in r and r["DeviceTypeLinux"] == {"SupportEmail": "b@example.com"}


def test_an_import_names_at_least_one_platform(ws, registered):
    assert code(ws.import_client_branding, ResourceId=registered) == "InvalidParameterValuesException"


@pytest.mark.parametrize("attributes", [
    {"SupportEmail": "a@example.com", "SupportLink": "https://example.com/help"},
    {"LoginMessage": {"fr_FR": "Bienvenue"}},
    {"Logo": b"GIF89a not a png"},
])
def test_invalid_attributes_are_refused_and_nothing_is_imported(ws, registered, attributes):
    assert code(ws.import_client_branding, ResourceId=registered, DeviceTypeWindows=attributes,
                DeviceTypeWeb={"SupportEmail": "a@example.com"}) == "InvalidParameterValuesException"
    assert "DeviceTypeWeb" not in ws.describe_client_branding(ResourceId=registered)


def test_an_import_is_at_most_6_mb(ws, registered):
    logo = {"Logo": PNG + b"\x00" * 1_300_000}
    assert code(ws.import_client_branding, ResourceId=registered, DeviceTypeWindows=logo, DeviceTypeOsx=logo,
                DeviceTypeAndroid=logo, DeviceTypeLinux=logo, DeviceTypeWeb=logo) == "ResourceLimitExceededException"
    ws.import_client_branding(ResourceId=registered, DeviceTypeWindows=logo, DeviceTypeOsx=logo)
    assert {"DeviceTypeWindows", "DeviceTypeOsx"} <= set(ws.describe_client_branding(ResourceId=registered))


def test_branding_does_not_outlive_the_registration(ws, registered, server):
    ws.import_client_branding(ResourceId=registered, DeviceTypeWeb={"SupportEmail": "a@example.com"})
    ws.deregister_workspace_directory(DirectoryId=registered)
    server.advance(3600)
    ws.register_workspace_directory(DirectoryId=registered)
    server.advance(3600)
    assert "DeviceTypeWeb" not in ws.describe_client_branding(ResourceId=registered)


@pytest.mark.parametrize("call, kw", [
    ("import_client_branding", {"DeviceTypeWeb": {"SupportEmail": "a@example.com"}}),
    ("describe_client_branding", {}),
    ("delete_client_branding", {"Platforms": ["DeviceTypeWeb"]}),
])
def test_an_unknown_directory_is_not_found(ws, call, kw):
    assert code(getattr(ws, call), ResourceId="d-1234567890", **kw) == "ResourceNotFoundException"
