"""Applications (Manage applications) through boto3: the catalogue and its filters and pages, associating
applications with WorkSpaces and every refusal, deployments moving on the clock, Force, and both views of
the associations."""

import re

import pytest

from tests.helpers import code, error, pages, said

OFFICE_PRO = "Microsoft Office LTSC Professional Plus 2021"
OFFICE_STD = "Microsoft Office LTSC Standard 2021"
VISIO_PRO = "Microsoft Visio LTSC Professional 2021"
VS_PRO = "Microsoft Visual Studio Professional 2022"
M365 = "Microsoft 365 Apps for enterprise"
# Named in full: the shorter "Standard with Windows 10" would also match the BYOL bundle.
WINDOWS = "Standard with Windows 10 (Server 2019 based)"


@pytest.fixture
def app_id(ws):
    """app_id(name) -> the id of the catalogue's application of that name."""
    by_name = {a["Name"]: a["ApplicationId"] for a in ws.describe_applications()["Applications"]}
    return by_name.__getitem__


@pytest.fixture
def windows_workspace(make_workspace):
    """windows_workspace(**kw) -> a WorkSpace of the Standard Windows 10 (Server 2019 based) bundle."""
    return lambda **kw: make_workspace(bundle_name=WINDOWS, **kw)


def associations(ws, workspace_id: str) -> dict[str, dict]:
    r = ws.describe_workspace_associations(WorkspaceId=workspace_id, AssociatedResourceTypes=["APPLICATION"])
    return {a["AssociatedResourceId"]: a for a in r["Associations"]}


def state_of(ws, workspace_id: str, application_id: str) -> str | None:
    found = associations(ws, workspace_id).get(application_id)
    return found and found["State"]


def test_the_catalogue(ws, make_client):
    apps = ws.describe_applications()["Applications"]
    names = {a["Name"] for a in apps}
    assert {OFFICE_PRO, OFFICE_STD, VISIO_PRO, VS_PRO, M365, "Microsoft Office Professional Plus 2019"} <= names
    assert len(apps) == 11 and "NextToken" not in ws.describe_applications()
    assert all(re.fullmatch(r"wsa-[0-9a-z]{9}", a["ApplicationId"]) and a["Owner"] == "AMAZON" for a in apps)
    office = next(a for a in apps if a["Name"] == OFFICE_PRO)
    assert (office["LicenseType"], office["State"]) == ("LICENSED", "AVAILABLE")
    assert "WINDOWS_SERVER_2022" in office["SupportedOperatingSystemNames"]
    assert "STANDARD" in office["SupportedComputeTypeNames"]
    assert {a["Name"]: a["State"] for a in apps}["Microsoft Office Professional Plus 2016"] == "UNINSTALL_ONLY"
    # The same ids in every Region and in every call.
    assert make_client(region="eu-west-1").describe_applications()["Applications"] == apps


def test_catalogue_filters(ws, app_id):
    def named(**kw):
        return {a["Name"] for a in ws.describe_applications(**kw)["Applications"]}

    assert named(OperatingSystemNames=["WINDOWS_10"]) == {M365}
    assert named(LicenseType="UNLICENSED") == {M365}
    assert named(OperatingSystemNames=["AMAZON_LINUX_2"]) == set()
    value = named(ComputeTypeNames=["VALUE"])
    assert OFFICE_PRO in value and VS_PRO not in value
    assert VS_PRO in named(ComputeTypeNames=["STANDARD", "POWER"])
    assert len(named(Owner="AMAZON")) == 11
    assert named(Owner="123456789012") == set()
    assert named(ApplicationIds=[app_id(VS_PRO), "wsa-abcdefghi"]) == {VS_PRO}
    assert named(ApplicationIds=[app_id(VS_PRO), app_id(M365)], LicenseType="LICENSED") == {VS_PRO}


