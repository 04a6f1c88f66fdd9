"""A Region failover runbook for Amazon WorkSpaces, written against boto3 only.

Two steps a disaster-recovery team runs:

    ensure    every primary WorkSpace in the primary Region has a standby in the standby Region
    failover  when the primary Region is down, start the standbys so users can connect there

It talks to whatever endpoint boto3 is given: real AWS, or Understudy while you rehearse
(`--endpoint http://127.0.0.1:4599`). Adapt the directory choice and the health test to your setup.

    python examples/failover_runbook.py --primary-region us-east-1 --standby-region us-west-2 \\
        --standby-directory d-1234567890 ensure
"""

import argparse

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError

BATCH = 25  # the most WorkSpaces one StartWorkspaces or CreateStandbyWorkspaces call takes


def client(region: str, endpoint: str | None):
    # Few retries: a Region that is down should be noticed quickly, not waited out.
    return boto3.client("workspaces", region_name=region, endpoint_url=endpoint,
                        config=Config(retries={"max_attempts": 2, "mode": "standard"}))


def all_workspaces(ws, **filters) -> list[dict]:
    return [w for page in ws.get_paginator("describe_workspaces").paginate(**filters) for w in page["Workspaces"]]


def related(workspace: dict, kind: str) -> list[dict]:
    """Entries of RelatedWorkspaces naming the other side's role (`PRIMARY` on a standby)."""
    return [r for r in workspace.get("RelatedWorkspaces", []) if r["Type"] == kind]


def ensure_standbys(primary_region: str, standby_region: str, standby_directory: str,
                    endpoint: str | None = None) -> dict:
    """Creates the missing standbys; returns what was created and what failed."""
    primary_ws, standby_ws = client(primary_region, endpoint), client(standby_region, endpoint)
    missing = [w["WorkspaceId"] for w in all_workspaces(primary_ws)
               if not related(w, "PRIMARY")  # not itself a standby
               and not any(r["Region"] == standby_region for r in related(w, "STANDBY"))
               and w["State"] in ("AVAILABLE", "STOPPED")]
    created, failed = [], []
    for i in range(0, len(missing), BATCH):
        r = standby_ws.create_standby_workspaces(PrimaryRegion=primary_region, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": wid, "DirectoryId": standby_directory} for wid in missing[i:i + BATCH]])
        created += [p["WorkspaceId"] for p in r["PendingStandbyRequests"]]
        failed += [(f["StandbyWorkspaceRequest"]["PrimaryWorkspaceId"], f["ErrorCode"])
                   for f in r["FailedStandbyRequests"]]
    return {"created": created, "failed": failed}


def primary_region_down(primary_region: str, endpoint: str | None) -> bool:
    try:
        client(primary_region, endpoint).describe_workspaces(Limit=1)
    except EndpointConnectionError:
        return True
    except ClientError as e:
        return e.response["ResponseMetadata"]["HTTPStatusCode"] >= 500
    return False


def fail_over(primary_region: str, standby_region: str, endpoint: str | None = None) -> dict:
    """Starts every standby whose primary is unreachable or UNHEALTHY; returns the ids started."""
    standby_ws = client(standby_region, endpoint)
    region_down = primary_region_down(primary_region, endpoint)
    to_start = []
    for w in all_workspaces(standby_ws):
        primaries = [r for r in related(w, "PRIMARY") if r["Region"] == primary_region]
        if primaries and (region_down or primaries[0]["State"] == "UNHEALTHY") and w["State"] == "STOPPED":
            to_start.append(w["WorkspaceId"])
    failed = []
    for i in range(0, len(to_start), BATCH):
        r = standby_ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid} for wid in to_start[i:i + BATCH]])
        failed += [(f["WorkspaceId"], f["ErrorCode"]) for f in r["FailedRequests"]]
    return {"region_down": region_down, "started": [w for w in to_start if w not in dict(failed)], "failed": failed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="e.g. http://127.0.0.1:4599 for Understudy; omit for AWS")
    parser.add_argument("--primary-region", required=True)
    parser.add_argument("--standby-region", required=True)
    parser.add_argument("--standby-directory", help="directory for new standbys (ensure)")
    parser.add_argument("step", choices=["ensure", "failover"])
    args = parser.parse_args()
    if args.step == "ensure":
        if not args.standby_directory:
            parser.error("ensure needs --standby-directory")
        print(ensure_standbys(args.primary_region, args.standby_region, args.standby_directory, args.endpoint))
    else:
        print(fail_over(args.primary_region, args.standby_region, args.endpoint))


if __name__ == "__main__":
    main()
