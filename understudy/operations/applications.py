"""Applications that WorkSpaces installs on a WorkSpace (Manage applications): the catalogue
(DescribeApplications), associating an application with a WorkSpace and disassociating it, deploying those
changes (DeployWorkspaceApplications), and the associations seen from either side
(DescribeApplicationAssociations, DescribeWorkspaceAssociations).

The catalogue is data (understudy.domain.applications), never stored. An association is the stored kind
`application_association`: `_Id` "<WorkspaceId>/<ApplicationId>", `WorkspaceId`, `ApplicationId`, `State`,
`Created`, `StateReason`, `_Goal` (install or uninstall) and `_StateTimes` (when it entered, or will enter,
each state of its deployment: LastUpdatedTime). Rules [AWS]
https://docs.aws.amazon.com/workspaces/latest/adminguide/manage-applications.html: Windows WorkSpaces only,
the WorkSpace AVAILABLE or STOPPED to deploy, Office 2016 and 2019 uninstall only.
"""

from understudy.domain import applications as catalogue
from understudy.domain.errors import (
    ApplicationNotSupportedException,
    ComputeNotCompatibleException,
    IncompatibleApplicationsException,
    OperatingSystemNotCompatibleException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
)
from understudy.domain.outages import shown_state
from understudy.domain.resources import GONE
from understudy.operations.context import Context, Handler
from understudy.operations.paging import cut, decode_token

_KIND = "application_association"
# AWS documents no default MaxResults. [CHOSEN] 25, the largest, so the catalogue fits one page.
_PAGE_SIZE = 25
_DEPLOYABLE = frozenset({"AVAILABLE", "STOPPED"})
# [CHOSEN] A WorkSpace in one of these states takes the deployment, which then fails as AWS's
# DeploymentError.WorkspaceUnreachable; a WorkSpace busy with anything else refuses it (ResourceInUseException).
_UNREACHABLE = frozenset({"UNHEALTHY", "IMPAIRED", "ERROR"})
_FILTER_LISTS = {"ComputeTypeNames": "SupportedComputeTypeNames",
                 "OperatingSystemNames": "SupportedOperatingSystemNames"}


def _application(application_id: str) -> dict:
    app = catalogue.application(application_id)
    if app is None:
        raise ResourceNotFoundException(f"The application {application_id} could not be found.",
                                        resource_id=application_id)
    return app



def _last_updated(doc: dict) -> float:
    return doc["_StateTimes"].get(doc["State"], doc["Created"])


def _workspace_view(doc: dict) -> dict:
    """The association as a WorkspaceResourceAssociation: seen from the WorkSpace."""
    return {"AssociatedResourceId": doc["ApplicationId"], "AssociatedResourceType": "APPLICATION",
            "Created": doc["Created"], "LastUpdatedTime": _last_updated(doc), "State": doc["State"],
            "StateReason": doc.get("StateReason"), "WorkspaceId": doc["WorkspaceId"]}


def _application_view(doc: dict) -> dict:
    """The association as an ApplicationResourceAssociation: seen from the application."""
    return {"ApplicationId": doc["ApplicationId"], "AssociatedResourceId": doc["WorkspaceId"],
            "AssociatedResourceType": "WORKSPACE", "Created": doc["Created"], "LastUpdatedTime": _last_updated(doc),
            "State": doc["State"], "StateReason": doc.get("StateReason")}


def _set_state(ctx: Context, doc: dict, state: str, reason: dict | None = None) -> None:
    doc.update(State=state, _StateTimes={state: ctx.now})
    doc.pop("StateReason", None)
    if reason:
        doc["StateReason"] = reason
    ctx.tx.update(_KIND, doc)


def _matches(app: dict, request: dict) -> bool:
    # [CHOSEN] Every criterion given must hold; an application matches a list of compute types or operating
    # systems when it supports every one named. Only Amazon owns applications, so any other Owner finds none.
    if request.get("ApplicationIds") is not None and app["ApplicationId"] not in request["ApplicationIds"]:
        return False
    if any(request.get(key, app[key]) != app[key] for key in ("Owner", "LicenseType")):
        return False
    return all(set(request.get(key, ())) <= set(app[field]) for key, field in _FILTER_LISTS.items())


