"""The read-only views of the whole emulator: GET /_understudy/summary and /_understudy/workspaces.

`understudy status`, `understudy ls` and the dashboard read these. States are shown as the AWS API
would show them (UNHEALTHY during a Region's outage), and replication is read at the clock's `now`,
the same rules Describe uses.
"""

from understudy.domain.outages import shown_state
from understudy.domain.workspaces import shown
from understudy.lifecycle import sessions
from understudy.store import Store, overview
from understudy.store import sessions as session_rows

DEFAULT_LIMIT = 1000
MAX_LIMIT = 10000


def _clock(store: Store) -> dict:
    c = store.clock()
    return {"now": c["now"], "mode": c["mode"], "timing": c["timing"]}


def summary(store: Store) -> dict:
    """Regions, WorkSpaces counted by state per Region and account, outages and the clock."""
    outages = {o["region"]: o for o in store.outages()}
    regions = {r: {"region": r, "outage": outages.get(r), "workspaces": 0, "states": {}, "accounts": {}}
               for r in overview.regions(store)}
    totals: dict[str, int] = {}
    for c in overview.workspace_counts(store):
        region = regions[c["region"]]
        account = region["accounts"].setdefault(c["account_id"], {"account_id": c["account_id"], "workspaces": 0,
                                                                   "states": {}})
        state = shown_state(c["state"], c["region"] in outages)
        for counts in (region["states"], account["states"], totals):
            counts[state] = counts.get(state, 0) + c["count"]
        region["workspaces"] += c["count"]
        account["workspaces"] += c["count"]
    listed = [{**r, "accounts": sorted(r["accounts"].values(), key=lambda a: a["account_id"])}
              for r in regions.values()]
    return {"clock": _clock(store), "outages": list(outages.values()), "regions": listed,
            "workspaces": sum(totals.values()), "states": totals, "dns": sessions.list_names(store)}


def workspaces(store: Store, region: str | None = None, account_id: str | None = None,
               limit: int = DEFAULT_LIMIT) -> dict:
    """One row per primary (or lone WorkSpace) with its standbys beside it, across Regions.

    A row is listed for `region` when the WorkSpace or one of its standbys is there. A standby whose
    primary is gone gets a row of its own.
    """
    clock = _clock(store)
    out = {o["region"] for o in store.outages()}
    found = overview.workspaces(store, account_id)
    live = session_rows.live_everywhere(store)
    by_key = {(w["account_id"], w["region"], w["doc"]["WorkspaceId"]): w for w in found}
    rows, every = [], []
    for w in found:
        doc = w["doc"]
        primary = doc.get("_Primary")
        if primary and (w["account_id"], primary["Region"], primary["WorkspaceId"]) in by_key:
            continue  # shown beside its primary
        standbys = [by_key[k] for ref in doc.get("_Standbys", [])
                    if (k := (w["account_id"], ref["Region"], ref["WorkspaceId"])) in by_key]
        row = _entry(w, clock, out, live)
        row["role"] = "standby" if primary else "primary" if standbys else "standalone"
        row["standbys"] = [_entry(s, clock, out, live) for s in standbys]
        every.append(row)
        if region is None or region in {row["region"], *(s["region"] for s in row["standbys"])}:
            rows.append(row)
    pairs = [p for p in readiness(every) if region is None or region in (p["primary_region"], p["standby_region"])]
    return {"clock": clock, "workspaces": rows[:limit], "truncated": len(rows) > limit, "readiness": pairs}


def readiness(rows: list[dict]) -> list[dict]:
    """Failover readiness per Region pair (primary Region -> standby Region), from the rows above.

    `primaries` counts the WorkSpaces in the primary Region that are not standbys (with a standby or
    not; none being terminated), `with_standby` those with a standby in the standby Region,
    `replicating` the pairs whose standby has DataReplication PRIMARY_AS_SOURCE,
    `oldest_recovery_snapshot_age` the worst RPO in seconds (null when no standby has a recovery
    snapshot), `without_recovery_snapshot` the replicating standbys with none yet, and
    `pending_standbys` the standbys still PENDING.
    """
    primaries: dict[str, int] = {}
    pairs: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row["role"] == "standby" or row["state"] in ("TERMINATING", "TERMINATED"):
            continue
        primaries[row["region"]] = primaries.get(row["region"], 0) + 1
        for s in row["standbys"]:
            pair = pairs.setdefault((row["region"], s["region"]), {
                "primary_region": row["region"], "standby_region": s["region"], "primaries": 0, "with_standby": 0,
                "replicating": 0, "oldest_recovery_snapshot_age": None, "without_recovery_snapshot": 0,
                "pending_standbys": 0})
            pair["with_standby"] += 1
            if s.get("replication") == "PRIMARY_AS_SOURCE":
                pair["replicating"] += 1
                if s.get("recovery_snapshot_age") is None:
                    pair["without_recovery_snapshot"] += 1
            age = s.get("recovery_snapshot_age")
            if age is not None and (pair["oldest_recovery_snapshot_age"] is None
                                    or age > pair["oldest_recovery_snapshot_age"]):
                pair["oldest_recovery_snapshot_age"] = age
            if s["state"] == "PENDING":
                pair["pending_standbys"] += 1
    for (primary_region, _), pair in pairs.items():
        pair["primaries"] = primaries[primary_region]
    return [pairs[k] for k in sorted(pairs)]


def _entry(w: dict, clock: dict, out: set[str], live: dict) -> dict:
    doc = w["doc"]
    seen = shown(doc, region_out=w["region"] in out, now=clock["now"], profile=clock["timing"])
    entry = {
        "account_id": w["account_id"], "region": w["region"], "workspace_id": doc["WorkspaceId"],
        "name": doc.get("WorkspaceName"), "user_name": doc.get("UserName"), "directory_id": doc.get("DirectoryId"),
        "bundle_id": doc.get("BundleId"), "state": seen["State"], "tags": w["tags"],
    }
    session = live.get((w["account_id"], w["region"], doc["WorkspaceId"]))
    # Who is signed in, and since when (docs/control-plane.md "Sign-ins and DNS"); null when nobody is.
    entry["connected_user"] = session["user_name"] if session else None
    entry["connected_since"] = session["since"] if session else None
    if "_Primary" in doc:
        entry["primary"] = {"region": doc["_Primary"]["Region"], "workspace_id": doc["_Primary"]["WorkspaceId"]}
        view = seen["DataReplicationSettings"]
        snapshot = view.get("RecoverySnapshotTime")
        entry["replication"] = view["DataReplication"]
        entry["recovery_snapshot_time"] = snapshot
        entry["recovery_snapshot_age"] = None if snapshot is None else max(0.0, clock["now"] - snapshot)
    return entry
