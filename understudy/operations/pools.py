"""WorkSpaces Pools: create, describe, start, stop, update and terminate a pool, and its user sessions.

A pool is stored as kind `pool`, the model's WorkspacesPool shape without `CapacityStatus`, which is computed
when shown from `_DesiredUserSessions` and the state. A pool lives in a directory registered for pools (a
`wsd-` directory with WorkspaceType POOLS, see directories.py) and streams one bundle.

Lifecycle [CHOSEN within the model's WorkspacesPoolState enum; timing in domain/timing.py]: CREATING -> STOPPED;
start STOPPED -> STARTING -> RUNNING; stop RUNNING -> STOPPING -> STOPPED; update -> UPDATING -> the state it
came from; terminate -> DELETING -> gone, a running pool stopping first (Terraform's aws_workspaces_pool waits
through DELETING and STOPPING when it deletes one). No users are simulated, so a pool never has sessions.
"""


from understudy.domain import families
from understudy.domain.errors import (
    InvalidParameterValuesException,
    InvalidResourceStateException,
    OperationInProgressException,
    OperationNotSupportedException,
    ResourceAlreadyExistsException,
    ResourceLimitExceededException,
    ResourceNotFoundException,
    directory_not_found,
)
from understudy.domain.resources import GONE
from understudy.operations.bundles import find_bundle
from understudy.operations.context import Context, Handler
from understudy.operations.paging import cut, decode_token
from understudy.operations.tags import as_dict, tag_problem

_KIND = "pool"
# AWS documents no default Limit for DescribeWorkspacesPools. [CHOSEN] 25, its largest Limit.
_PAGE_SIZE = 25
# [CHOSEN] AWS documents no defaults: those of the WorkSpaces Pools console (15 minutes to reconnect, 15 idle,
# sessions of at most 16 hours), which are AppStream 2.0's, the service Pools are built on.
_TIMEOUTS = {"DisconnectTimeoutInSeconds": 900, "IdleDisconnectTimeoutInSeconds": 900,
             "MaxUserDurationInSeconds": 57600}
# (states it may start from, transient state, settled state, duration) of StartWorkspacesPool and StopWorkspacesPool.
# The API reference says "a running mode of AutoStop and a state of STOPPED" to start and "AVAILABLE, IMPAIRED,
# UNHEALTHY, or ERROR" to stop (API_StartWorkspacesPool.html, API_StopWorkspacesPool.html), words copied from
# StartWorkspaces: those are not pool states, and a new pool is STOPPED whatever its running mode. [CHOSEN,
# docs/evidence.md "Starting and stopping a pool"] A pool starts from STOPPED and stops from RUNNING, in either
# running mode.
_ACTIONS = {
    "start": (frozenset({"STOPPED"}), "STARTING", "RUNNING", families.POOL_START),
    "stop": (frozenset({"RUNNING"}), "STOPPING", "STOPPED", families.POOL_STOP),
}
_SETTLED = frozenset({"STOPPED", "RUNNING"})
_FILTERS = {
    "EQUALS": lambda name, values: name in values,
    "NOTEQUALS": lambda name, values: name not in values,
    "CONTAINS": lambda name, values: any(v in name for v in values),
    "NOTCONTAINS": lambda name, values: not any(v in name for v in values),
}


def _not_found(pool_id: str) -> ResourceNotFoundException:
    return ResourceNotFoundException(f"The pool {pool_id} could not be found.", resource_id=pool_id)



def _refuse(doc: dict, action: str) -> None:
    """[CHOSEN] A pool being updated answers OperationInProgressException, any other wrong state
    InvalidResourceStateException: both are declared by every operation that changes a pool."""
    if doc["State"] == "UPDATING":
        raise OperationInProgressException(f"The pool {doc['PoolId']} is being updated. Try again in a moment.")
    raise InvalidResourceStateException(f"The pool {doc['PoolId']} is {doc['State']}; it cannot {action} now.")


def _check_directory(ctx: Context, directory_id: str) -> None:
    directory = ctx.tx.get("directory", directory_id)
    if directory is None:
        raise directory_not_found(directory_id)
    # [CHOSEN] CreateWorkspacesPool declares no InvalidResourceStateException: a directory that is not a
    # registered pools directory is an invalid value.
    if directory.get("WorkspaceType") != "POOLS":
        raise InvalidParameterValuesException(f"The directory {directory_id} is not registered for WorkSpaces Pools "
                                              "(WorkspaceType POOLS).")
    if directory["State"] != "REGISTERED":
        raise InvalidParameterValuesException(f"The directory {directory_id} is {directory['State']}.")