def test_catalogue_pages(ws):
    answered = [page["Applications"] for page in pages(ws.describe_applications, MaxResults=4)]
    seen = [a["ApplicationId"] for page in answered for a in page]
    assert len(answered) == 3 and seen == sorted(seen) and len(set(seen)) == 11
    assert code(ws.describe_applications, NextToken="%%%") == "InvalidParameterValuesException"


def test_associate_then_deploy_installs_on_the_clock(ws, server, windows_workspace, app_id):
    wid, office = windows_workspace(), app_id(OFFICE_PRO)
    association = ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)["Association"]
    assert (association["WorkspaceId"], association["AssociatedResourceId"]) == (wid, office)
    assert (association["AssociatedResourceType"], association["State"]) == ("APPLICATION",
                                                                              "PENDING_INSTALL_DEPLOYMENT")
    assert state_of(ws, wid, office) == "PENDING_INSTALL_DEPLOYMENT"
    server.advance(3600)
    assert state_of(ws, wid, office) == "PENDING_INSTALL_DEPLOYMENT"  # nothing happens without a deployment
    deployed = ws.deploy_workspace_applications(WorkspaceId=wid)["Deployment"]["Associations"]
    assert [(a["AssociatedResourceId"], a["State"]) for a in deployed] == [(office, "PENDING_INSTALL")]
    server.advance(1)
    assert state_of(ws, wid, office) == "INSTALLING"
    before = associations(ws, wid)[office]["LastUpdatedTime"]
    server.advance(2)
    done = associations(ws, wid)[office]
    assert done["State"] == "COMPLETED" and done["LastUpdatedTime"] > before
    assert done["Created"] == association["Created"]


def test_disassociate_then_deploy_uninstalls(ws, server, windows_workspace, app_id):
    wid, office = windows_workspace(), app_id(OFFICE_PRO)
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)
    ws.deploy_workspace_applications(WorkspaceId=wid)
    assert code(ws.disassociate_workspace_application, WorkspaceId=wid, ApplicationId=office) == \
        "ResourceInUseException"
    server.advance(3)
    r = ws.disassociate_workspace_application(WorkspaceId=wid, ApplicationId=office)["Association"]
    assert r["State"] == "PENDING_UNINSTALL_DEPLOYMENT"
    # Still installed until the deployment: disassociating again changes nothing.
    assert ws.disassociate_workspace_application(WorkspaceId=wid, ApplicationId=office)["Association"]["State"] == \
        "PENDING_UNINSTALL_DEPLOYMENT"
    ws.deploy_workspace_applications(WorkspaceId=wid)
    assert state_of(ws, wid, office) == "PENDING_UNINSTALL"
    server.advance(1)
    assert state_of(ws, wid, office) == "UNINSTALLING"
    server.advance(2)
    assert state_of(ws, wid, office) == "REMOVED"
    assert code(ws.disassociate_workspace_application, WorkspaceId=wid, ApplicationId=office) == \
        "ResourceNotFoundException"
    server.advance(2)
    assert associations(ws, wid) == {}


def test_disassociating_before_deployment_removes_at_once(ws, windows_workspace, app_id):
    wid, office = windows_workspace(), app_id(OFFICE_PRO)
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)
    r = ws.disassociate_workspace_application(WorkspaceId=wid, ApplicationId=office)["Association"]
    assert r["State"] == "REMOVED"
    assert associations(ws, wid) == {}
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)  # and it can come back
    assert state_of(ws, wid, office) == "PENDING_INSTALL_DEPLOYMENT"


