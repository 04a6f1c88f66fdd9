"""The read-only views of the whole emulator: GET /_understudy/summary and /_understudy/workspaces.

`understudy status`, `understudy ls` and the dashboard read these. States are shown as the AWS API
would show them (UNHEALTHY during a Region's outage), and replication is read at the clock's `now`,
the same rules Describe uses.
"""

from understudy.domain.outages import shown_state
from understudy.domain.standby import replication_view
from understudy.domain.timing import duration
from understudy.store import Store, overview

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
            "workspaces": sum(totals.values()), "states": totals}


def workspaces(store: Store, region: str | None = None, account_id: str | None = None,
               limit: int = DEFAULT_LIMIT) -> dict:
    """One row per primary (or lone WorkSpace) with its standbys beside it, across Regions.

    A row is listed for `region` when the WorkSpace or one of its standbys is there. A standby whose
    primary is gone gets a row of its own.
    """
    clock = _clock(store)
    out = {o["region"] for o in store.outages()}
    found = overview.workspaces(store, account_id)
    by_key = {(w["account_id"], w["region"], w["doc"]["WorkspaceId"]): w for w in found}
    rows = []
    for w in found:
        doc = w["doc"]
        primary = doc.get("_Primary")
        if primary and (w["account_id"], primary["Region"], primary["WorkspaceId"]) in by_key:
            continue  # shown beside its primary
        standbys = [by_key[k] for ref in doc.get("_Standbys", [])
                    if (k := (w["account_id"], ref["Region"], ref["WorkspaceId"])) in by_key]
        row = _entry(w, clock, out)
        row["role"] = "standby" if primary else "primary" if standbys else "standalone"
        row["standbys"] = [_entry(s, clock, out) for s in standbys]
        if region is None or region in {row["region"], *(s["region"] for s in row["standbys"])}:
            rows.append(row)
    return {"clock": clock, "workspaces": rows[:limit], "truncated": len(rows) > limit}


def _entry(w: dict, clock: dict, out: set[str]) -> dict:
    doc = w["doc"]
    entry = {
        "account_id": w["account_id"], "region": w["region"], "workspace_id": doc["WorkspaceId"],
        "name": doc.get("WorkspaceName"), "user_name": doc.get("UserName"), "directory_id": doc.get("DirectoryId"),
        "bundle_id": doc.get("BundleId"), "state": shown_state(doc["State"], w["region"] in out), "tags": w["tags"],
    }
    if "_Primary" in doc:
        entry["primary"] = {"region": doc["_Primary"]["Region"], "workspace_id": doc["_Primary"]["WorkspaceId"]}
        view = replication_view(doc["_Replication"], doc.get("_ProvisionedAt", clock["now"]), clock["now"],
                                duration("replication.first_snapshot", clock["timing"]),
                                duration("replication.interval", clock["timing"]))
        snapshot = view.get("RecoverySnapshotTime")
        entry["replication"] = view["DataReplication"]
        entry["recovery_snapshot_time"] = snapshot
        entry["recovery_snapshot_age"] = None if snapshot is None else max(0.0, clock["now"] - snapshot)
    return entry
