"""Every resource family, declared once: how it is stored, its id, its ARN type, whether it takes tags,
its quotas and its timed transitions.

The tables the rest of the code reads are derived from `FAMILIES`: the stored kinds (`KINDS`), the tag
and policy prefix tables, the quota profiles (config) and the timing of every transition. Adding a
family is an entry here, a module of handlers in `operations/` listed in its `__init__`, and its tests
(docs/architecture.md "Adding a family").
"""

import string
from dataclasses import dataclass
from typing import NamedTuple

from understudy.domain import ids
from understudy.domain.resources import Kind, account_link_claims, alias_claims, directory_claims, workspace_claims

_ALNUM = string.ascii_lowercase + string.digits
_HEX = "0123456789abcdef"


@dataclass(frozen=True)
class Timed:
    """A transition that takes time: its length under the `fast` and `realistic` profiles (`instant` is zero).

    `realistic` follows AWS's published figures where there are some (about 20 minutes to provision a
    WorkSpace, 5 to terminate one, about 30 for a new directory) [CHOSEN, docs/workspaces.md]."""

    name: str
    fast: float
    realistic: float

    def seconds(self, profile: str) -> float:
        return 0.0 if profile == "instant" else self.fast if profile == "fast" else self.realistic


@dataclass(frozen=True)
class Quota:
    """An "at most N" per account and Region: `generous` stays out of the way of tests, `aws` is AWS's default.

    It counts the family's first kind, or only the documents in `tally` (standby WorkSpaces)."""

    name: str
    generous: int
    aws: int
    tally: str | None = None


@dataclass(frozen=True)
class Family:
    kinds: tuple[Kind, ...]  # the first is the family's own resource; the others are kept beside it
    prefix: str = ""  # of the ids it makes; empty when its ids are not AWS-shaped ids
    id_alphabet: str = _ALNUM
    id_length: int = 9
    also_prefixes: tuple[str, ...] = ()  # ids of its resources that another family made (`d-` directories)
    arn_type: str | None = None  # the resource type in its ARN, as IAM policies name it
    taggable: bool = False
    quotas: tuple[Quota, ...] = ()
    timed: tuple[Timed, ...] = ()

    @property
    def kind(self) -> str:
        return self.kinds[0].name

    def new_id(self) -> str:
        assert self.prefix, f"{self.kind} has no id shape"
        return ids.random_id(self.prefix, self.id_alphabet, self.id_length)


# Timed transitions, by family. `instant` makes every one zero, so the next read sees the end state.
WORKSPACE_PROVISION = Timed("workspace.provision", 2.0, 20 * 60)
WORKSPACE_TERMINATE = Timed("workspace.terminate", 1.0, 5 * 60)
WORKSPACE_TERMINATED_SHOWN = Timed("workspace.terminated_shown", 2.0, 10 * 60)
WORKSPACE_START = Timed("workspace.start", 1.0, 90)
WORKSPACE_STOP = Timed("workspace.stop", 1.0, 90)
WORKSPACE_REBOOT = Timed("workspace.reboot", 1.0, 120)
WORKSPACE_REBUILD = Timed("workspace.rebuild", 2.0, 20 * 60)
WORKSPACE_RESTORE = Timed("workspace.restore", 2.0, 20 * 60)
WORKSPACE_MODIFY = Timed("workspace.modify", 1.0, 10 * 60)
WORKSPACE_MIGRATE = Timed("workspace.migrate", 2.0, 60 * 60)
# Replication: a first recovery snapshot, then one every 12 hours [AWS: MRR guide]; a mode switch shows later.
REPLICATION_FIRST_SNAPSHOT = Timed("replication.first_snapshot", 5.0, 12 * 3600)
REPLICATION_INTERVAL = Timed("replication.interval", 10.0, 12 * 3600)
REPLICATION_SWITCH = Timed("replication.switch", 1.0, 5 * 60)
DS_DIRECTORY_CREATE = Timed("directory.create", 2.0, 30 * 60)
DS_DIRECTORY_DELETE = Timed("directory.delete", 1.0, 10 * 60)
DIRECTORY_REGISTER = Timed("directory.register", 1.0, 60)
DIRECTORY_DEREGISTER = Timed("directory.deregister", 1.0, 60)
ALIAS_CREATE = Timed("alias.create", 1.0, 60)
ALIAS_DELETE = Timed("alias.delete", 1.0, 60)
ACCOUNT_MODIFY = Timed("account.modify", 1.0, 5 * 60)
IMAGE_CREATE = Timed("image.create", 2.0, 45 * 60)
IMAGE_COPY = Timed("image.copy", 2.0, 30 * 60)
IMAGE_IMPORT = Timed("image.import", 3.0, 3 * 3600)
IMAGE_CUSTOM_IMPORT = Timed("image.custom_import", 12.0, 3 * 3600)
POOL_CREATE = Timed("pool.create", 2.0, 10 * 60)
POOL_START = Timed("pool.start", 2.0, 15 * 60)
POOL_STOP = Timed("pool.stop", 1.0, 5 * 60)
POOL_UPDATE = Timed("pool.update", 1.0, 2 * 60)
POOL_DELETE = Timed("pool.delete", 1.0, 5 * 60)
APPLICATION_QUEUE = Timed("application.queue", 1.0, 60)
APPLICATION_INSTALL = Timed("application.install", 2.0, 15 * 60)
APPLICATION_UNINSTALL = Timed("application.uninstall", 2.0, 10 * 60)
APPLICATION_REMOVED_SHOWN = Timed("application.removed_shown", 2.0, 10 * 60)

