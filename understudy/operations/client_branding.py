"""Client branding of a registered directory, per device type: import, describe, delete.

Stored as kind `client_branding`, one doc per directory (`_DirectoryId`), with one member per device type
named as in the model (`DeviceTypeWindows`...) holding that platform's attributes. Logos arrive as bytes and
are kept base64-encoded under private keys (`_Logo`, `_Logo2x`, `_Logo3x`); the model describes them only as
`LogoUrl`, `Logo2xUrl`, `Logo3xUrl`. The doc records the directory's `_RegistrationCode`: a new registration
of the same directory gets a new code, so branding left from an earlier registration is not shown again.

Rules [AWS] from the model's docs of ImportClientBranding and its attribute shapes.
"""

import base64
import hashlib

from understudy.domain.errors import InvalidParameterValuesException, ResourceLimitExceededException
from understudy.operations.context import Context, Handler
from understudy.operations.directories import registered

_KIND = "client_branding"
_PLATFORMS = ("DeviceTypeWindows", "DeviceTypeOsx", "DeviceTypeAndroid", "DeviceTypeIos", "DeviceTypeLinux",
              "DeviceTypeWeb")
_LOGOS = {"Logo": "LogoUrl", "Logo2x": "Logo2xUrl", "Logo3x": "Logo3xUrl"}
_TEXT = ("SupportEmail", "SupportLink", "ForgotPasswordLink", "LoginMessage")
_PNG = b"\x89PNG\r\n\x1a\n"
# [AWS] "You can import up to 6 MB of data with each request"; [CHOSEN] counted as the logos' bytes, in MiB,
# refused with ResourceLimitExceededException, which the operation declares.
_MAX_IMPORT = 6 * 1024 * 1024


def _check(platform: str, attributes: dict) -> None:
    # [AWS] SupportEmail and SupportLink are mutually exclusive in each platform type.
    if "SupportEmail" in attributes and "SupportLink" in attributes:
        raise InvalidParameterValuesException(f"{platform}: SupportEmail and SupportLink are mutually exclusive.")
    # [AWS] The only LoginMessage locale supported is en_US.
    locales = sorted(set(attributes.get("LoginMessage", {})) - {"en_US"})
    if locales:
        raise InvalidParameterValuesException(f"{platform}: the only LoginMessage locale supported is en_US, "
                                              f"not {locales[0]}.")
    # [AWS] The only image format accepted is a .png file.
    for name in _LOGOS:
        if name in attributes and not attributes[name].startswith(_PNG):
            raise InvalidParameterValuesException(f"{platform}: {name} must be a PNG image.")


def _stored(attributes: dict) -> dict:
    stored = {k: attributes[k] for k in _TEXT if k in attributes}
    stored.update({"_" + k: base64.b64encode(attributes[k]).decode() for k in _LOGOS if k in attributes})
    return stored


def _described(ctx: Context, directory_id: str, platform: str, stored: dict) -> dict:
    """A platform's attributes as the model describes them: each logo as the URL it is served from.

    [CHOSEN] The URL names the account, directory, platform and a digest of the image, so a new logo gets a
    new URL; nothing is served there.
    """
    described = {k: stored[k] for k in _TEXT if k in stored}
    for name, url in _LOGOS.items():
        if "_" + name in stored:
            digest = hashlib.sha256(stored["_" + name].encode()).hexdigest()[:16]
            described[url] = (f"https://workspaces-client-branding-{ctx.scope.region}.s3.amazonaws.com/"
                              f"{ctx.scope.account_id}/{directory_id}/{platform}/{name}-{digest}.png")
    return described


def _branding(ctx: Context, directory: dict) -> dict:
    """The directory's branding doc for its current registration (a new, empty one if there is none)."""
    doc = ctx.tx.get(_KIND, directory["DirectoryId"], for_update=True)
    if doc is not None and doc["_RegistrationCode"] == directory["RegistrationCode"]:
        return doc
    return {"_DirectoryId": directory["DirectoryId"], "_RegistrationCode": directory["RegistrationCode"]}


def _save(ctx: Context, doc: dict) -> None:
    if ctx.tx.get(_KIND, doc["_DirectoryId"]) is None:
        ctx.tx.insert(_KIND, doc)
    else:
        ctx.tx.update(_KIND, doc)


def import_client_branding(ctx: Context, request: dict) -> dict:
    directory = registered(ctx, request["ResourceId"])
    given = {p: request[p] for p in _PLATFORMS if p in request}
    if not given:
        raise InvalidParameterValuesException("Specify at least one platform type to import client branding for.")
    for platform, attributes in given.items():
        _check(platform, attributes)
    size = sum(len(attributes[name]) for attributes in given.values() for name in _LOGOS if name in attributes)
    if size > _MAX_IMPORT:
        raise ResourceLimitExceededException(f"A request can import up to 6 MB of client branding; this one has "
                                             f"{size} bytes of logos. Import the platform types separately.")
    doc = _branding(ctx, directory)
    # [AWS] The imported experience replaces the platform's branding whole (ImportClientBranding doc).
    doc.update({platform: _stored(attributes) for platform, attributes in given.items()})
    _save(ctx, doc)
    return {p: _described(ctx, doc["_DirectoryId"], p, doc[p]) for p in given}


def describe_client_branding(ctx: Context, request: dict) -> dict:
    # [AWS] Only the device types with imported branding are shown.
    doc = _branding(ctx, registered(ctx, request["ResourceId"]))
    return {p: _described(ctx, doc["_DirectoryId"], p, doc[p]) for p in _PLATFORMS if p in doc}


def delete_client_branding(ctx: Context, request: dict) -> dict:
    doc = _branding(ctx, registered(ctx, request["ResourceId"]))
    # [CHOSEN] A platform without imported branding already shows the default: deleting it changes nothing.
    for platform in request["Platforms"]:
        doc.pop(platform, None)
    _save(ctx, doc)
    return {}


OPERATIONS: dict[str, Handler] = {
    "DeleteClientBranding": delete_client_branding,
    "DescribeClientBranding": describe_client_branding,
    "ImportClientBranding": import_client_branding,
}