def test_association_refusals(ws, windows_workspace, make_workspace, make_directory, app_id):
    directory = make_directory()
    wid = windows_workspace(directory=directory)
    office = app_id(OFFICE_PRO)
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)
    assert code(ws.associate_workspace_application, WorkspaceId=wid, ApplicationId=office) == \
        "ResourceAlreadyExistsException"
    assert said(ws.associate_workspace_application, WorkspaceId=wid, ApplicationId=app_id(OFFICE_STD)) == (
        "IncompatibleApplicationsException",
        f"{OFFICE_STD} cannot be installed beside {OFFICE_PRO}; disassociate that one first.")
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=app_id(VISIO_PRO))  # another family
    assert code(ws.associate_workspace_application, WorkspaceId=wid,
                ApplicationId=app_id("Microsoft Office Professional Plus 2019")) == "ApplicationNotSupportedException"
    unknown = error(ws.associate_workspace_application, WorkspaceId=wid, ApplicationId="wsa-abcdefghi")
    assert (unknown["Error"]["Code"], unknown["Error"]["Message"], unknown["ResourceId"]) == (
        "ResourceNotFoundException", "The application wsa-abcdefghi could not be found.", "wsa-abcdefghi")
    assert code(ws.associate_workspace_application, WorkspaceId="ws-abcdefghi", ApplicationId=office) == \
        "ResourceNotFoundException"
    linux = make_workspace(user="bob", directory=directory, bundle_name="Standard with Amazon Linux 2")
    assert said(ws.associate_workspace_application, WorkspaceId=linux, ApplicationId=office) == (
        "OperatingSystemNotCompatibleException",
        f"{OFFICE_PRO} does not support the operating system AMAZON_LINUX_2 of this WorkSpace.")
    value = make_workspace(user="carol", directory=directory, bundle_name="Value with Windows 10 (Server 2019")
    assert said(ws.associate_workspace_application, WorkspaceId=value, ApplicationId=app_id(VS_PRO)) == (
        "ComputeNotCompatibleException", f"{VS_PRO} does not support the compute type VALUE of this WorkSpace.")
    byol = make_workspace(user="dave", directory=directory, bundle_name="Standard with Windows 10 BYOL")
    assert code(ws.associate_workspace_application, WorkspaceId=byol, ApplicationId=office) == \
        "OperatingSystemNotCompatibleException"
    ws.associate_workspace_application(WorkspaceId=byol, ApplicationId=app_id(M365))
    assert code(ws.disassociate_workspace_application, WorkspaceId=wid, ApplicationId=app_id(VS_PRO)) == \
        "ResourceNotFoundException"


def test_an_uninstall_pending_frees_its_family(ws, server, windows_workspace, app_id):
    wid = windows_workspace()
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=app_id(OFFICE_PRO))
    ws.deploy_workspace_applications(WorkspaceId=wid)
    server.advance(3)
    ws.disassociate_workspace_application(WorkspaceId=wid, ApplicationId=app_id(OFFICE_PRO))
    # Uninstall one edition and install the other in one deployment (manage-applications.html).
    ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=app_id(OFFICE_STD))
    deployed = ws.deploy_workspace_applications(WorkspaceId=wid)["Deployment"]["Associations"]
    assert {a["AssociatedResourceId"]: a["State"] for a in deployed} == {
        app_id(OFFICE_PRO): "PENDING_UNINSTALL", app_id(OFFICE_STD): "PENDING_INSTALL"}
    server.advance(3)
    assert {k: a["State"] for k, a in associations(ws, wid).items()} == {
        app_id(OFFICE_PRO): "REMOVED", app_id(OFFICE_STD): "COMPLETED"}


