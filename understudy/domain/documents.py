"""The stored shape of each kind: its AWS fields as the service model names them, and its private fields.

A document is what Describe would show, plus fields starting with `_` that never reach the wire (the
serializer writes only members of the output shape). Each TypedDict below declares one kind's private
fields, with the AWS fields the code reads by name; the rest of a kind's AWS fields follow its shape in
the service model. A test keeps this list whole: every private key the code uses is declared here.
"""

from typing import Any, TypedDict


class PairRef(TypedDict):
    """The other side of a standby pair."""

    WorkspaceId: str
    Region: str


class Replication(TypedDict, total=False):
    """A standby's data replication: the requested mode, the mode before it, when the switch shows, and the
    last recovery snapshot taken before replication last stopped."""

    mode: str
    previous: str
    effective_at: float
    last_snapshot: float | None


class WorkspaceDoc(TypedDict, total=False):
    WorkspaceId: str
    DirectoryId: str
    UserName: str
    State: str
    BundleId: str
    WorkspaceProperties: dict[str, Any]
    _CreatedAt: float
    _ProvisionedAt: float  # when it leaves PENDING: replication's first snapshot counts from here
    _Modifying: list[str]  # the resources a running ModifyWorkspaceProperties changes
    _VolumesChangedAt: float  # when ModifyWorkspaceProperties last changed a volume size (6-hour cool-down)
    _SubnetId: str  # SubnetId, IpAddress and ComputerName: shown once it is no longer PENDING
    _IpAddress: str
    _ComputerName: str
    _MigratingTo: str  # on a MigrateWorkspace source: the target WorkSpace's id
    _MigratingFrom: str  # on a MigrateWorkspace target: the source WorkSpace's id
    _Primary: PairRef  # on a standby
    _Standbys: list[PairRef]  # on a primary
    _Replication: Replication  # on a standby


class BundleDoc(TypedDict, total=False):
    BundleId: str
    Name: str
    _OperatingSystem: str  # OperatingSystemName of the WorkSpaces made from it
    _Protocols: list[str]
    _SourceBundle: str  # a standby's mirrored bundle: the primary's bundle


class ImageDoc(TypedDict, total=False):
    ImageId: str
    Name: str
    State: str
    _OperatingSystem: str
    _Protocols: list[str]
    _Applications: list[str]
    _RootVolumeSizeGib: int  # the smallest volumes a bundle made from it may have
    _UserVolumeSizeGib: int
    _ComponentsAt: float  # when its WorkSpaces components were last updated
    _Import: dict[str, Any]  # ImportCustomWorkspaceImage's request and timing
    _Error: dict[str, Any]  # ErrorCode, ErrorMessage and ErrorDetails of an image that failed
    _SharedWith: list[str]  # the accounts it is shared with


class ShareDoc(TypedDict, total=False):
    """An alias or image shared into an account: the resource stays in its owner's scope."""

    AliasId: str
    ImageId: str
    _Owner: str
    _AssociatedDirectory: str


class ConnectionAliasDoc(TypedDict, total=False):
    AliasId: str
    ConnectionString: str
    State: str
    _CreatedAt: float
    _AssociatedDirectory: str  # the directory this account associated it with
    _SharedWith: str  # the one account it is shared with


class DirectoryDoc(TypedDict, total=False):
    DirectoryId: str
    State: str
    _ClientProperties: dict[str, Any]
    _ConnectClientAddIns: list[dict[str, Any]]


class DsDirectoryDoc(TypedDict, total=False):
    """A Directory Service directory; it has no private fields."""

    DirectoryId: str
    Stage: str


class IpGroupDoc(TypedDict, total=False):
    """An IP access control group; it has no private fields."""

    groupId: str
    groupName: str


class ClientBrandingDoc(TypedDict, total=False):
    _DirectoryId: str
    _RegistrationCode: str  # the registration the branding was imported for


class PoolDoc(TypedDict, total=False):
    PoolId: str
    State: str
    _DesiredUserSessions: int
    _ResumeState: str  # the state an UPDATING pool returns to


class ApplicationAssociationDoc(TypedDict, total=False):
    _Id: str  # "<WorkspaceId>/<ApplicationId>"
    WorkspaceId: str
    ApplicationId: str
    State: str
    _Goal: str  # install or uninstall
    _StateTimes: dict[str, float]  # when each step of its deployment began


class ApplicationDoc(TypedDict, total=False):
    """An application of the catalogue (domain/applications.py)."""

    ApplicationId: str
    _Family: str  # applications of one family (Microsoft 365 Apps, Visual Studio) exclude each other


class AccountLinkDoc(TypedDict, total=False):
    AccountLinkId: str
    AccountLinkStatus: str
    _LinkedAccountId: str  # the other account, in either account's copy
    _ClientToken: str


class AccountDoc(TypedDict, total=False):
    _Id: str


DOCUMENTS: dict[str, type] = {
    "workspace": WorkspaceDoc, "bundle": BundleDoc, "image": ImageDoc, "image_share": ShareDoc,
    "alias_share": ShareDoc, "connection_alias": ConnectionAliasDoc, "directory": DirectoryDoc,
    "ds_directory": DsDirectoryDoc, "ip_group": IpGroupDoc,
    "client_branding": ClientBrandingDoc, "pool": PoolDoc, "application_association": ApplicationAssociationDoc,
    "account_link": AccountLinkDoc, "account": AccountDoc, "account_modification": AccountDoc,
}
"""Each stored kind's declared shape; `application` is the catalogue's, never stored."""