# Where AWS's quota is fixed, `generous` keeps AWS's number too, since code may rely on hitting it.
# `aws` is AWS's published defaults [AWS: https://docs.aws.amazon.com/workspaces/latest/adminguide/workspaces-limits.html].
DIRECTORIES = Quota("directories", 50, 50)

ACCOUNT = Family(
    kinds=(Kind("account", id="_Id"),
           # A successful ModifyAccount; `_Id` counts down, so id order is newest first.
           Kind("account_modification", id="_Id", state="ModificationState")),
    timed=(ACCOUNT_MODIFY,),
)
DS_DIRECTORY = Family(
    kinds=(Kind("ds_directory", id="DirectoryId", state="Stage", label="Name"),),
    prefix="d-", id_alphabet=_HEX, id_length=10, arn_type="directory",
    quotas=(DIRECTORIES,), timed=(DS_DIRECTORY_CREATE, DS_DIRECTORY_DELETE),
)
DIRECTORY = Family(
    kinds=(Kind("directory", id="DirectoryId", state="State", label="DirectoryName", claims=directory_claims),
           # A directory's client branding, one doc per directory, for the registration named by `_RegistrationCode`.
           Kind("client_branding", id="_DirectoryId")),
    # Only registered directories are taggable, never a bare DS directory (CreateTags in the model).
    prefix="wsd-", also_prefixes=("d-",), arn_type="directory", taggable=True,
    quotas=(DIRECTORIES,), timed=(DIRECTORY_REGISTER, DIRECTORY_DEREGISTER),
)
BUNDLE = Family(
    kinds=(Kind("bundle", id="BundleId", state="State", label="Name"),),
    prefix="wsb-", arn_type="workspacebundle", taggable=True, quotas=(Quota("bundles", 50, 50),),
)
WORKSPACE = Family(
    kinds=(Kind("workspace", id="WorkspaceId", state="State", directory_id="DirectoryId", user_name="UserName",
                bundle_id="BundleId", label="WorkspaceName", tallies=(("standby", "_Primary"),), noun="WorkSpace",
                claims=workspace_claims, claims_change=True),),
    prefix="ws-", arn_type="workspace", taggable=True,
    # The standby default is 0 on AWS's current quotas page: it is granted on request [AWS: workspaces-limits.html].
    quotas=(Quota("workspaces", 1_000_000_000, 1), Quota("standby_workspaces", 1_000_000_000, 0, tally="standby")),
    timed=(WORKSPACE_PROVISION, WORKSPACE_TERMINATE, WORKSPACE_TERMINATED_SHOWN, WORKSPACE_START, WORKSPACE_STOP,
           WORKSPACE_REBOOT, WORKSPACE_REBUILD, WORKSPACE_RESTORE, WORKSPACE_MODIFY, WORKSPACE_MIGRATE,
           REPLICATION_FIRST_SNAPSHOT, REPLICATION_INTERVAL, REPLICATION_SWITCH),
)
CONNECTION_ALIAS = Family(
    kinds=(Kind("connection_alias", id="AliasId", state="State", directory_id="_AssociatedDirectory",
                label="ConnectionString", claims=alias_claims),
           # An alias shared with this account, kept in the grantee's scope: the alias itself stays with
           # `_Owner` and is read through Tx.shared_by.
           Kind("alias_share", id="AliasId", directory_id="_AssociatedDirectory")),
    prefix="wsca-", arn_type="connectionalias", taggable=True, quotas=(Quota("connection_aliases", 20, 20),),
    timed=(ALIAS_CREATE, ALIAS_DELETE),
)
IP_GROUP = Family(
    kinds=(Kind("ip_group", id="groupId", label="groupName", noun="IP access control group"),),
    prefix="wsipg-", arn_type="workspaceipgroup", taggable=True, quotas=(Quota("ip_groups", 100_000, 100),),
)
IMAGE = Family(
    kinds=(Kind("image", id="ImageId", state="State", label="Name"),
           # An image shared with this account, kept in the grantee's scope (read through Tx.shared_by).
           Kind("image_share", id="ImageId")),
    prefix="wsi-", arn_type="workspaceimage", taggable=True, quotas=(Quota("images", 100_000, 40),),
    timed=(IMAGE_CREATE, IMAGE_COPY, IMAGE_IMPORT, IMAGE_CUSTOM_IMPORT),
)
# [CHOSEN] Pools are taggable, as CreateWorkspacesPool takes Tags, although CreateTags does not list them.
POOL = Family(
    kinds=(Kind("pool", id="PoolId", state="State", directory_id="DirectoryId", bundle_id="BundleId",
                label="PoolName"),),
    # [CHOSEN] AWS's quotas page gives no figure for pools: the `aws` profile keeps 10 (docs/evidence.md "Quotas").
    prefix="wspool-", arn_type="workspacespool", taggable=True, quotas=(Quota("pools", 100_000, 10),),
    timed=(POOL_CREATE, POOL_START, POOL_STOP, POOL_UPDATE, POOL_DELETE),
)
APPLICATION = Family(
    # An application associated with a WorkSpace; `_Id` is "<WorkspaceId>/<ApplicationId>". The
    # applications themselves are a catalogue (domain/applications.py) with stable `wsa-` ids.
    kinds=(Kind("application_association", id="_Id", state="State", label="WorkspaceId"),),
    prefix="wsa-", arn_type="workspaceapplication",
    timed=(APPLICATION_QUEUE, APPLICATION_INSTALL, APPLICATION_UNINSTALL, APPLICATION_REMOVED_SHOWN),
)
ACCOUNT_LINK = Family(
    # Kept in both accounts' scopes (the other side written through Tx.shared_by). Its status is not an
    # indexed state: PENDING_ACCEPTANCE_BY_TARGET_ACCOUNT is longer than the state column.
    kinds=(Kind("account_link", id="AccountLinkId", label="_LinkedAccountId", claims=account_link_claims,
                claims_change=True),),
    prefix="link-", id_length=12,
)

