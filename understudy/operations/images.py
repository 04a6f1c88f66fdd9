"""Custom images: CreateWorkspaceImage, CopyWorkspaceImage, ImportWorkspaceImage, ImportCustomWorkspaceImage and
DescribeCustomWorkspaceImageImport, CreateUpdatedWorkspaceImage, DeleteWorkspaceImage, DescribeWorkspaceImages,
sharing with other accounts (UpdateWorkspaceImagePermission, DescribeWorkspaceImagePermissions),
DescribeImageAssociations; and the operating-system rules that images carry to bundles and WorkSpaces.

An image is stored as kind `image`, the model's WorkspaceImage shape, in its owner's scope, plus private traits
that bundles built from it inherit (`_OperatingSystem`, `_Protocols`, `_Applications`), its volume sizes
(`_RootVolumeSizeGib`, `_UserVolumeSizeGib`), the time its WorkSpaces components date from (`_ComponentsAt`) and
`_SharedWith` (the accounts it is shared with). Sharing writes a kind `image_share` record (`ImageId`, `_Owner`)
into each grantee's scope, through `tx.shared_by`, as connection aliases do: it is how a grantee lists the
images shared with it.

Rules [AWS]: https://docs.aws.amazon.com/workspaces/latest/adminguide/create-custom-bundle.html,
copy-custom-image.html, share-custom-image.html, byol-windows-images.html of the same guide, and the model's
operation docs.
"""

import secrets

from understudy.domain import applications as application_catalogue
from understudy.domain import families
from understudy.domain.errors import (
    AccessDeniedException,
    InvalidParameterValuesException,
    InvalidResourceStateException,
    OperationNotSupportedException,
    ResourceAlreadyExistsException,
    ResourceAssociatedException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
    ResourceUnavailableException,
)
from understudy.operations import paging
from understudy.operations.context import Context, Handler, Transaction
from understudy.operations.tags import as_dict, tag_problem

_KIND = "image"
_SHARE = "image_share"
# [CHOSEN] MaxResults defaults to 25, its largest value, as for the other describe operations.
_PAGE_SIZE = 25

# Operating systems ------------------------------------------------------------------------------
_LINUX = frozenset({"AMAZON_LINUX_2", "UBUNTU_18_04", "UBUNTU_20_04", "UBUNTU_22_04", "UBUNTU_24_04", "UBUNTU_26_04",
                    "RHEL_8", "RHEL_9", "RHEL_10", "ROCKY_8", "ROCKY_9", "ROCKY_10"})
# Desktop Windows runs on WorkSpaces only as Bring Your Own License, on dedicated hardware [AWS, byol-windows-images].
_BYOL = frozenset({"WINDOWS_7", "WINDOWS_10", "WINDOWS_11"})
# "Only Windows 10, Windows Server 2016, and Windows Server 2019 WorkSpace images can be programmatically updated"
# [AWS, CreateUpdatedWorkspaceImage doc].
_UPDATABLE = frozenset({"WINDOWS_10", "WINDOWS_SERVER_2016", "WINDOWS_SERVER_2019"})
# [CHOSEN] How an image "has updates": AWS ships new WorkSpaces components (agents, drivers) about monthly, so an
# image whose components are 30 days old or more has an update available, until CreateUpdatedWorkspaceImage makes a
# fresh one. A copy keeps the components of its source. Tests move the clock past this age.
_UPDATE_AGE = 30 * 86400
_UPDATE_TEXT = "WorkSpaces components and drivers newer than this image are available"


def _os_type(os_name: str) -> str:
    return "LINUX" if os_name in _LINUX else "WINDOWS"


def migration_problem(source_os: str, target_os: str) -> str | None:
    """Why a WorkSpace running `source_os` cannot migrate to a bundle running `target_os`, or None.

    [AWS] https://docs.aws.amazon.com/workspaces/latest/adminguide/migrate-workspaces.html (BYOL only to BYOL,
    never from public to BYOL, not from Windows 11 to Windows 10) and migrate-linux-workspaces.html (between
    Linux systems only; Amazon Linux 2 is no target).
    """
    if (source_os in _LINUX) != (target_os in _LINUX):
        return "A WorkSpace cannot migrate between Windows and Linux."
    if target_os == "AMAZON_LINUX_2":
        return "Amazon Linux 2 is not a migration target."
    if (source_os in _BYOL) != (target_os in _BYOL):
        return "BYOL WorkSpaces migrate only to BYOL bundles, and other WorkSpaces never to BYOL bundles."
    if (source_os, target_os) == ("WINDOWS_11", "WINDOWS_10"):
        return "A Windows 11 WorkSpace cannot migrate to Windows 10."
    return None