def _page(items: list[dict], key: str, request: dict) -> tuple[list[dict], str | None]:
    """A page of an id-ordered list, with the cursor tokens of stored kinds."""
    after = decode_token(request.get("NextToken"))
    rest = [i for i in items if after is None or i[key] > after]
    return cut(rest, request.get("MaxResults", _PAGE_SIZE), key)


def describe_applications(ctx: Context, request: dict) -> dict:
    apps, token = _page([a for a in catalogue.applications() if _matches(a, request)], "ApplicationId", request)
    return {"Applications": apps, "NextToken": token}


def _check_compatible(ctx: Context, workspace: dict, app: dict) -> None:
    name, props = app["Name"], workspace["WorkspaceProperties"]
    if app["State"] == "UNINSTALL_ONLY":
        raise ApplicationNotSupportedException(f"{name} can only be uninstalled.")
    if props.get("OperatingSystemName") not in app["SupportedOperatingSystemNames"]:
        raise OperatingSystemNotCompatibleException(f"{name} does not support the operating system "
                                                    f"{props.get('OperatingSystemName')} of this WorkSpace.")
    if props.get("ComputeTypeName") not in app["SupportedComputeTypeNames"]:
        raise ComputeNotCompatibleException(f"{name} does not support the compute type {props.get('ComputeTypeName')} "
                                            "of this WorkSpace.")
    for other in ctx.tx.find(_KIND, WorkspaceId=workspace["WorkspaceId"]):
        other_app = catalogue.application(other["ApplicationId"])
        if other_app is not None and other["State"] not in catalogue.LEAVING and other_app["_Family"] == app["_Family"]:
            raise IncompatibleApplicationsException(f"{name} cannot be installed beside {other_app['Name']}; "
                                                    "disassociate that one first.")


def associate_workspace_application(ctx: Context, request: dict) -> dict:
    workspace = ctx.require("workspace", request["WorkspaceId"])
    app = _application(request["ApplicationId"])
    key = f"{workspace['WorkspaceId']}/{app['ApplicationId']}"
    existing = ctx.tx.get(_KIND, key, for_update=True)
    if existing is not None and existing["State"] != "REMOVED":
        raise ResourceAlreadyExistsException(f"{app['Name']} is already associated with the WorkSpace "
                                             f"{workspace['WorkspaceId']}.")
    _check_compatible(ctx, workspace, app)
    if existing is not None:
        ctx.tx.delete(_KIND, key)  # a REMOVED association still shown: the new one replaces it
    state = catalogue.WAITING_FOR_DEPLOYMENT["install"]
    doc = {"_Id": key, "WorkspaceId": workspace["WorkspaceId"], "ApplicationId": app["ApplicationId"],
           "State": state, "Created": ctx.now, "_Goal": "install", "_StateTimes": {state: ctx.now}}
    ctx.tx.insert(_KIND, doc)
    return {"Association": _workspace_view(doc)}


def disassociate_workspace_application(ctx: Context, request: dict) -> dict:
    workspace_id, application_id = request["WorkspaceId"], request["ApplicationId"]
    ctx.require("workspace", workspace_id)
    doc = ctx.tx.get(_KIND, f"{workspace_id}/{application_id}", for_update=True)
    if doc is None or doc["State"] == "REMOVED":
        raise ResourceNotFoundException(f"The application {application_id} is not associated with the WorkSpace "
                                        f"{workspace_id}.", resource_id=application_id)
    if doc["State"] in catalogue.IN_FLIGHT:
        raise ResourceInUseException(f"The application {application_id} is being deployed ({doc['State']}).",
                                     resource_id=application_id)
    if doc["_Goal"] == "install" and doc["State"] in (catalogue.WAITING_FOR_DEPLOYMENT["install"], "ERROR"):
        # [CHOSEN] Nothing to uninstall: the association goes at once, without a deployment.
        ctx.tx.delete(_KIND, doc["_Id"])
        doc.update(State="REMOVED", _StateTimes={"REMOVED": ctx.now})
        return {"Association": _workspace_view(doc)}
    doc["_Goal"] = "uninstall"
    _set_state(ctx, doc, catalogue.WAITING_FOR_DEPLOYMENT["uninstall"])
    return {"Association": _workspace_view(doc)}