FAMILIES = (ACCOUNT, DS_DIRECTORY, DIRECTORY, BUNDLE, WORKSPACE, CONNECTION_ALIAS, IP_GROUP, IMAGE, POOL,
            APPLICATION, ACCOUNT_LINK)



class Registries(NamedTuple):
    """The tables derived from a list of families."""

    kinds: dict[str, Kind]  # stored kind name -> how the store keeps it
    taggable: dict[str, str]  # id prefix (without its dash) -> the kind CreateTags and its kin find it in
    arn_types: tuple[tuple[str, str], ...]  # id prefix -> ARN resource type, longest prefixes first
    quotas: dict[str, Quota]
    timed: dict[str, Timed]  # what the timing profiles cover


def derive(families: tuple[Family, ...]) -> Registries:
    """The registries of `families`; a kind, quota or transition declared twice is an error."""
    kinds = [kind for family in families for kind in family.kinds]
    quotas = {quota.name: quota for family in families for quota in family.quotas}
    timed = [t for family in families for t in family.timed]
    assert len({k.name for k in kinds}) == len(kinds), "a kind is declared twice"
    assert len({t.name for t in timed}) == len(timed), "a timed transition is declared twice"
    prefixes = [(prefix, family) for family in families for prefix in (family.prefix, *family.also_prefixes) if prefix]
    return Registries(
        kinds={kind.name: kind for kind in kinds},
        taggable={prefix.rstrip("-"): family.kind for prefix, family in prefixes if family.taggable},
        # sorted longest first, so `wsb-` is never read as `ws-`
        arn_types=tuple(sorted({(prefix, family.arn_type) for prefix, family in prefixes if family.arn_type},
                               key=lambda pair: (-len(pair[0]), pair[0]))),
        quotas=quotas,
        timed={t.name: t for t in timed},
    )


_REGISTRIES = derive(FAMILIES)
KINDS = _REGISTRIES.kinds
TAGGABLE = _REGISTRIES.taggable
ARN_TYPES = _REGISTRIES.arn_types
QUOTAS = _REGISTRIES.quotas