def test_deploy_needs_a_workspace_that_is_available_or_stopped(ws, server, windows_workspace, app_id):
    pending = windows_workspace(available=False)
    ws.associate_workspace_application(WorkspaceId=pending, ApplicationId=app_id(OFFICE_PRO))
    refused = error(ws.deploy_workspace_applications, WorkspaceId=pending)
    assert (refused["Error"]["Code"], refused["ResourceId"]) == ("ResourceInUseException", pending)
    assert refused["Error"]["Message"] == (f"The WorkSpace {pending} is PENDING; applications are deployed to a "
                                           "WorkSpace that is AVAILABLE or STOPPED.")
    assert code(ws.deploy_workspace_applications, WorkspaceId="ws-abcdefghi") == "ResourceNotFoundException"
    server.advance(3600)
    stopped = windows_workspace(user="bob", WorkspaceProperties={"RunningMode": "AUTO_STOP"})
    ws.stop_workspaces(StopWorkspaceRequests=[{"WorkspaceId": stopped}])
    server.advance(60)
    ws.associate_workspace_application(WorkspaceId=stopped, ApplicationId=app_id(OFFICE_PRO))
    ws.deploy_workspace_applications(WorkspaceId=stopped)
    assert state_of(ws, stopped, app_id(OFFICE_PRO)) == "PENDING_INSTALL"


def test_a_failed_deployment_is_retried_with_force(ws, server, make_client, windows_workspace, app_id):
    region = "ap-northeast-2"  # an outage here touches no other test's WorkSpaces
    client = make_client(region=region)
    wid, office = windows_workspace(region=region), app_id(OFFICE_PRO)
    client.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)
    assert server.admin("POST", "/outages", json={"region": region, "api": "up"}).status_code == 200
    try:
        failed = client.deploy_workspace_applications(WorkspaceId=wid)["Deployment"]["Associations"][0]
    finally:
        server.admin("DELETE", f"/outages/{region}")
    assert failed["State"] == "ERROR"
    assert failed["StateReason"]["ErrorCode"] == "DeploymentError.WorkspaceUnreachable"
    client.deploy_workspace_applications(WorkspaceId=wid)
    assert state_of(client, wid, office) == "ERROR"  # without Force a failed deployment stays failed
    client.deploy_workspace_applications(WorkspaceId=wid, Force=True)
    assert state_of(client, wid, office) == "PENDING_INSTALL"
    server.advance(3)
    assert associations(client, wid)[office] == {**associations(client, wid)[office], "State": "COMPLETED"}
    assert "StateReason" not in associations(client, wid)[office]


def test_application_associations_list_workspaces_in_pages(ws, server, windows_workspace, make_directory, app_id):
    directory = make_directory()
    wids = sorted(windows_workspace(user=user, directory=directory) for user in ("alice", "bob", "carol"))
    office = app_id(OFFICE_PRO)
    for wid in wids:
        ws.associate_workspace_application(WorkspaceId=wid, ApplicationId=office)
    seen = []
    for page in pages(ws.describe_application_associations, ApplicationId=office,
                      AssociatedResourceTypes=["WORKSPACE"], MaxResults=2):
        assert all((a["ApplicationId"], a["AssociatedResourceType"], a["State"]) == (
            office, "WORKSPACE", "PENDING_INSTALL_DEPLOYMENT") for a in page["Associations"])
        seen += [a["AssociatedResourceId"] for a in page["Associations"]]
    assert seen == wids
    assert ws.describe_application_associations(ApplicationId=office,
                                                AssociatedResourceTypes=["BUNDLE", "IMAGE"])["Associations"] == []
    assert ws.describe_application_associations(ApplicationId=app_id(VS_PRO),
                                                AssociatedResourceTypes=["WORKSPACE"])["Associations"] == []
    assert code(ws.describe_application_associations, ApplicationId="wsa-abcdefghi",
                AssociatedResourceTypes=["WORKSPACE"]) == "ResourceNotFoundException"
    # A terminated WorkSpace's associations go with it.
    ws.terminate_workspaces(TerminateWorkspaceRequests=[{"WorkspaceId": wids[0]}])
    server.advance(3600)
    left = ws.describe_application_associations(ApplicationId=office, AssociatedResourceTypes=["WORKSPACE"])
    assert [a["AssociatedResourceId"] for a in left["Associations"]] == wids[1:]
    assert code(ws.describe_workspace_associations, WorkspaceId=wids[0],
                AssociatedResourceTypes=["APPLICATION"]) == "ResourceNotFoundException"
