"""Bulk fixtures for demos and load tests: directories, WorkSpaces and standbys, through the real handlers.

`understudy seed` runs in-process against the database (like `understudy worker`), many requests to
a transaction, so a million WorkSpaces load in minutes. Every WorkSpace is made by the same handler
code as `CreateWorkspaces` and `CreateStandbyWorkspaces`, so seeded state obeys every rule. While it
runs the clock's timing is `instant` (so each step's transitions apply at once), then it is restored.
"""

from collections.abc import Callable, Iterator

from understudy.config import Settings
from understudy.domain.catalogue import public_bundles
from understudy.domain.scope import Scope
from understudy.lifecycle import worker
from understudy.operations import OPERATIONS
from understudy.operations.context import Context
from understudy.store import Store

BATCH = 25  # items per handler call, as AWS allows
CALLS_PER_TRANSACTION = 40
VPC = {"VpcId": "vpc-0a1b2c3d4e5f60718", "SubnetIds": ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]}


def _chunks(items: list, size: int) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


class Seeder:
    def __init__(self, store: Store, settings: Settings, account: str):
        self.store, self.settings, self.account = store, settings, account

    def call(self, region: str, service: str, operation: str, requests: list[dict]) -> list[dict]:
        """Runs one operation's handler for each request, all in one transaction of the scope."""
        handler = OPERATIONS[(service, operation)]
        with self.store.transaction(Scope(self.account, region)) as tx:
            return [handler(Context(tx, self.settings), r) for r in requests]

    def directory(self, region: str) -> str:
        created = self.call(region, "ds", "CreateMicrosoftAD", [
            {"Name": f"seed-{region}.example.com", "Password": "Seed-Passw0rd", "VpcSettings": VPC}])[0]
        worker.run_once(self.store)
        self.call(region, "workspaces", "RegisterWorkspaceDirectory", [{"DirectoryId": created["DirectoryId"]}])
        worker.run_once(self.store)
        return created["DirectoryId"]

    def workspaces(self, region: str, directory: str, count: int, tick: Callable[[int], None]) -> list[str]:
        bundle = next(b["BundleId"] for b in public_bundles(region)
                      if b["ComputeType"]["Name"] == "STANDARD" and b["_OperatingSystem"].startswith("WINDOWS_SERVER"))
        items = [{"DirectoryId": directory, "UserName": f"user{i:07d}", "BundleId": bundle} for i in range(count)]
        created: list[str] = []
        for group in _chunks(list(_chunks(items, BATCH)), CALLS_PER_TRANSACTION):
            results = self.call(region, "workspaces", "CreateWorkspaces", [{"Workspaces": b} for b in group])
            created += [p["WorkspaceId"] for r in results for p in r["PendingRequests"]]
            tick(sum(len(b) for b in group))
        worker.run_once(self.store)
        return created

    def standbys(self, primary_region: str, region: str, directory: str, primaries: list[str],
                 tick: Callable[[int], None]) -> int:
        made = 0
        for group in _chunks(list(_chunks(primaries, BATCH)), CALLS_PER_TRANSACTION):
            results = self.call(region, "workspaces", "CreateStandbyWorkspaces", [
                {"PrimaryRegion": primary_region, "StandbyWorkspaces": [
                    {"PrimaryWorkspaceId": p, "DirectoryId": directory} for p in batch]} for batch in group])
            made += sum(len(r["PendingStandbyRequests"]) for r in results)
            tick(sum(len(b) for b in group))
        worker.run_once(self.store)
        return made


def seed(store: Store, settings: Settings, *, account: str, regions: list[str], workspaces: int,
         standby_ratio: float, tick: Callable[[int], None]) -> dict:
    """N primaries spread evenly over the Regions; a share of them get a standby in the next Region."""
    timing = store.clock()["timing"]
    store.set_clock(timing="instant")
    try:
        seeder = Seeder(store, settings, account)
        directories = {r: seeder.directory(r) for r in regions}
        per_region = {r: workspaces // len(regions) + (i < workspaces % len(regions)) for i, r in enumerate(regions)}
        primaries = {r: seeder.workspaces(r, directories[r], n, tick) for r, n in per_region.items()}
        standbys = 0
        if standby_ratio > 0 and len(regions) > 1:
            for i, region in enumerate(regions):
                target = regions[(i + 1) % len(regions)]
                chosen = primaries[region][: int(len(primaries[region]) * standby_ratio)]
                standbys += seeder.standbys(region, target, directories[target], chosen, tick)
        return {"account": account, "directories": directories,
                "workspaces": {r: len(p) for r, p in primaries.items()}, "standbys": standbys}
    finally:
        store.set_clock(timing=timing)