def _deploy(ctx: Context, doc: dict) -> None:
    """Schedules every step of the association's deployment, and records when each will begin."""
    steps = catalogue.DEPLOYMENT_STEPS[doc["_Goal"]]
    at, times = ctx.now, {}
    for (state, duration), (following, _) in zip(steps, steps[1:] + ((GONE, None),), strict=True):
        times[state] = at
        if duration is None:
            break
        at += ctx.duration(duration)
        ctx.tx.schedule(_KIND, doc["_Id"], state, following, at - ctx.now)
    doc.update(State=steps[0][0], _StateTimes=times)
    doc.pop("StateReason", None)
    ctx.tx.update(_KIND, doc)


def deploy_workspace_applications(ctx: Context, request: dict) -> dict:
    workspace = ctx.require("workspace", request["WorkspaceId"])
    state = shown_state(workspace["State"], ctx.tx.outage() is not None)
    docs = ctx.tx.find(_KIND, WorkspaceId=workspace["WorkspaceId"])
    waiting = set(catalogue.WAITING_FOR_DEPLOYMENT.values()) | ({"ERROR"} if request.get("Force") else set())
    targets = [d for d in docs if d["State"] in waiting]
    if state in _UNREACHABLE:
        reason = {"ErrorCode": "DeploymentError.WorkspaceUnreachable",
                  "ErrorMessage": f"The WorkSpace {workspace['WorkspaceId']} is {state} and could not be reached."}
        for doc in targets:
            _set_state(ctx, doc, "ERROR", reason)
    elif state in _DEPLOYABLE:
        # [AWS] Force "allows previously failed deployments to be retried" (model doc of Force): without it,
        # associations in ERROR stay there.
        for doc in targets:
            _deploy(ctx, doc)
    else:
        raise ResourceInUseException(f"The WorkSpace {workspace['WorkspaceId']} is {state}; applications are "
                                     "deployed to a WorkSpace that is AVAILABLE or STOPPED.",
                                     resource_id=workspace["WorkspaceId"])
    return {"Deployment": {"Associations": [_workspace_view(d) for d in docs]}}


def describe_workspace_associations(ctx: Context, request: dict) -> dict:
    workspace = ctx.require("workspace", request["WorkspaceId"])
    return {"Associations": [_workspace_view(d) for d in ctx.tx.find(_KIND, WorkspaceId=workspace["WorkspaceId"])]}


def describe_application_associations(ctx: Context, request: dict) -> dict:
    app = _application(request["ApplicationId"])
    # [CHOSEN] Amazon's public bundles and images carry no applications: only WorkSpaces are ever associated.
    if "WORKSPACE" not in request["AssociatedResourceTypes"]:
        return {"Associations": []}
    docs = [d for d in ctx.tx.find(_KIND) if d["ApplicationId"] == app["ApplicationId"]]
    # Associations of WorkSpaces that are gone are not shown.
    alive = {w["WorkspaceId"] for w in ctx.tx.get_many("workspace", list({d["WorkspaceId"] for d in docs}))}
    page, token = _page([d for d in docs if d["WorkspaceId"] in alive], "_Id", request)
    return {"Associations": [_application_view(d) for d in page], "NextToken": token}


OPERATIONS: dict[str, Handler] = {
    "AssociateWorkspaceApplication": associate_workspace_application,
    "DeployWorkspaceApplications": deploy_workspace_applications,
    "DescribeApplicationAssociations": describe_application_associations,
    "DescribeApplications": describe_applications,
    "DescribeWorkspaceAssociations": describe_workspace_associations,
    "DisassociateWorkspaceApplication": disassociate_workspace_application,
}
