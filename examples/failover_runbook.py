"""A Region failover runbook for Amazon WorkSpaces, written against boto3 only.

Three steps a disaster-recovery team runs:

    ensure    every primary WorkSpace in the primary Region has a standby in the standby Region
    failover  when the primary Region is down, start the standbys so users can connect there
    verify    sign a sample of users in through the name they type (say desktop.example.com) and report
              where each landed: the Region, the WorkSpace, and how old the data they find is

`verify` needs Understudy: AWS has no API that signs a user in, so it uses Understudy's control plane
(POST /_understudy/sign-ins), which stands in for a WorkSpaces client and for DNS.

It talks to whatever endpoint boto3 is given: real AWS, or Understudy while you rehearse
(`--endpoint http://127.0.0.1:4599`). Adapt the directory choice and the health test to your setup.

    python examples/failover_runbook.py --primary-region us-east-1 --standby-region us-west-2 \\
        --standby-directory d-1234567890 ensure
"""

import argparse
import json
import sys
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError

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
    primaries = [w for w in all_workspaces(primary_ws) if not related(w, "PRIMARY")]
    created, failed = [], []
    for i in range(0, len(missing), BATCH):
        r = standby_ws.create_standby_workspaces(PrimaryRegion=primary_region, StandbyWorkspaces=[
            {"PrimaryWorkspaceId": wid, "DirectoryId": standby_directory} for wid in missing[i:i + BATCH]])
        created += [p["WorkspaceId"] for p in r["PendingStandbyRequests"]]
        failed += [(f["StandbyWorkspaceRequest"]["PrimaryWorkspaceId"], f["ErrorCode"])
                   for f in r["FailedStandbyRequests"]]
    return {"primaries": len(primaries), "created": created, "failed": failed}


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
    to_start, standbys = [], 0
    for w in all_workspaces(standby_ws):
        standbys += bool(related(w, "PRIMARY"))
        primaries = [r for r in related(w, "PRIMARY") if r["Region"] == primary_region]
        if primaries and (region_down or primaries[0]["State"] == "UNHEALTHY") and w["State"] == "STOPPED":
            to_start.append(w["WorkspaceId"])
    failed = []
    for i in range(0, len(to_start), BATCH):
        r = standby_ws.start_workspaces(StartWorkspaceRequests=[{"WorkspaceId": wid} for wid in to_start[i:i + BATCH]])
        failed += [(f["WorkspaceId"], f["ErrorCode"]) for f in r["FailedRequests"]]
    return {"region_down": region_down, "standbys": standbys, "started": [w for w in to_start if w not in dict(failed)],
            "failed": failed}


def _control_plane(endpoint: str, method: str, path: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(endpoint.rstrip("/") + "/_understudy" + path, data=data, method=method,
                                     headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def verify(fqdn: str, standby_region: str, endpoint: str, sample: int = 5) -> dict:
    """Signs up to `sample` users of the standbys in through `fqdn` and reports where each landed, then signs
    them out again. Users are taken from the standby Region (the primary Region may be down), spread evenly
    over their names in order, so the same drill checks the same users."""
    users = sorted({w["UserName"] for w in all_workspaces(client(standby_region, endpoint)) if related(w, "PRIMARY")})
    chosen = users[::max(1, len(users) // max(1, sample))][:sample]
    landed = {}
    for user in chosen:
        r = _control_plane(endpoint, "POST", "/sign-ins", {"registration_code": fqdn, "user": user})
        landed[user] = {key: r.get(key) for key in ("outcome", "region", "workspace_id", "state", "data_as_of")}
        if "session_id" in r:
            _control_plane(endpoint, "DELETE", f"/sign-ins/{r['session_id']}")
    return {"name": fqdn, "checked": len(chosen), "landed": landed,
            "connected": sum(1 for r in landed.values() if r["outcome"] == "CONNECTED")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", help="e.g. http://127.0.0.1:4599 for Understudy; omit for AWS")
    parser.add_argument("--primary-region", required=True)
    parser.add_argument("--standby-region", required=True)
    parser.add_argument("--standby-directory", help="directory for new standbys (ensure)")
    parser.add_argument("--name", help="the name users type to connect, e.g. desktop.example.com (verify)")
    parser.add_argument("--sample", type=int, default=5, help="how many users verify signs in (default 5)")
    parser.add_argument("step", choices=["ensure", "failover", "verify"])
    args = parser.parse_args()
    if args.step == "ensure" and not args.standby_directory:
        parser.error("ensure needs --standby-directory")
    if args.step == "verify" and (not args.name or not args.endpoint):
        parser.error("verify needs --name and --endpoint (Understudy)")
    try:
        result = run(args)
    except NoCredentialsError:
        sys.exit("error: no AWS credentials. Set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or a profile). Against "
                 "Understudy any values do, and a 12-digit access key id picks the account.")
    print(json.dumps(result, indent=2))
    found = result.get("primaries", result.get("standbys", result.get("checked")))
    if not found:
        # An empty answer is not a success: the wrong account, Region or endpoint looks exactly like this.
        sys.exit(f"error: found no {'primaries' if args.step == 'ensure' else 'standbys'} to act on: check the "
                 "account (with Understudy, a 12-digit access key id is that account; any other key is the server's "
                 "default account), the Regions and --endpoint.")


def run(args: argparse.Namespace) -> dict:
    if args.step == "ensure":
        return ensure_standbys(args.primary_region, args.standby_region, args.standby_directory, args.endpoint)
    if args.step == "failover":
        return fail_over(args.primary_region, args.standby_region, args.endpoint)
    return verify(args.name, args.standby_region, args.endpoint, args.sample)


if __name__ == "__main__":
    main()
