"""Read-only queries across every account and Region, for the control plane's views (status, ls, dashboard).

Handlers never cross scopes like this; only the operator's views of the whole emulator do.
"""

from sqlalchemy import func, select, union

from understudy.store import schema
from understudy.store.database import Store

_R = schema.resources
_T = schema.tags
_TAG_BATCH = 500  # ids per IN (...) list, well under SQLite's bound on parameters


def regions(store: Store) -> list[str]:
    """Every Region holding any resource or an outage."""
    stmt = union(select(_R.c.region).distinct(), select(schema.outages.c.region))
    with store.engine.begin() as conn:
        return sorted(r for (r,) in conn.execute(stmt))


def workspace_counts(store: Store) -> list[dict]:
    """WorkSpaces per (Region, account, stored state)."""
    stmt = (select(_R.c.region, _R.c.account_id, _R.c.state, func.count().label("n"))
            .where(_R.c.kind == "workspace").group_by(_R.c.region, _R.c.account_id, _R.c.state))
    with store.engine.begin() as conn:
        return [{"region": r, "account_id": a, "state": s, "count": n} for r, a, s, n in conn.execute(stmt)]


def workspaces(store: Store, account_id: str | None = None) -> list[dict]:
    """Every WorkSpace (of one account, if given) in every Region, with its scope and tags."""
    stmt = select(_R.c.account_id, _R.c.region, _R.c.doc).where(_R.c.kind == "workspace")
    if account_id is not None:
        stmt = stmt.where(_R.c.account_id == account_id)
    stmt = stmt.order_by(_R.c.account_id, _R.c.region, _R.c.id)
    with store.engine.begin() as conn:
        found = [{"account_id": a, "region": r, "doc": d} for a, r, d in conn.execute(stmt)]
        ids = [w["doc"]["WorkspaceId"] for w in found]
        tags: dict[tuple, dict] = {}
        for start in range(0, len(ids), _TAG_BATCH):
            rows = conn.execute(select(_T).where(_T.c.resource_id.in_(ids[start:start + _TAG_BATCH]))
                                .order_by(_T.c.key)).mappings()
            for t in rows:
                tags.setdefault((t["account_id"], t["region"], t["resource_id"]), {})[t["key"]] = t["value"]
    for w in found:
        w["tags"] = tags.get((w["account_id"], w["region"], w["doc"]["WorkspaceId"]), {})
    return found