def _check_bundle(ctx: Context, bundle_id: str) -> None:
    bundle = find_bundle(ctx.tx, bundle_id)
    if bundle is None:
        raise ResourceNotFoundException(f"The bundle {bundle_id} could not be found in this Region.",
                                        resource_id=bundle_id)
    # [CHOSEN] Pools stream Windows desktops only (Windows Server based bundles and BYOL images); a bundle of
    # unknown operating system (a custom one) is accepted.
    system = bundle.get("_OperatingSystem")
    if system and not system.startswith("WINDOWS"):
        raise OperationNotSupportedException(f"The bundle {bundle_id} runs {system}; WorkSpaces Pools support "
                                             "Windows bundles only.")


def _timeouts(current: dict, wanted: dict | None) -> dict:
    timeouts = {**current, **(wanted or {})}
    idle = timeouts["IdleDisconnectTimeoutInSeconds"]
    # [CHOSEN, AppStream 2.0's rule] Idle disconnection is off (0) or at least a minute.
    if 0 < idle < 60:
        raise InvalidParameterValuesException("IdleDisconnectTimeoutInSeconds must be 0 or between 60 and 36000.")
    return timeouts


def _application_settings(ctx: Context, wanted: dict, pool_name: str) -> dict:
    if wanted["Status"] == "DISABLED":
        return {"Status": "DISABLED"}
    # [AWS] the bucket is created on first use, one per account and Region (ApplicationSettingsResponse doc);
    # [CHOSEN] its name, and the settings group defaulting to the pool's name as AppStream's does to the stack's.
    return {"Status": "ENABLED", "SettingsGroup": wanted.get("SettingsGroup", pool_name),
            "S3BucketName": f"wspool-app-settings-{ctx.scope.region}-{ctx.scope.account_id}"}


def present(doc: dict) -> dict:
    """A pool as Describe shows it: its capacity follows its state, and nobody ever uses a session."""
    state = doc["State"]
    live = state in ("RUNNING", "STOPPING") or (state == "UPDATING" and doc["_ResumeState"] == "RUNNING")
    desired = doc["_DesiredUserSessions"]
    actual = desired if live else 0
    return dict(doc, CapacityStatus={"AvailableUserSessions": actual, "DesiredUserSessions": desired,
                                     "ActualUserSessions": actual, "ActiveUserSessions": 0})


def create_workspaces_pool(ctx: Context, request: dict) -> dict:
    name = request["PoolName"]
    # [AWS] "a unique name identifier for the pool" (set-up-pools-create.html), per account and Region.
    if ctx.tx.count(_KIND, PoolName=name):
        raise ResourceAlreadyExistsException(f"A pool named {name} already exists.")
    if ctx.tx.total(_KIND, for_quota=True) >= ctx.quota("pools"):
        raise ResourceLimitExceededException(f"You have reached the maximum number of pools in this Region "
                                             f"({ctx.quota('pools')}).")
    _check_directory(ctx, request["DirectoryId"])
    _check_bundle(ctx, request["BundleId"])
    problem = tag_problem(request.get("Tags", []))
    if problem:
        raise InvalidParameterValuesException(problem)
    pool_id = families.POOL.new_id()
    doc = {
        "PoolId": pool_id,
        "PoolArn": f"arn:aws:workspaces:{ctx.scope.region}:{ctx.scope.account_id}:workspacespool/{pool_id}",
        "PoolName": name, "Description": request["Description"], "State": "CREATING", "CreatedAt": ctx.now,
        "BundleId": request["BundleId"], "DirectoryId": request["DirectoryId"],
        "ApplicationSettings": _application_settings(ctx, request.get("ApplicationSettings", {"Status": "DISABLED"}),
                                                     name),
        "TimeoutSettings": _timeouts(_TIMEOUTS, request.get("TimeoutSettings")),
        # [CHOSEN] ALWAYS_ON when none is given: pools had only that mode before AutoStop came.
        "RunningMode": request.get("RunningMode", "ALWAYS_ON"),
        "_DesiredUserSessions": request["Capacity"]["DesiredUserSessions"],
    }
    ctx.tx.insert(_KIND, doc)
    ctx.tx.put_tags(pool_id, as_dict(request.get("Tags", [])))
    ctx.tx.schedule(_KIND, pool_id, "CREATING", "STOPPED", ctx.duration(families.POOL_CREATE))
    return {"WorkspacesPool": present(doc)}


def _matches(doc: dict, filters: list[dict]) -> bool:
    # [CHOSEN] Every filter must hold; names compare with case.
    return all(_FILTERS[f["Operator"]](doc["PoolName"], f["Values"]) for f in filters)


def describe_workspaces_pools(ctx: Context, request: dict) -> dict:
    after = decode_token(request.get("NextToken"))
    wanted = request.get("PoolIds")
    # [CHOSEN] Unknown ids are simply absent, as for DescribeWorkspaces.
    docs = ctx.tx.get_many(_KIND, list(dict.fromkeys(wanted))) if wanted else ctx.tx.find(_KIND)
    docs = [d for d in docs if _matches(d, request.get("Filters", [])) and (after is None or d["PoolId"] > after)]
    docs, token = cut(docs, request.get("Limit", _PAGE_SIZE), "PoolId")
    return {"WorkspacesPools": [present(d) for d in docs], "NextToken": token}