def bundle_traits(image: dict) -> dict:
    """What a bundle built from the image carries for CreateWorkspaces and DescribeBundleAssociations."""
    return {"_OperatingSystem": image["_OperatingSystem"], "_Protocols": list(image["_Protocols"]),
            "_Applications": list(image.get("_Applications", []))}


def volume_problem(image: dict, root_gib: int, user_gib: int) -> str | None:
    """[AWS, create-custom-bundle] "Custom bundle storage volumes can't be smaller than image storage volumes"."""
    if root_gib < image["_RootVolumeSizeGib"] or user_gib < image["_UserVolumeSizeGib"]:
        return (f"The bundle's volumes ({root_gib} GB root, {user_gib} GB user) cannot be smaller than those of "
                f"image {image['ImageId']} ({image['_RootVolumeSizeGib']} GB, {image['_UserVolumeSizeGib']} GB).")
    return None


def application_associations(doc: dict, state: str, created: float, **owner: str) -> list[dict]:
    """The APPLICATION associations of an image or bundle: the applications its image was imported with.

    [CHOSEN] The model's associations are with applications only (AssociatedResourceType APPLICATION); the
    applications an image has are the Microsoft Office versions ImportWorkspaceImage subscribed it to, by their
    `wsa-` id in the applications catalogue, INSTALLING while the image is PENDING and COMPLETED once AVAILABLE.
    """
    shown = {"PENDING": "INSTALLING", "AVAILABLE": "COMPLETED", "ERROR": "ERROR"}[state]
    return [{"AssociatedResourceId": app, "AssociatedResourceType": "APPLICATION", "Created": created,
             "LastUpdatedTime": created, "State": shown, **owner} for app in doc.get("_Applications", [])]


