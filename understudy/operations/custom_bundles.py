"""Custom bundles: CreateWorkspaceBundle, UpdateWorkspaceBundle, DeleteWorkspaceBundle and
DescribeBundleAssociations.

A custom bundle is the stored kind `bundle` with BundleType REGULAR and the account as Owner: one of the account's
AVAILABLE images plus a compute type and volumes. Besides the WorkspaceBundle members it carries what
CreateWorkspaces reads from every bundle (`_OperatingSystem`, `_Protocols`) and the image's applications
(`_Applications`), taken from its image when it is created or pointed at another image. DescribeWorkspaceBundles
(operations/bundles.py) lists it with the account's standby bundles.

Rules [AWS]: https://docs.aws.amazon.com/workspaces/latest/adminguide/create-custom-bundle.html,
update-custom-bundle.html, delete_bundle.html of the same guide, and the quotas page (50 custom bundles).
"""

from understudy.domain import families
from understudy.domain.errors import (
    InvalidParameterValuesException,
    OperationNotSupportedException,
    ResourceAlreadyExistsException,
    ResourceAssociatedException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
)
from understudy.operations.bundles import find_bundle
from understudy.operations.context import Context, Handler
from understudy.operations.images import application_associations, bundle_traits, owned_image, volume_problem
from understudy.operations.tags import as_dict, tag_problem

_KIND = "bundle"


def _not_found(bundle_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The bundle {bundle_id} could not be found.", resource_id=bundle_id)


def _custom(ctx: Context, bundle_id: str | None, refusal: type) -> dict:
    """The caller's own custom bundle; Amazon's public bundles and the standby bundles WorkSpaces manages are
    refused with `refusal` [CHOSEN: each operation's closest declared error]."""
    if not bundle_id:
        # BundleId is optional in the model of UpdateWorkspaceBundle and DeleteWorkspaceBundle, not in their meaning.
        raise InvalidParameterValuesException("BundleId is required.")
    bundle = find_bundle(ctx.tx, bundle_id)
    if bundle is None:
        raise _not_found(bundle_id)
    if bundle.get("Owner") != ctx.scope.account_id or bundle.get("BundleType") == "STANDBY":
        raise refusal(f"The bundle {bundle_id} is not a custom bundle of this account.")
    return ctx.require(_KIND, bundle_id)


def _capacity(storage: dict, what: str) -> int:
    value = storage["Capacity"]
    if not value.isdigit() or int(value) < 1:
        raise InvalidParameterValuesException(f"The {what} capacity {value} is not a whole number of GB.")
    return int(value)


def _compute(request: dict, image: dict) -> str:
    name = request["ComputeType"].get("Name")
    if name is None:
        raise InvalidParameterValuesException("ComputeType must name a compute type.")
    # [AWS, migrate-workspaces] "Value bundles are not supported on Windows 11."
    if name == "VALUE" and image["_OperatingSystem"] == "WINDOWS_11":
        raise InvalidParameterValuesException("The VALUE compute type is not supported with Windows 11 images.")
    return name


def _check_room(ctx: Context, name: str) -> None:
    # [CHOSEN] Names are unique among the account's bundles in the Region; Amazon's public names are not taken.
    if ctx.tx.count(_KIND, Name=name):
        raise ResourceAlreadyExistsException(f"A bundle named {name} already exists in this Region.")
    # [AWS] 50 custom bundles per Region; the standby bundles WorkSpaces mirrors do not count [CHOSEN].
    ctx.tx.total(_KIND, for_quota=True)  # takes this scope's turn at its bundle quota before counting
    custom = sum(1 for b in ctx.tx.find(_KIND) if b.get("BundleType") != "STANDBY")
    if custom >= ctx.quota("bundles"):
        raise ResourceLimitExceededException(f"You have reached the maximum number of custom bundles in this Region "
                                             f"({ctx.quota('bundles')}).")


def create_workspace_bundle(ctx: Context, request: dict) -> dict:
    name, tags = request["BundleName"], request.get("Tags", [])
    problem = tag_problem(tags)
    if problem:
        raise InvalidParameterValuesException(problem)
    _check_room(ctx, name)
    image = owned_image(ctx, request["ImageId"])
    # [CHOSEN] Without RootStorage the root volume is the image's.
    root = _capacity(request.get("RootStorage", {"Capacity": str(image["_RootVolumeSizeGib"])}), "root volume")
    user = _capacity(request["UserStorage"], "user volume")
    problem = volume_problem(image, root, user)
    if problem:
        raise InvalidParameterValuesException(problem)
    doc = {"BundleId": families.BUNDLE.new_id(), "Name": name, "Owner": ctx.scope.account_id,
           "Description": request["BundleDescription"], "ImageId": image["ImageId"],
           "RootStorage": {"Capacity": str(root)}, "UserStorage": {"Capacity": str(user)},
           "ComputeType": {"Name": _compute(request, image)}, "State": "AVAILABLE", "BundleType": "REGULAR",
           "CreationTime": ctx.now, "LastUpdatedTime": ctx.now, **bundle_traits(image)}
    # [CHOSEN] A bundle only ties an image to hardware, so it is AVAILABLE at once.
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(doc["BundleId"], as_dict(tags))
    return {"WorkspaceBundle": doc}


def update_workspace_bundle(ctx: Context, request: dict) -> dict:
    doc = _custom(ctx, request.get("BundleId"), OperationNotSupportedException)
    if not request.get("ImageId"):
        raise InvalidParameterValuesException("ImageId is required.")
    image = owned_image(ctx, request["ImageId"])
    problem = volume_problem(image, int(doc["RootStorage"]["Capacity"]), int(doc["UserStorage"]["Capacity"]))
    if problem:
        raise InvalidParameterValuesException(problem)
    # [AWS] Existing WorkSpaces keep their image until rebuilt or recreated (UpdateWorkspaceBundle doc).
    doc.update(ImageId=image["ImageId"], LastUpdatedTime=ctx.now, **bundle_traits(image))
    ctx.tx.update(_KIND, doc)
    return {}


def delete_workspace_bundle(ctx: Context, request: dict) -> dict:
    doc = _custom(ctx, request.get("BundleId"), InvalidParameterValuesException)
    bundle_id = doc["BundleId"]
    # [AWS, delete_bundle] a bundle in use by WorkSpaces cannot be deleted; [CHOSEN] WorkSpaces Pools count too,
    # and a terminated WorkSpace until it is gone.
    users = ctx.tx.count("workspace", BundleId=bundle_id) + ctx.tx.count("pool", BundleId=bundle_id)
    if users:
        raise ResourceAssociatedException(f"The bundle {bundle_id} is used by {users} WorkSpaces or pools.")
    ctx.tx.delete(_KIND, bundle_id)
    return {}


def describe_bundle_associations(ctx: Context, request: dict) -> dict:
    bundle_id = request["BundleId"]
    bundle = find_bundle(ctx.tx, bundle_id)
    if bundle is None:
        raise _not_found(bundle_id)
    associations = application_associations(bundle, "AVAILABLE", bundle["CreationTime"], BundleId=bundle_id)
    wanted = set(request["AssociatedResourceTypes"])
    return {"Associations": [a for a in associations if a["AssociatedResourceType"] in wanted]}


OPERATIONS: dict[str, Handler] = {
    "CreateWorkspaceBundle": create_workspace_bundle,
    "DeleteWorkspaceBundle": delete_workspace_bundle,
    "DescribeBundleAssociations": describe_bundle_associations,
    "UpdateWorkspaceBundle": update_workspace_bundle,
}
