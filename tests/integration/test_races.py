"""Every "at most one" and "at most N" rule holds with two servers racing on one PostgreSQL database.

Each round sends the same request many times at once, split over two `understudy serve` processes,
and counts what exists afterwards. Before the rules lived in the database (claims with a primary key,
quota counters held for the transaction), 13 of 30 such rounds broke one.
"""

import random
from concurrent.futures import ThreadPoolExecutor

import pytest
from botocore.exceptions import ClientError

from tests.helpers import BACKENDS, VPC, Server, fresh_pg_database, other_account

P = "us-east-1"
CALLS = 40  # concurrent identical requests per round
ROUNDS = 3

pytestmark = pytest.mark.skipif("postgresql" not in BACKENDS, reason="UNDERSTUDY_TEST_BACKENDS leaves PostgreSQL out")


@pytest.fixture(scope="module")
def pair():
    with fresh_pg_database() as db:
        quotas = {"connection_aliases": 20}
        servers = [Server(db, "--timing", "instant", quotas=quotas).start(),
                   Server(db, "--timing", "instant", "--no-worker", quotas=quotas).start()]
        yield servers
        for srv in servers:
            srv.stop()


def clients(pair, account: str, service: str = "workspaces") -> list:
    return [srv.client(service, region=P, key=account, max_pool_connections=CALLS) for srv in pair]


def race(call, n: int = CALLS) -> list:
    """Runs call(i) n times at once; answers what each returned or the error code it raised."""
    def one(i):
        try:
            return call(i)
        except ClientError as e:
            return e.response["Error"]["Code"]
    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(one, range(n)))


def a_directory(pair, account: str) -> str:
    ws, ds = clients(pair, account)[0], clients(pair, account, "ds")[0]
    directory = ds.create_microsoft_ad(Name="corp.example.com", Password="Passw0rd!", VpcSettings=VPC)["DirectoryId"]
    ws.register_workspace_directory(DirectoryId=directory)
    return directory


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_workspace_per_user_and_directory(pair, round_):
    account = other_account()
    directory = a_directory(pair, account)
    sides = clients(pair, account)
    bundle = sides[0].describe_workspace_bundles(Owner="AMAZON")["Bundles"][0]["BundleId"]
    users = ["alice", "ALICE", "Alice"]  # one user: names compare without case
    race(lambda i: sides[i % 2].create_workspaces(Workspaces=[
        {"DirectoryId": directory, "UserName": users[i % 3], "BundleId": bundle}]))
    assert len(sides[0].describe_workspaces(DirectoryId=directory)["Workspaces"]) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_alias_per_connection_string(pair, round_):
    account = other_account()
    sides = clients(pair, account)
    answers = race(lambda i: sides[i % 2].create_connection_alias(ConnectionString=f"desktop.{account}.example.com"))
    assert sum(isinstance(a, dict) for a in answers) == 1
    assert set(a for a in answers if isinstance(a, str)) == {"ResourceAlreadyExistsException"}
    assert len(sides[1].describe_connection_aliases()["ConnectionAliases"]) == 1


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_at_most_the_quota_of_aliases(pair, round_):
    account = other_account()
    sides = clients(pair, account)
    answers = race(lambda i: sides[i % 2].create_connection_alias(ConnectionString=f"d{i}.{account}.example.com"),
                   n=30)
    assert sum(isinstance(a, dict) for a in answers) == 20
    assert set(a for a in answers if isinstance(a, str)) == {"ResourceLimitExceededException"}
    assert len(sides[0].describe_connection_aliases()["ConnectionAliases"]) == 20


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_pending_link_per_pair_of_accounts(pair, round_):
    a, b = other_account(), other_account()
    a_sides, b_sides = clients(pair, a), clients(pair, b)
    race(lambda i: (a_sides[i % 2].create_account_link_invitation(TargetAccountId=b) if i % 4 < 2 else
                    b_sides[i % 2].create_account_link_invitation(TargetAccountId=a)))
    for sides in (a_sides, b_sides):
        links = sides[0].list_account_links()["AccountLinks"]
        assert len(links) == 1 and {links[0]["SourceAccountId"], links[0]["TargetAccountId"]} == {a, b}, links


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_one_pools_directory_per_name(pair, round_):
    sides = clients(pair, other_account())
    name = f"pool-users-{random.randrange(10**6)}"
    race(lambda i: sides[i % 2].register_workspace_directory(
        WorkspaceDirectoryName=name, UserIdentityType="CUSTOMER_MANAGED", WorkspaceType="POOLS",
        SubnetIds=VPC["SubnetIds"]))
    assert len(sides[0].describe_workspace_directories(WorkspaceDirectoryNames=[name])["Directories"]) == 1
