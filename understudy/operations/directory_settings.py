"""The authentication and streaming settings of a registered directory: SAML 2.0, certificate-based
authentication, streaming properties and endpoint encryption.

Each operation changes the members of the same name in the directory's doc (the model's WorkspaceDirectory
shape), so DescribeWorkspaceDirectories shows the change at once. Registration sets their defaults
(directories.py).
"""

from understudy.domain.errors import InvalidParameterValuesException, OperationNotSupportedException
from understudy.operations.context import Context, Handler
from understudy.operations.directories import registered

_SAML_ON = ("ENABLED", "ENABLED_WITH_DIRECTORY_LOGIN_FALLBACK")
_SAML_DELETABLE = {"SAML_PROPERTIES_USER_ACCESS_URL": "UserAccessUrl",
                   "SAML_PROPERTIES_RELAY_STATE_PARAMETER_NAME": "RelayStateParameterName"}
_CBA_DELETABLE = {"CERTIFICATE_BASED_AUTH_PROPERTIES_CERTIFICATE_AUTHORITY_ARN": "CertificateAuthorityArn"}
# [CHOSEN] A character limit makes sense only for what is copied through the clipboard.
_CLIPBOARD = ("CLIPBOARD_COPY_FROM_LOCAL_DEVICE", "CLIPBOARD_COPY_TO_LOCAL_DEVICE")


def _changed(current: dict, changes: dict, deletable: dict[str, str], to_delete: list[str]) -> dict:
    """`current` with `changes` applied, then the members named by `to_delete` removed."""
    deleted = {deletable[name] for name in to_delete}
    both = deleted & set(changes)
    if both:
        # [CHOSEN] Setting and deleting one member in one call is a contradiction, not an order of operations.
        raise InvalidParameterValuesException(f"{sorted(both)[0]} cannot be both given and deleted.")
    return {k: v for k, v in {**current, **changes}.items() if k not in deleted}


def _check_auth(doc: dict) -> None:
    """Refuses a directory whose SAML and certificate-based authentication settings do not hold together."""
    saml, cba = doc.get("SamlProperties", {}), doc.get("CertificateBasedAuthProperties", {})
    # [CHOSEN] Users are sent to the IdP's user access URL once SAML is on (model doc of SamlProperties.Status),
    # so SAML cannot be on without one.
    if saml.get("Status") in _SAML_ON and "UserAccessUrl" not in saml:
        raise InvalidParameterValuesException("SAML 2.0 authentication needs a UserAccessUrl.")
    if cba.get("Status") != "ENABLED":
        return
    # [CHOSEN] Certificates come from the AWS Private CA it names (model doc of CertificateAuthorityArn).
    if "CertificateAuthorityArn" not in cba:
        raise InvalidParameterValuesException("Certificate-based authentication needs a CertificateAuthorityArn.")
    # [AWS] Certificate-based authentication needs SAML 2.0 on the directory
    # (https://docs.aws.amazon.com/workspaces/latest/adminguide/certificate-based-authentication.html).
    if saml.get("Status") not in _SAML_ON:
        raise OperationNotSupportedException("Certificate-based authentication needs SAML 2.0 authentication "
                                             "enabled on the directory.", reason="SAML_NOT_ENABLED")


def modify_saml_properties(ctx: Context, request: dict) -> dict:
    doc = registered(ctx, request["ResourceId"])
    doc["SamlProperties"] = _changed(doc.get("SamlProperties", {}), request.get("SamlProperties", {}),
                                     _SAML_DELETABLE, request.get("PropertiesToDelete", []))
    _check_auth(doc)
    ctx.tx.update("directory", doc)
    return {}


def modify_certificate_based_auth_properties(ctx: Context, request: dict) -> dict:
    doc = registered(ctx, request["ResourceId"])
    doc["CertificateBasedAuthProperties"] = _changed(
        doc.get("CertificateBasedAuthProperties", {}), request.get("CertificateBasedAuthProperties", {}),
        _CBA_DELETABLE, request.get("PropertiesToDelete", []))
    _check_auth(doc)
    ctx.tx.update("directory", doc)
    return {}


def _check_user_settings(settings: list[dict]) -> None:
    actions = [s["Action"] for s in settings]
    if len(set(actions)) < len(actions):
        raise InvalidParameterValuesException("Each user setting Action may be given once.")  # [CHOSEN]
    limited = [s["Action"] for s in settings if "MaximumLength" in s and s["Action"] not in _CLIPBOARD]
    if limited:
        raise InvalidParameterValuesException(f"MaximumLength applies to clipboard actions only, not {limited[0]}.")


def modify_streaming_properties(ctx: Context, request: dict) -> dict:
    doc = registered(ctx, request["ResourceId"])
    changes = request.get("StreamingProperties", {})
    _check_user_settings(changes.get("UserSettings", []))
    # [CHOSEN] Each member given replaces that member whole (a list is not merged item by item); members not
    # given keep their value.
    doc["StreamingProperties"] = {**doc.get("StreamingProperties", {}), **changes}
    ctx.tx.update("directory", doc)
    return {}


def modify_endpoint_encryption_mode(ctx: Context, request: dict) -> dict:
    doc = registered(ctx, request["DirectoryId"])
    mode = request["EndpointEncryptionMode"]
    # [AWS] FIPS 140-2 Validated Mode needs a directory that is new or whose WorkSpaces all use it
    # (https://docs.aws.amazon.com/workspaces/latest/adminguide/fips-encryption.html). [CHOSEN] A WorkSpace's
    # own mode is not kept, so a directory that holds any WorkSpace cannot switch to FIPS.
    if mode == "FIPS_VALIDATED" and doc.get("EndpointEncryptionMode") != mode and \
            ctx.tx.count("workspace", DirectoryId=doc["DirectoryId"]):
        raise OperationNotSupportedException("FIPS 140-2 Validated Mode can be set only on a directory without "
                                             "WorkSpaces that use Standard TLS.", reason="DIRECTORY_HAS_WORKSPACES")
    doc["EndpointEncryptionMode"] = mode
    ctx.tx.update("directory", doc)
    return {}


OPERATIONS: dict[str, Handler] = {
    "ModifyCertificateBasedAuthProperties": modify_certificate_based_auth_properties,
    "ModifyEndpointEncryptionMode": modify_endpoint_encryption_mode,
    "ModifySamlProperties": modify_saml_properties,
    "ModifyStreamingProperties": modify_streaming_properties,
}