def _act(ctx: Context, pool_id: str, action: str) -> dict:
    allowed, transient, settled, duration = _ACTIONS[action]
    doc = ctx.require(_KIND, pool_id)
    if doc["State"] not in allowed:
        _refuse(doc, action)
    doc["State"] = transient
    ctx.tx.update(_KIND, doc)
    ctx.tx.schedule(_KIND, pool_id, transient, settled, ctx.duration(duration))
    return {}


def start_workspaces_pool(ctx: Context, request: dict) -> dict:
    return _act(ctx, request["PoolId"], "start")


def stop_workspaces_pool(ctx: Context, request: dict) -> dict:
    return _act(ctx, request["PoolId"], "stop")


def _apply_update(ctx: Context, doc: dict, request: dict) -> None:
    if "DirectoryId" in request:
        _check_directory(ctx, request["DirectoryId"])
    if "BundleId" in request:
        _check_bundle(ctx, request["BundleId"])
    for key in ("Description", "DirectoryId", "BundleId", "RunningMode"):
        doc[key] = request.get(key, doc[key])
    if "Capacity" in request:
        doc["_DesiredUserSessions"] = request["Capacity"]["DesiredUserSessions"]
    if "ApplicationSettings" in request:
        doc["ApplicationSettings"] = _application_settings(ctx, request["ApplicationSettings"], doc["PoolName"])
    doc["TimeoutSettings"] = _timeouts(doc["TimeoutSettings"], request.get("TimeoutSettings"))


def update_workspaces_pool(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["PoolId"])
    if doc["State"] not in _SETTLED:
        _refuse(doc, "be updated")
    # [AWS] The running mode changes only while the pool is stopped (modify-running-mode-pool.html).
    if request.get("RunningMode", doc["RunningMode"]) != doc["RunningMode"] and doc["State"] != "STOPPED":
        raise InvalidResourceStateException(f"The pool {doc['PoolId']} must be STOPPED to change its running mode.")
    _apply_update(ctx, doc, request)
    # [CHOSEN] Every update shows UPDATING, then the pool is back in the state it came from (Terraform's
    # waiter for an update goes from UPDATING to STOPPED or RUNNING).
    doc["_ResumeState"], doc["State"] = doc["State"], "UPDATING"
    ctx.tx.update(_KIND, doc)
    ctx.tx.schedule(_KIND, doc["PoolId"], "UPDATING", doc["_ResumeState"], ctx.duration(families.POOL_UPDATE))
    return {"WorkspacesPool": present(doc)}


def terminate_workspaces_pool(ctx: Context, request: dict) -> dict:
    doc = ctx.require(_KIND, request["PoolId"])
    if doc["State"] == "DELETING":
        return {}  # [CHOSEN] terminating again while it is being deleted changes nothing
    if doc["State"] not in _SETTLED:
        _refuse(doc, "be terminated")
    pool_id, running = doc["PoolId"], doc["State"] == "RUNNING"
    delay = ctx.duration(families.POOL_STOP) if running else 0.0
    if running:
        ctx.tx.schedule(_KIND, pool_id, "STOPPING", "DELETING", delay)
    doc["State"] = "STOPPING" if running else "DELETING"
    ctx.tx.update(_KIND, doc)
    ctx.tx.schedule(_KIND, pool_id, "DELETING", GONE, delay + ctx.duration(families.POOL_DELETE))
    return {}


def describe_workspaces_pool_sessions(ctx: Context, request: dict) -> dict:
    doc = ctx.tx.get(_KIND, request["PoolId"])
    if doc is None:
        raise _not_found(request["PoolId"])
    decode_token(request.get("NextToken"))
    # [CHOSEN] No users are simulated, so no pool ever has a session (docs/workspaces.md "WorkSpaces").
    return {"Sessions": []}


def terminate_workspaces_pool_session(ctx: Context, request: dict) -> dict:
    session_id = request["SessionId"]
    # No session ever exists (see describe_workspaces_pool_sessions).
    raise ResourceNotFoundException(f"The pool session {session_id} could not be found.", resource_id=session_id)


OPERATIONS: dict[str, Handler] = {
    "CreateWorkspacesPool": create_workspaces_pool,
    "DescribeWorkspacesPoolSessions": describe_workspaces_pool_sessions,
    "DescribeWorkspacesPools": describe_workspaces_pools,
    "StartWorkspacesPool": start_workspaces_pool,
    "StopWorkspacesPool": stop_workspaces_pool,
    "TerminateWorkspacesPool": terminate_workspaces_pool,
    "TerminateWorkspacesPoolSession": terminate_workspaces_pool_session,
    "UpdateWorkspacesPool": update_workspaces_pool,
}
