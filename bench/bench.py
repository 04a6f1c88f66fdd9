"""Benchmarks, run by hand (never in CI): Understudy on SQLite and PostgreSQL beside moto's server and
the bare-ASGI ceiling, all on this machine in one run. Results go to bench/README.md.

    python bench/bench.py --sizes 10000,1000000 --backends sqlite,postgresql --moto /path/to/moto_server

Needs wrk (Debian's package) and, for the comparison, moto's server in a virtual environment of its
own (pip install "moto[server]"), so moto never becomes a dependency of Understudy.
"""

import argparse
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import httpx
import psycopg
from botocore.config import Config

from understudy.operations.paging import encode_token

HERE = Path(__file__).resolve().parent
ACCOUNT = "123456789012"
REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"]
PG_ADMIN = os.environ.get("UNDERSTUDY_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
CEILING_ID = "ws-abcdefghi"  # the one id the ceiling answers (bare_asgi.py)
WRK_ROUNDS, WRK_SECONDS, WARM_UP_SECONDS = 5, 3, 2
VPC = {"VpcId": "vpc-0123456789abcdef0", "SubnetIds": ["subnet-0123456789abcdef0", "subnet-0fedcba9876543210"]}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Process:
    """A server process: started, timed to its first answer, measured for peak memory, stopped."""

    def __init__(self, cmd: list[str], port: int, probe: str):
        self.port, started = port, time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(600):
            try:
                httpx.get(self.url + probe, timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        self.startup_s = time.monotonic() - started

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_mb(self) -> float:
        """The peak resident memory of the server: of its one process, or the sum over all of them (the
        supervisor and the workers of `--workers N`)."""
        return sum(int(re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text()).group(1))
                   for pid in _tree(self.proc.pid)) / 1024

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def _tree(pid: int) -> list[int]:
    children = [int(c) for task in Path(f"/proc/{pid}/task").iterdir()
                for c in (task / "children").read_text().split()]
    return [pid, *(p for child in children for p in _tree(child))]


def client(url: str, region: str = "us-east-1", service: str = "workspaces"):
    return boto3.client(service, endpoint_url=url, region_name=region, aws_access_key_id=ACCOUNT,
                        aws_secret_access_key="x", config=Config(retries={"max_attempts": 1}))


def wrk(url: str, ids_file: Path, seconds: int) -> dict:
    out = subprocess.run(["wrk", "-t1", "-c32", f"-d{seconds}s", "--latency", "-s", str(HERE / "describe_by_id.lua"),
                          url], capture_output=True, text=True, env={**os.environ, "IDS_FILE": str(ids_file)}).stdout
    to_ms = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def pct(p: str) -> float:
        value, unit = re.search(rf"^\s+{p}%\s+([\d.]+)(us|ms|s)", out, re.M).groups()
        return float(value) * to_ms[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50_ms": pct("50"),
            "p99_ms": pct("99"), "non_2xx": int(errors.group(1)) if errors else 0}


def timed(calls) -> dict:
    """Runs the calls one after another; requests per second and latency percentiles."""
    latencies = []
    started = time.perf_counter()
    for call in calls:
        t = time.perf_counter()
        call()
        latencies.append((time.perf_counter() - t) * 1000)
    total = time.perf_counter() - started
    q = statistics.quantiles(latencies, n=100)
    return {"rps": len(latencies) / total, "p50_ms": q[49], "p99_ms": q[98]}


class Ceiling:
    """The ceiling, kept serving for the whole run, so each server is measured against it in turns: this
    machine's speed moves by a quarter within minutes (bench/README.md), and a ratio of two figures taken
    minutes apart moves with it. Measured in alternation, both sides of a ratio see the same machine."""

    def __init__(self, workdir: Path, workers: int = 1):
        port = free_port()
        self.server = Process([sys.executable, "-m", "uvicorn", "bench.bare_asgi:app", "--port", str(port), "--http",
                               "httptools", "--loop", "uvloop", "--log-level", "warning", "--no-access-log",
                               "--workers", str(workers)], port, "/")
        self.ids_file = workdir / f"ceiling-ids-{workers}.txt"
        self.ids_file.write_text(CEILING_ID)

    def wrk_by_id(self, url: str, ids_file: Path, rounds: int = WRK_ROUNDS) -> dict:
        """wrk on the server and on the ceiling in alternation, `rounds` pairs of short runs, the order turned
        each round, after a run of each not counted: the server's median figures, the ceiling's median
        throughput, and the median of the rounds' ratios."""
        for side in ((url, ids_file), (self.server.url, self.ids_file)):
            wrk(*side, WARM_UP_SECONDS)  # caches filled and connections made (a database's too), not counted
        mine, theirs = [], []
        for r in range(rounds):
            pair = ((url, ids_file), (self.server.url, self.ids_file))
            first, second = (wrk(*side, WRK_SECONDS) for side in (pair if r % 2 == 0 else pair[::-1]))
            mine.append(first if r % 2 == 0 else second)
            theirs.append(second if r % 2 == 0 else first)
        pairs = list(zip(mine, theirs, strict=True))
        return {**{k: statistics.median(m[k] for m in mine) for k in ("rps", "p50_ms", "p99_ms")},
                "non_2xx": sum(m["non_2xx"] for m in mine),
                "ceiling_rps": statistics.median(t["rps"] for t in theirs),
                "of_ceiling": statistics.median(m["rps"] / t["rps"] for m, t in pairs),
                "rounds": [[round(m["rps"]), round(t["rps"])] for m, t in pairs]}

    def sequential_by_id(self, url: str, ids: list[str], n: int = 2000) -> dict:
        """One boto3 client per server, their calls alternating one by one: the server's figures, the
        ceiling's throughput, and the ratio of their total times."""
        mine, theirs = client(url), client(self.server.url)
        for i in range(50):  # both clients' connections open and warm before the count starts
            mine.describe_workspaces(WorkspaceIds=[ids[i % len(ids)]])
            theirs.describe_workspaces(WorkspaceIds=[CEILING_ID])
        mine_ms, theirs_ms = [], []
        for i in range(n):
            for ws, times, name in ((mine, mine_ms, ids[i % len(ids)]), (theirs, theirs_ms, CEILING_ID)):
                started = time.perf_counter()
                ws.describe_workspaces(WorkspaceIds=[name])
                times.append((time.perf_counter() - started) * 1000)
        q = statistics.quantiles(mine_ms, n=100)
        return {"rps": n / sum(mine_ms) * 1000, "p50_ms": q[49], "p99_ms": q[98],
                "ceiling_rps": n / sum(theirs_ms) * 1000, "of_ceiling": sum(theirs_ms) / sum(mine_ms)}

    def stop(self) -> None:
        self.server.stop()


def collect_ids(url: str, count: int = 1000) -> list[str]:
    ids: list[str] = []
    for page in client(url).get_paginator("describe_workspaces").paginate(PaginationConfig={"PageSize": 25}):
        ids += [w["WorkspaceId"] for w in page["Workspaces"]]
        if len(ids) >= count:
            break
    return ids


def full_listing(url: str, regions: list[str]) -> dict:
    started, n = time.perf_counter(), 0
    for region in regions:
        for page in client(url, region).get_paginator("describe_workspaces").paginate():
            n += len(page["Workspaces"])
    return {"workspaces": n, "seconds": time.perf_counter() - started}


def page_costs(url: str, directory: str, n: int = 300) -> dict:
    ws = client(url)
    last = encode_token("ws-zzz")  # ids are random; only a handful sort after this: the last page
    return {"first_page": timed(lambda: ws.describe_workspaces(Limit=25) for _ in range(n)),
            "last_page": timed(lambda: ws.describe_workspaces(Limit=25, NextToken=last) for _ in range(n)),
            "directory_page": timed(lambda: ws.describe_workspaces(DirectoryId=directory, Limit=25)
                                    for _ in range(n))}


def create_rates(url: str, seeded: dict) -> dict:
    east, west = client(url), client(url, "us-west-2")
    bundle = next(b["BundleId"] for b in east.describe_workspace_bundles(Owner="AMAZON")["Bundles"]
                  if "Windows" in b["Name"] and b["ComputeType"]["Name"] == "STANDARD")
    tag = secrets.token_hex(3)
    made: list[str] = []

    def create(i: int):
        r = east.create_workspaces(Workspaces=[{"DirectoryId": seeded["directories"]["us-east-1"],
                                                "UserName": f"bench-{tag}-{i}-{j}", "BundleId": bundle}
                                               for j in range(25)])
        made.extend(p["WorkspaceId"] for p in r["PendingRequests"])

    rates = {"create_workspaces": timed(lambda i=i: create(i) for i in range(40))}
    httpx.post(url + "/_understudy/clock", json={"advance_seconds": 3600}, timeout=600)
    batches = [made[i:i + 25] for i in range(0, len(made), 25)]
    rates["create_standby_workspaces"] = timed(
        lambda b=b: west.create_standby_workspaces(PrimaryRegion="us-east-1", StandbyWorkspaces=[
            {"PrimaryWorkspaceId": p, "DirectoryId": seeded["directories"]["us-west-2"]} for p in b])
        for b in batches)
    return {k: round(v["rps"], 1) for k, v in rates.items()}


AWS_HEADERS = {"Content-Type": "application/x-amz-json-1.1",
               "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCOUNT}/20261127/us-east-1/workspaces/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
BRANDING = {**AWS_HEADERS, "X-Amz-Target": "WorkspacesService.ImportClientBranding"}


def nested_body_attack(url: str, ids: list[str], seconds: float = 10.0) -> dict:
    """Another client's by-id latency while an attacker sends 16.5 MB bodies of `[[],[],...]` one after
    another, to the one operation allowed 16 MiB (ImportClientBranding)."""
    attack = b"[" + b",".join([b"[]"] * (16_500_000 // 3)) + b"]"
    stop, answers = threading.Event(), []

    def attacker():
        with httpx.Client(timeout=60) as http:
            while not stop.is_set():
                answers.append(http.post(url + "/", headers=BRANDING, content=attack).status_code)

    thread = threading.Thread(target=attacker)
    thread.start()
    try:
        time.sleep(0.5)
        ws, deadline, latencies = client(url), time.monotonic() + seconds, []
        while time.monotonic() < deadline:
            started = time.perf_counter()
            ws.describe_workspaces(WorkspaceIds=[ids[len(latencies) % len(ids)]])
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        thread.join()
    q = statistics.quantiles(latencies, n=100)
    return {"attack_requests": len(answers), "attack_statuses": sorted(set(answers)), "other_p50_ms": q[49],
            "other_p99_ms": q[98]}


def max_size_uploads(url: str, n: int = 60) -> dict:
    """n ImportClientBranding uploads of the largest body allowed, all at once; the answers they get."""
    logo = "A" * (15 << 20)
    body = json.dumps({"ResourceId": "d-1234567890", "DeviceTypeWindows": {"Logo": logo}}).encode()

    def upload(_):
        return httpx.post(url + "/", headers=BRANDING, content=body, timeout=120).status_code

    with ThreadPoolExecutor(max_workers=n) as pool:
        statuses = list(pool.map(upload, range(n)))
    return {"uploads": n, "body_mb": round(len(body) / 2**20, 1),
            "statuses": {str(s): statuses.count(s) for s in sorted(set(statuses))}}


def fresh_pg() -> str:
    name = "understudy_bench_" + secrets.token_hex(4)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def seed(db: str, size: int) -> dict:
    """Seeds through the handlers. On PostgreSQL that leaves a dead row for every applied transition; the
    store is vacuumed then, as autovacuum would within its first minute of serving."""
    info = json.loads(subprocess.run(
        [sys.executable, "-m", "understudy", "seed", "--db", db, "--workspaces", str(size), "--regions",
         ",".join(REGIONS), "--standby-ratio", "0.1", "--account", ACCOUNT], capture_output=True, text=True,
        check=True).stdout)
    if db.startswith("postgresql"):
        with psycopg.connect(db.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    return info


def copy_store(source: str, target: str) -> None:
    """The bulk path: every row of a seeded database into another, 10,000 rows per INSERT batch."""
    from understudy.store import Store, schema

    src, dst = Store(source), Store(target)
    dst.migrate()
    with src.engine.connect() as read, dst.engine.begin() as write:
        for table in (schema.resources, schema.tags, schema.transitions, schema.counters, schema.claims,
                      schema.outages):
            result = read.execution_options(yield_per=10_000).execute(table.select())
            for rows in result.mappings().partitions():
                write.execute(table.insert(), [dict(r) for r in rows])


def understudy_run(backend: str, size: int, workdir: Path, keep: Path | None, ceiling: Ceiling,
                   workers: int = 1) -> dict:
    """With `keep`, the SQLite seed of this size is made once in that folder and reused; PostgreSQL is
    then loaded from it by `copy_store` rather than seeded through the handlers (an hour at a million).
    With `workers` over 1, the server runs `--workers N` and only the by-id figures are measured."""
    started = time.monotonic()
    if keep is not None:
        seeded_file, info = keep / f"{size}.db", keep / f"{size}.json"
        if not info.exists():
            info.write_text(json.dumps(seed(f"sqlite:///{seeded_file}", size)))
        seeded = json.loads(info.read_text())
        db = f"sqlite:///{seeded_file}"
        if backend == "postgresql":
            started = time.monotonic()
            db = fresh_pg()
            copy_store(f"sqlite:///{seeded_file}", db)
    else:
        db = fresh_pg() if backend == "postgresql" else f"sqlite:///{workdir}/{size}.db"
        seeded = seed(db, size)
    seed_s = time.monotonic() - started
    port = free_port()
    # As users run it: `understudy serve`'s defaults, logging included.
    srv = Process([sys.executable, "-m", "understudy", "serve", "--port", str(port), "--db", db,
                   *(["--workers", str(workers)] if workers > 1 else [])], port, "/_understudy/health")
    try:
        ids = collect_ids(srv.url)
        ids_file = workdir / "ids.txt"
        ids_file.write_text("\n".join(ids))
        result = {"load_s": round(seed_s, 1), "startup_s": round(srv.startup_s, 2),
                  "wrk_by_id": ceiling.wrk_by_id(srv.url, ids_file),
                  "sequential_by_id": ceiling.sequential_by_id(srv.url, ids)}
        if workers > 1:
            result["peak_rss_mb"] = round(srv.peak_rss_mb(), 1)
            return result
        result["pages"] = page_costs(srv.url, seeded["directories"]["us-east-1"])
        if size <= 10_000 and keep is None:
            result["full_listing"] = full_listing(srv.url, REGIONS)
            result["create_calls_per_s"] = create_rates(srv.url, seeded)
        result["peak_rss_mb"] = round(srv.peak_rss_mb(), 1)
        if backend == "sqlite" and size <= 10_000:
            result["nested_body_attack"] = nested_body_attack(srv.url, ids)
            result["max_size_uploads"] = max_size_uploads(srv.url)
            result["peak_rss_mb_after_uploads"] = round(srv.peak_rss_mb(), 1)
        return result
    finally:
        srv.stop()


def moto_run(moto_server: str, size: int, workdir: Path, ceiling: Ceiling) -> dict:
    port = free_port()
    srv = Process([moto_server, "-p", str(port)], port, "/moto-api/data.json")
    try:
        ds, ws, ec2 = client(srv.url, service="ds"), client(srv.url), client(srv.url, service="ec2")
        vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]  # moto checks subnets against its EC2
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")
                   ["Subnet"]["SubnetId"] for i, z in enumerate("ab")]
        directory = ds.create_directory(Name="corp.example.com", Password="Passw0rd!", Size="Small",
                                        VpcSettings={"VpcId": vpc, "SubnetIds": subnets})["DirectoryId"]
        ws.register_workspace_directory(DirectoryId=directory)
        bundle = "wsb-bh8rsxt14"
        started = time.perf_counter()
        for i in range(size // 25):
            ws.create_workspaces(Workspaces=[{"DirectoryId": directory, "UserName": f"u{i}-{j}", "BundleId": bundle}
                                             for j in range(25)])
        create_rps = (size // 25) / (time.perf_counter() - started)
        ids = [w["WorkspaceId"] for w in ws.describe_workspaces()["Workspaces"]][:1000]
        ids_file = workdir / "moto-ids.txt"
        ids_file.write_text("\n".join(ids))
        return {"startup_s": round(srv.startup_s, 2), "wrk_by_id": ceiling.wrk_by_id(srv.url, ids_file),
                "sequential_by_id": ceiling.sequential_by_id(srv.url, ids),
                "full_listing": full_listing(srv.url, ["us-east-1"]),
                "create_calls_per_s": {"create_workspaces": round(create_rps, 1)},
                "peak_rss_mb": round(srv.peak_rss_mb(), 1)}
    finally:
        srv.stop()


def summary(results: dict, size: int) -> list[str]:
    """The issue's figures from one run, as ratios, each the median of the rounds measured against the ceiling
    in turns (Ceiling); moto and PostgreSQL are compared through their own ratios to the ceiling."""
    lines = []
    moto = results.get("moto_10000")
    for workers in sorted({int(k.rsplit("workers", 1)[1]) for k in results if "_workers" in k} | {1}):
        tail = "" if workers == 1 else f"_workers{workers}"
        sqlite, pg = results.get(f"understudy_sqlite_{size}{tail}"), results.get(f"understudy_postgresql_{size}{tail}")
        label = "defaults" if workers == 1 else f"--workers {workers} (ceiling also {workers} processes)"
        for name, run in (("SQLite", sqlite), ("PostgreSQL", pg)):
            if run:
                lines.append(f"{size:,} stored, {label}, {name}: by id under wrk "
                             f"{run['wrk_by_id']['of_ceiling']:.1%} of the ceiling; sequential boto3 "
                             f"{run['sequential_by_id']['of_ceiling']:.1%} of the same client against the ceiling")
        if sqlite and moto and workers == 1:
            times = sqlite["wrk_by_id"]["of_ceiling"] / moto["wrk_by_id"]["of_ceiling"]
            lines.append(f"{size:,} stored, {label}: {times:.1f}x moto's server by id under wrk")
        if sqlite and pg:
            share = pg["wrk_by_id"]["of_ceiling"] / sqlite["wrk_by_id"]["of_ceiling"]
            lines.append(f"{size:,} stored, {label}: PostgreSQL at {share:.1%} of SQLite by id under wrk")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--workers", default="1,2",
                        help="server processes to compare, Understudy and the ceiling alike (1 is the default)")
    parser.add_argument("--moto", help="path to moto_server, for the side-by-side comparison at 10,000")
    parser.add_argument("--out", default=str(HERE / "results.json"))
    parser.add_argument("--keep", help="folder for seeded SQLite files reused across runs (and copied to PostgreSQL)")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict = {"machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]}}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        for n in workers:
            ceiling = Ceiling(workdir, n)
            try:
                if args.moto and n == 1:
                    results["moto_10000"] = moto_run(args.moto, 10_000, workdir, ceiling)
                    print(json.dumps({"moto_10000": results["moto_10000"]}), flush=True)
                for size in sizes:
                    for backend in args.backends.split(","):
                        key = f"understudy_{backend}_{size}" + ("" if n == 1 else f"_workers{n}")
                        results[key] = understudy_run(backend, size, workdir, Path(args.keep) if args.keep else None,
                                                      ceiling, n)
                        print(json.dumps({key: results[key]}), flush=True)
                results["bare_asgi" + ("" if n == 1 else f"_workers{n}")] = {
                    "peak_rss_mb": round(ceiling.server.peak_rss_mb(), 1)}
            finally:
                ceiling.stop()
    results["summary"] = [line for size in sizes for line in summary(results, size)]
    print("\n".join(results["summary"]))
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