# Looking images up --------------------------------------------------------------------------------
def _not_found(image_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The image {image_id} could not be found.", resource_id=image_id)


def _visible(tx: Transaction, account_id: str, image_id: str) -> tuple[dict, bool] | None:
    """(the image, whether the account owns it) for its own image or one shared with it in tx's Region, else None."""
    doc = tx.get(_KIND, image_id)
    if doc is not None:
        return doc, True
    share = tx.get(_SHARE, image_id)
    if share is None:
        return None
    doc = tx.shared_by(share["_Owner"]).get(_KIND, image_id)
    if doc is None or account_id not in doc.get("_SharedWith", []):
        return None
    return doc, False


def _owned(ctx: Context, image_id: str) -> dict:
    """The caller's own image. A grantee sees a shared image, but only its owner changes it; [CHOSEN] the grantee
    gets AccessDeniedException, as for shared connection aliases."""
    found = _visible(ctx.tx, ctx.scope.account_id, image_id)
    if found is None:
        raise _not_found(image_id)
    if not found[1]:
        raise AccessDeniedException(f"Only the owner of the image {image_id} can do this.")
    return ctx.require(_KIND, image_id)


def owned_image(ctx: Context, image_id: str) -> dict:
    """An AVAILABLE image of the caller's, to build a bundle on.

    [AWS, share-custom-image] a shared image is copied first, and bundles are made from the copy: [CHOSEN]
    InvalidParameterValuesException says so.
    """
    found = _visible(ctx.tx, ctx.scope.account_id, image_id)
    if found is None:
        raise _not_found(image_id)
    doc, owned = found
    if not owned:
        raise InvalidParameterValuesException(f"The image {image_id} is shared with you: copy it with "
                                              "CopyWorkspaceImage and build the bundle on the copy.")
    if doc["State"] != "AVAILABLE":
        raise ResourceUnavailableException(f"The image {image_id} is {doc['State']}.", resource_id=image_id)
    return doc


def _bundles_using(tx: Transaction, image_id: str) -> list[str]:
    return [b["BundleId"] for b in tx.find("bundle") if b.get("ImageId") == image_id]


def _update_available(ctx: Context, doc: dict) -> bool:
    return doc["_OperatingSystem"] in _UPDATABLE and ctx.now - doc["_ComponentsAt"] >= _UPDATE_AGE


def present(ctx: Context, doc: dict) -> dict:
    """An image as DescribeWorkspaceImages shows it: updates computed live, errors only once it failed."""
    out = dict(doc)
    if doc["State"] == "AVAILABLE":
        available = _update_available(ctx, doc)
        out["Updates"] = {"UpdateAvailable": available, **({"Description": _UPDATE_TEXT} if available else {})}
    if doc["State"] == "ERROR":
        out.update(doc["_Error"])
    return out


# Creating images ------------------------------------------------------------------------------------
def _admit(ctx: Context, name: str, tags: list[dict]) -> None:
    """The rules every new image obeys: valid tags, a name unique in the account and Region, the quota."""
    problem = tag_problem(tags)
    if problem:
        raise InvalidParameterValuesException(problem)
    # [CHOSEN] Image names are unique per account and Region, as the console asks; the operations creating
    # images all declare ResourceAlreadyExistsException.
    if ctx.tx.count(_KIND, Name=name):
        raise ResourceAlreadyExistsException(f"An image named {name} already exists in this Region.")
    # [AWS, share-custom-image] images shared with the account do not count until copied.
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("images"):
        raise ResourceLimitExceededException(f"You have reached the maximum number of images in this Region "
                                             f"({ctx.quota('images')}).")


def _image(ctx: Context, name: str, description: str | None, traits: dict, tenancy: str | None = None) -> dict:
    os_name = traits["_OperatingSystem"]
    doc = {"ImageId": families.IMAGE.new_id(), "Name": name, "OperatingSystem": {"Type": _os_type(os_name)},
           "State": "PENDING", "RequiredTenancy": tenancy or ("DEDICATED" if os_name in _BYOL else "DEFAULT"),
           "Created": ctx.now, "OwnerAccountId": ctx.scope.account_id, **traits}
    if description:
        doc["Description"] = description
    return doc


def _store(ctx: Context, doc: dict, tags: list[dict], duration: families.Timed, error: dict | None = None) -> dict:
    """Saves a new PENDING image that becomes AVAILABLE (or ERROR, with `error` shown) after `duration`."""
    if error:
        doc["_Error"] = error
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(doc["ImageId"], as_dict(tags))
    ctx.tx.schedule(_KIND, doc["ImageId"], "PENDING", "ERROR" if error else "AVAILABLE", ctx.duration(duration))
    return doc


def _copied_traits(source: dict, **changes) -> dict:
    keys = ("_OperatingSystem", "_Protocols", "_Applications", "_RootVolumeSizeGib", "_UserVolumeSizeGib",
            "_ComponentsAt")
    return {**{k: source[k] for k in keys}, **changes}


def create_workspace_image(ctx: Context, request: dict) -> dict:
    workspace_id = request["WorkspaceId"]
    workspace = ctx.require("workspace", workspace_id)
    # [AWS, create-custom-bundle] an image is made from an AVAILABLE WorkSpace only (a migration's source shows its
    # state as it was, but is not available to anything else).
    if workspace["State"] != "AVAILABLE" or "_MigratingTo" in workspace:
        raise InvalidResourceStateException(f"The WorkSpace {workspace_id} is {workspace['State']}; an image can be "
                                            "created only from an AVAILABLE WorkSpace.")
    tags = request.get("Tags", [])
    _admit(ctx, request["Name"], tags)
    props = workspace["WorkspaceProperties"]
    traits = {"_OperatingSystem": props.get("OperatingSystemName", "UNKNOWN"), "_Protocols": props.get("Protocols", []),
              "_Applications": [], "_RootVolumeSizeGib": props["RootVolumeSizeGib"],
              "_UserVolumeSizeGib": props["UserVolumeSizeGib"], "_ComponentsAt": ctx.now}
    doc = _store(ctx, _image(ctx, request["Name"], request["Description"], traits), tags, families.IMAGE_CREATE)
    # The source is SUSPENDED while the image is made ("SUSPENDED - The WorkSpace has been suspended for image
    # creation", the model's WorkspaceState; "unavailable" meanwhile, create-custom-bundle), AVAILABLE again when
    # the image is [AWS]. A SUSPENDED WorkSpace takes no action, not even TerminateWorkspaces (domain/workspaces.py).
    workspace["State"] = "SUSPENDED"
    ctx.tx.update("workspace", workspace)
    ctx.tx.schedule("workspace", workspace_id, "SUSPENDED", "AVAILABLE", ctx.duration(families.IMAGE_CREATE))
    return present(ctx, doc)


def copy_workspace_image(ctx: Context, request: dict) -> dict:
    source_region, source_id = request["SourceRegion"], request["SourceImageId"]
    if not ctx.settings.serves_region(source_region):
        raise InvalidParameterValuesException(f"SourceRegion {source_region} is not a WorkSpaces Region.")
    # The one crossing of Regions here: the caller's own image, or one shared with it, in SourceRegion [AWS].
    found = _visible(ctx.tx.in_region(source_region), ctx.scope.account_id, source_id)
    if found is None:
        raise _not_found(source_id)
    source = found[0]
    if source["State"] != "AVAILABLE":
        raise ResourceUnavailableException(f"The image {source_id} is {source['State']}.", resource_id=source_id)
    tags = request.get("Tags", [])
    _admit(ctx, request["Name"], tags)
    # [CHOSEN] Without a Description the copy keeps its source's; the copy is owned by the caller.
    description = request.get("Description", source.get("Description"))
    doc = _image(ctx, request["Name"], description, _copied_traits(source), source["RequiredTenancy"])
    _store(ctx, doc, tags, families.IMAGE_COPY)
    return {"ImageId": doc["ImageId"]}


def _byol_error(ctx: Context) -> dict | None:
    """How a BYOL import ends when the account is not enabled for BYOL (ModifyAccount DedicatedTenancySupport):
    [AWS] the model's ErrorDetails codes WorkspacesBYOLAccountNotFound / WorkspacesBYOLAccountDisabled; [CHOSEN]
    the import is accepted and the image ends in ERROR, as AWS reports image ingestion problems."""
    account = ctx.tx.get("account", "account")
    if account is not None and account.get("DedicatedTenancySupport") == "ENABLED":
        return None
    code = "WorkspacesBYOLAccountNotFound" if account is None else "WorkspacesBYOLAccountDisabled"
    message = "This account is not enabled for BYOL: enable DedicatedTenancySupport with ModifyAccount first."
    return {"ErrorCode": code, "ErrorMessage": message, "ErrorDetails": [{"ErrorCode": code, "ErrorMessage": message}]}


# The model's Application values, as named in the applications catalogue (DescribeApplications).
_OFFICE = {"Microsoft_Office_2016": "Microsoft Office Professional Plus 2016",
           "Microsoft_Office_2019": "Microsoft Office Professional Plus 2019"}


def _application_id(application: str) -> str:
    return next(a["ApplicationId"] for a in application_catalogue.applications() if a["Name"] == _OFFICE[application])


def _ingestion_protocols(process: str) -> list[str]:
    """[AWS, IngestionProcess doc] `_WSP` values stream over DCV (WSP), `_BYOP` bring their own protocol, the
    rest PCoIP."""
    if process.endswith("_WSP"):
        return ["WSP"]
    return [] if process.endswith("_BYOP") else ["PCOIP"]


def import_workspace_image(ctx: Context, request: dict) -> dict:
    applications = request.get("Applications", [])
    # [AWS, Applications doc] "Although this parameter is an array, only one item is allowed at this time."
    if len(applications) > 1:
        raise InvalidParameterValuesException("Only one application can be given at this time.")
    tags = request.get("Tags", [])
    _admit(ctx, request["ImageName"], tags)
    # [CHOSEN] No EC2 is simulated: any well-formed AMI id is taken as a licensed Windows 10 image the account owns,
    # with 80 GB root and 10 GB user volumes.
    traits = {"_OperatingSystem": "WINDOWS_10", "_Protocols": _ingestion_protocols(request["IngestionProcess"]),
              "_Applications": [_application_id(a) for a in applications], "_RootVolumeSizeGib": 80,
              "_UserVolumeSizeGib": 10, "_ComponentsAt": ctx.now}
    doc = _image(ctx, request["ImageName"], request["ImageDescription"], traits, "DEDICATED")
    _store(ctx, doc, tags, families.IMAGE_IMPORT, _byol_error(ctx))
    return {"ImageId": doc["ImageId"]}


_OS_VERSIONS = {"Windows_10": "WINDOWS_10", "Windows_11": "WINDOWS_11"}
_CUSTOM_PROTOCOLS = {"PCOIP": ["PCOIP"], "DCV": ["WSP"], "BYOP": []}
# [CHOSEN] The steps of the model's CustomWorkspaceImageImportState, in its order, evenly spread over the
# import's duration; COMPLETED (or ERROR) once the image's own state has moved.
_IMPORT_STEPS = ("PENDING", "IN_PROGRESS", "PROCESSING_SOURCE_IMAGE", "IMAGE_TESTING_START",
                 "UPDATING_OPERATING_SYSTEM", "IMAGE_COMPATIBILITY_CHECKING", "IMAGE_TESTING_GENERALIZATION",
                 "CREATING_TEST_INSTANCE", "INSTALLING_COMPONENTS", "GENERALIZING", "VALIDATING", "PUBLISHING")


def import_custom_workspace_image(ctx: Context, request: dict) -> dict:
    os_name, protocol = _OS_VERSIONS[request["OsVersion"]], request["Protocol"]
    # [AWS, Protocol doc] "Windows 11 does not support PCOIP protocol."
    if os_name == "WINDOWS_11" and protocol == "PCOIP":
        raise InvalidParameterValuesException("Windows 11 images do not support the PCOIP protocol.")
    tags = request.get("Tags", [])
    _admit(ctx, request["ImageName"], tags)
    traits = {"_OperatingSystem": os_name, "_Protocols": _CUSTOM_PROTOCOLS[protocol], "_Applications": [],
              "_RootVolumeSizeGib": 80, "_UserVolumeSizeGib": 10, "_ComponentsAt": ctx.now}
    doc = _image(ctx, request["ImageName"], request["ImageDescription"], traits, "DEDICATED")
    doc["_Import"] = {"ImageSource": request["ImageSource"], "ComputeType": request["ComputeType"],
                      "InfrastructureConfigurationArn": request["InfrastructureConfigurationArn"],
                      "StartedAt": ctx.now, "EndsAt": ctx.now + ctx.duration(families.IMAGE_CUSTOM_IMPORT),
                      "ImageBuilderInstanceId": "i-" + secrets.token_hex(9)[:17]}
    _store(ctx, doc, tags, families.IMAGE_CUSTOM_IMPORT, _byol_error(ctx))
    return {"ImageId": doc["ImageId"], "State": "PENDING"}


def _import_progress(ctx: Context, doc: dict) -> tuple[str, int, float]:
    """(import state, percentage, time of the last step) of an ImportCustomWorkspaceImage, read off the clock."""
    started, ends = doc["_Import"]["StartedAt"], doc["_Import"]["EndsAt"]
    if doc["State"] != "PENDING":
        return ("COMPLETED" if doc["State"] == "AVAILABLE" else "ERROR"), 100, ends
    fraction = min(1.0, (ctx.now - started) / (ends - started)) if ends > started else 1.0
    step = min(int(fraction * len(_IMPORT_STEPS)), len(_IMPORT_STEPS) - 1)
    return _IMPORT_STEPS[step], min(99, int(fraction * 100)), started + (ends - started) * step / len(_IMPORT_STEPS)


def describe_custom_workspace_image_import(ctx: Context, request: dict) -> dict:
    image_id = request["ImageId"]
    doc = ctx.tx.get(_KIND, image_id)
    # [CHOSEN] Only the caller's own images imported by ImportCustomWorkspaceImage have an import to describe.
    if doc is None or "_Import" not in doc:
        raise _not_found(image_id)
    imported = doc["_Import"]
    state, percentage, updated = _import_progress(ctx, doc)
    out = {"ImageId": image_id, "InfrastructureConfigurationArn": imported["InfrastructureConfigurationArn"],
           "State": state, "ProgressPercentage": percentage, "Created": doc["Created"], "LastUpdatedTime": updated,
           "ImageSource": imported["ImageSource"]}
    if state != "PENDING":
        out["ImageBuilderInstanceId"] = imported["ImageBuilderInstanceId"]
    if state == "ERROR":
        out.update(StateMessage=doc["_Error"]["ErrorMessage"], ErrorDetails=doc["_Error"]["ErrorDetails"])
    return out


def create_updated_workspace_image(ctx: Context, request: dict) -> dict:
    source = _owned(ctx, request["SourceImageId"])
    if source["State"] != "AVAILABLE":
        raise InvalidResourceStateException(f"The image {source['ImageId']} is {source['State']}.")
    if source["_OperatingSystem"] not in _UPDATABLE:
        raise OperationNotSupportedException("Only Windows 10, Windows Server 2016 and Windows Server 2019 images can "
                                             "be updated.")
    # [CHOSEN] An image with no update available is in no state to be updated.
    if not _update_available(ctx, source):
        raise InvalidResourceStateException(f"The image {source['ImageId']} has no updates available.")
    tags = request.get("Tags", [])
    _admit(ctx, request["Name"], tags)
    # [AWS] The source image is kept; the new one has the latest components.
    traits = _copied_traits(source, _ComponentsAt=ctx.now, _UpdatedFrom=source["ImageId"])
    doc = _image(ctx, request["Name"], request["Description"], traits, source["RequiredTenancy"])
    _store(ctx, doc, tags, families.IMAGE_CREATE)
    return {"ImageId": doc["ImageId"]}


def delete_workspace_image(ctx: Context, request: dict) -> dict:
    image_id = request["ImageId"]
    doc = ctx.tx.get(_KIND, image_id, for_update=True)
    if doc is None:
        if ctx.tx.get(_SHARE, image_id) is not None:
            raise AccessDeniedException(f"Only the owner of the image {image_id} can delete it.")
        # [AWS] The model declares no ResourceNotFoundException for DeleteWorkspaceImage: deleting an image that
        # does not exist (or is already gone) succeeds and changes nothing.
        return {}
    bundles = _bundles_using(ctx.tx, image_id)
    # [AWS, DeleteWorkspaceImage doc] first delete the bundles using the image, and unshare it.
    if bundles:
        raise ResourceAssociatedException(f"The image {image_id} is used by the bundles {', '.join(bundles)}.")
    if doc.get("_SharedWith"):
        # [CHOSEN] As for a shared connection alias: the image is in no state to be deleted until unshared.
        raise InvalidResourceStateException(f"The image {image_id} is shared with accounts "
                                            f"{', '.join(doc['_SharedWith'])}; unshare it first.")
    if doc["State"] == "PENDING":
        raise InvalidResourceStateException(f"The image {image_id} is still being created.")  # [CHOSEN]
    ctx.tx.delete(_KIND, image_id)
    return {}


# Describing and sharing -------------------------------------------------------------------------------
def _cut(docs: list[dict], limit: int) -> tuple[list[dict], str | None]:
    return paging.cut(sorted(docs, key=lambda d: d["ImageId"]), limit, "ImageId")


def _page(ctx: Context, image_type: str | None, limit: int, token: str | None) -> tuple[list[dict], str | None]:
    """One id-ordered page over the caller's own images and those shared with it, merged by id."""
    after = paging.decode_token(token)
    own = ctx.tx.find(_KIND, after=after, limit=limit + 1) if image_type != "SHARED" else []
    shares = ctx.tx.find(_SHARE, after=after, limit=limit + 1) if image_type != "OWNED" else []
    shared = [found[0] for found in (_visible(ctx.tx, ctx.scope.account_id, s["ImageId"]) for s in shares) if found]
    return _cut(own + shared, limit)


def describe_workspace_images(ctx: Context, request: dict) -> dict:
    # [CHOSEN] Without ImageType, both the caller's images and those shared with it; with ImageIds, the ids the
    # caller can see (unknown ones are simply absent, as in DescribeWorkspaces), still filtered by ImageType.
    image_type, limit, token = request.get("ImageType"), request.get("MaxResults", _PAGE_SIZE), request.get("NextToken")
    if "ImageIds" in request:
        after = paging.decode_token(token)
        found = (_visible(ctx.tx, ctx.scope.account_id, i) for i in dict.fromkeys(request["ImageIds"]))
        docs = [doc for doc, owned in filter(None, found) if image_type in (None, "OWNED" if owned else "SHARED")
                and (after is None or doc["ImageId"] > after)]
        docs, token = _cut(docs, limit)
    else:
        docs, token = _page(ctx, image_type, limit, token)
    return {"Images": [present(ctx, d) for d in docs], "NextToken": token}


def _share(ctx: Context, doc: dict, grantee: str) -> None:
    shared = doc.setdefault("_SharedWith", [])
    if grantee in shared:
        return  # [CHOSEN] granting again changes nothing
    shared.append(grantee)
    shared.sort()
    ctx.tx.update(_KIND, doc)
    # The grantee's share record is written in its scope: the owner's grant is what opens that door.
    ctx.tx.shared_by(grantee).insert(_SHARE, {"ImageId": doc["ImageId"], "_Owner": ctx.scope.account_id})


def _unshare(ctx: Context, doc: dict, grantee: str) -> None:
    shared = doc.get("_SharedWith", [])
    # [AWS, AllowCopyImage doc] "This permission can be revoked only after an image has been shared."
    if grantee not in shared:
        raise InvalidParameterValuesException(f"The image {doc['ImageId']} is not shared with account {grantee}.")
    shared.remove(grantee)
    if not shared:
        doc.pop("_SharedWith")
    ctx.tx.update(_KIND, doc)
    ctx.tx.shared_by(grantee).delete(_SHARE, doc["ImageId"])


def update_workspace_image_permission(ctx: Context, request: dict) -> dict:
    doc = _owned(ctx, request["ImageId"])
    grantee = request["SharedAccountId"]
    if grantee == ctx.scope.account_id:
        raise InvalidParameterValuesException("An image cannot be shared with the account that owns it.")  # [CHOSEN]
    if doc["State"] != "AVAILABLE":
        # [CHOSEN] only an AVAILABLE image can be copied, so only it is shared
        raise ResourceUnavailableException(f"The image {doc['ImageId']} is {doc['State']}.", resource_id=doc["ImageId"])
    # [AWS, share-custom-image] BYOL images go only to BYOL-enabled accounts of the same organization. [CHOSEN] Not
    # checked: Understudy has no organizations, and the grantee's settings are not a shared record.
    if request["AllowCopyImage"]:
        _share(ctx, doc, grantee)
    else:
        _unshare(ctx, doc, grantee)
    return {}


def describe_workspace_image_permissions(ctx: Context, request: dict) -> dict:
    # [AWS] The permissions the owner has granted (model doc); [CHOSEN] so only the owner reads them.
    doc = _owned(ctx, request["ImageId"])
    after, limit = paging.decode_token(request.get("NextToken")), request.get("MaxResults", _PAGE_SIZE)
    accounts = [a for a in doc.get("_SharedWith", []) if after is None or a > after]
    accounts, token = paging.cut(accounts, limit)
    return {"ImageId": doc["ImageId"], "ImagePermissions": [{"SharedAccountId": a} for a in accounts],
            "NextToken": token}


def describe_image_associations(ctx: Context, request: dict) -> dict:
    found = _visible(ctx.tx, ctx.scope.account_id, request["ImageId"])
    if found is None:
        raise _not_found(request["ImageId"])
    doc = found[0]
    associations = application_associations(doc, doc["State"], doc["Created"], ImageId=doc["ImageId"])
    wanted = set(request["AssociatedResourceTypes"])
    return {"Associations": [a for a in associations if a["AssociatedResourceType"] in wanted]}


OPERATIONS: dict[str, Handler] = {
    "CopyWorkspaceImage": copy_workspace_image,
    "CreateUpdatedWorkspaceImage": create_updated_workspace_image,
    "CreateWorkspaceImage": create_workspace_image,
    "DeleteWorkspaceImage": delete_workspace_image,
    "DescribeCustomWorkspaceImageImport": describe_custom_workspace_image_import,
    "DescribeImageAssociations": describe_image_associations,
    "DescribeWorkspaceImagePermissions": describe_workspace_image_permissions,
    "DescribeWorkspaceImages": describe_workspace_images,
    "ImportCustomWorkspaceImage": import_custom_workspace_image,
    "ImportWorkspaceImage": import_workspace_image,
    "UpdateWorkspaceImagePermission": update_workspace_image_permission,
}
