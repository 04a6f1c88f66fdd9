"""The store in process, on SQLite (a file in tmp_path) and on PostgreSQL (a database of the test's own):
resources by scope, the claims that refuse a second holder, the counters quotas read, cursor paging, and
the lifecycle engine's compare-and-set on scheduled transitions."""

import asyncio

import pytest

from tests.helpers import BACKENDS, database
from understudy.domain.resources import GONE, user_claim
from understudy.domain.scope import Scope
from understudy.lifecycle import worker
from understudy.store import Conflict, ReadOnly, Store, context_read, follow_read

HERE = Scope("111122223333", "us-east-1")


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    with database(request.param, tmp_path) as url:
        s = Store(url)
        s.migrate(mode="manual")
        try:
            yield s
        finally:
            s.close()


def workspace(wid: str, user: str = "alice", state: str = "AVAILABLE", directory: str = "d-1234567890",
              **extra) -> dict:
    return {"WorkspaceId": wid, "State": state, "DirectoryId": directory, "UserName": user,
            "BundleId": "wsb-abcdefghi", **extra}


def insert(store: Store, kind: str, *docs: dict, scope: Scope = HERE) -> None:
    with store.transaction(scope) as tx:
        for doc in docs:
            tx.insert(kind, doc)


def get(store: Store, kind: str, rid: str, scope: Scope = HERE) -> dict | None:
    with store.transaction(scope, writes=False) as tx:
        return tx.get(kind, rid)


async def arrived(rows, n: int) -> None:
    """Waits (at most 5 s) until `rows` holds n answers of reads sent apart."""
    for _ in range(500):
        if len(rows) >= n:
            return
        await asyncio.sleep(0.01)


def set_state(store: Store, wid: str, state: str) -> None:
    with store.transaction(HERE) as tx:
        doc = tx.get("workspace", wid, for_update=True)
        tx.update("workspace", {**doc, "State": state})


def test_insert_get_update_delete(store):
    doc = workspace("ws-aaaaaaaaa", Tags={"a": "b"})
    insert(store, "workspace", doc)
    assert get(store, "workspace", "ws-aaaaaaaaa") == doc
    set_state(store, "ws-aaaaaaaaa", "STOPPED")
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "STOPPED"
    with store.transaction(HERE, writes=False) as tx:  # the indexed column moved with the document
        assert [d["WorkspaceId"] for d in tx.find("workspace", State="STOPPED")] == ["ws-aaaaaaaaa"]
        assert tx.find("workspace", State="AVAILABLE") == []
    with store.transaction(HERE) as tx:
        tx.delete("workspace", "ws-aaaaaaaaa")
    assert get(store, "workspace", "ws-aaaaaaaaa") is None


def test_a_resource_is_seen_in_its_own_scope_only(store):
    insert(store, "ip_group", {"groupId": "wsipg-aaaaaaaaa", "groupName": "g"})
    assert get(store, "ip_group", "wsipg-aaaaaaaaa")["groupName"] == "g"
    assert get(store, "ip_group", "wsipg-aaaaaaaaa", Scope("444455556666", "us-east-1")) is None
    assert get(store, "ip_group", "wsipg-aaaaaaaaa", Scope("111122223333", "us-west-2")) is None


def test_a_prefetched_resource_is_the_one_its_scope_holds(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    with store.transaction(HERE, writes=False, prefetch=("workspace", "ws-aaaaaaaaa")) as tx:
        assert tx.get("workspace", "ws-aaaaaaaaa") == workspace("ws-aaaaaaaaa")
        assert tx.in_region("us-west-2").get("workspace", "ws-aaaaaaaaa") is None  # not another Region's
    elsewhere = Scope("444455556666", "us-east-1")
    with store.transaction(elsewhere, writes=False, prefetch=("workspace", "ws-aaaaaaaaa")) as tx:
        assert tx.get("workspace", "ws-aaaaaaaaa") is None  # nor another account's
    with store.transaction(HERE, writes=False, prefetch=("workspace", "ws-bbbbbbbbb")) as tx:
        assert tx.get("workspace", "ws-bbbbbbbbb") is None
        assert tx.get("workspace", "ws-aaaaaaaaa")["WorkspaceId"] == "ws-aaaaaaaaa"  # not prefetched: read


def test_a_prefetched_resource_is_read_again_after_a_write(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    with store.transaction(HERE, prefetch=("workspace", "ws-aaaaaaaaa")) as tx:
        doc = tx.get("workspace", "ws-aaaaaaaaa")
        tx.update("workspace", {**doc, "State": "STOPPED"})
        assert tx.get("workspace", "ws-aaaaaaaaa")["State"] == "STOPPED"


def test_a_read_waits_for_no_writer(store):
    """A read runs while another transaction holds the write lock, and sees what was committed before it."""
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    other = Store(store.url)
    try:
        with other.transaction(HERE) as writer:
            writer.update("workspace", {**writer.get("workspace", "ws-aaaaaaaaa", for_update=True), "State": "STOPPED"})
            with store.transaction(HERE, writes=False, prefetch=("workspace", "ws-aaaaaaaaa")) as tx:
                assert tx.get("workspace", "ws-aaaaaaaaa")["State"] == "AVAILABLE"
                assert tx.count("workspace", State="AVAILABLE") == 1  # one of SQLAlchemy's statements, too
    finally:
        other.close()
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "STOPPED"


def test_a_batchs_requests_read_together_and_one_that_writes_or_fails_leaves_the_rest_right(store):
    """Store.share_reads, as the server runs a batch of requests: a write in it sees and leaves the latest state,
    the reads after it see the write, a failed read changes nothing for the others, and once the batch is over
    another server's commits are read again."""
    insert(store, "workspace", workspace("ws-aaaaaaaaa"), workspace("ws-bbbbbbbbb", user="bob"))
    other = Store(store.url)
    seen: list[str] = []

    def failing_read() -> None:
        with pytest.raises(RuntimeError), store.transaction(HERE, writes=False) as tx:
            tx.get("workspace", "ws-aaaaaaaaa")
            raise RuntimeError("a handler's failure")

    def batch() -> None:
        seen.append(get(store, "workspace", "ws-aaaaaaaaa")["State"])
        with other.transaction(HERE) as tx:  # another server commits while the batch runs
            tx.update("workspace", {**tx.get("workspace", "ws-bbbbbbbbb", for_update=True), "State": "STOPPED"})
        failing_read()
        seen.append(get(store, "workspace", "ws-aaaaaaaaa")["State"])
        with store.transaction(HERE) as tx:  # a request that writes
            doc = tx.get("workspace", "ws-bbbbbbbbb", for_update=True)
            seen.append(doc["State"])
            tx.update("workspace", {**doc, "State": "REBOOTING"})
        seen.append(get(store, "workspace", "ws-bbbbbbbbb")["State"])
        seen.append(str(len(get_many(store, ["ws-aaaaaaaaa", "ws-bbbbbbbbb"]))))  # one of SQLAlchemy's statements

    try:
        store.share_reads(batch)
        assert seen == ["AVAILABLE", "AVAILABLE", "STOPPED", "REBOOTING", "2"]
        both = ("ws-aaaaaaaaa", "ws-bbbbbbbbb")
        store.share_reads(lambda: seen.extend(get(store, "workspace", w)["State"] for w in both))
        assert seen[-2:] == ["AVAILABLE", "REBOOTING"]
        with other.transaction(HERE) as tx:
            tx.update("workspace", {**tx.get("workspace", "ws-aaaaaaaaa", for_update=True), "State": "STOPPED"})
        store.share_reads(lambda: seen.append(get(store, "workspace", "ws-aaaaaaaaa")["State"]))
        assert seen[-1] == "STOPPED"
        set_state(store, "ws-aaaaaaaaa", "AVAILABLE")  # and the store writes as before
        assert get(other, "workspace", "ws-aaaaaaaaa")["State"] == "AVAILABLE"
    finally:
        other.close()


def get_many(store: Store, ids: list[str]) -> list[dict]:
    with store.transaction(HERE, writes=False) as tx:
        return tx.get_many("workspace", ids)


def test_reads_sent_apart_are_in_flight_together_and_each_comes_back_with_its_own_row(store):
    """The server's direct path sends a read's first statement without waiting (PostgreSQL); the transaction
    that takes the row reads what a transaction reading for itself would."""
    docs = [workspace(f"ws-{c * 9}", user=f"u{c}") for c in "abcdefgh"]
    insert(store, "workspace", *docs)
    wanted = [d["WorkspaceId"] for d in docs] + ["ws-zzzzzzzzz"]

    async def send_all() -> dict[str, tuple | None]:
        rows: dict[str, tuple | None] = {}
        sent = [store.read_apart(context_read(HERE, ("workspace", wid)), lambda row, wid=wid: rows.update({wid: row}))
                for wid in wanted]
        if not any(sent):
            return rows
        assert all(sent) and rows == {}  # every one is sent before any answer is read
        await arrived(rows, len(wanted))
        return rows

    rows = asyncio.run(send_all())
    assert store.read_apart(context_read(HERE, None), print) is False  # outside an event loop: never sent
    if store.backend == "sqlite":
        assert rows == {}  # SQLite's reads cost the loop no wait: read where they are
        return
    assert [rows[wid][-1] for wid in wanted] == [*docs, None]  # each its own document, in its last column
    set_state(store, "ws-aaaaaaaaa", "STOPPED")
    for wid, doc in zip(wanted, [*docs, None], strict=True):  # a transaction given the row reads no other
        with store.transaction(HERE, writes=False, prefetch=("workspace", wid), context=rows[wid]) as tx:
            assert tx.get("workspace", wid) == doc
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "STOPPED"


def test_reads_sent_apart_hold_no_lock_while_the_event_loop_is_busy(store):
    """A statement sent apart ends its own transaction: while the loop is busy elsewhere (here, this test
    taking an exclusive lock, as a migration would, in the same turn as the sends), the statements already
    run hold nothing that lock would wait for."""
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    read = context_read(HERE, ("workspace", "ws-aaaaaaaaa"))

    async def sends_then_locks() -> list:
        rows: list = []
        sent = [store.read_apart(read, rows.append) for _ in range(300)]  # more than libpq keeps unsent
        if any(sent):  # the loop does nothing else until the lock below is taken and given up
            with store.engine.connect() as other:
                other.exec_driver_sql("SET lock_timeout = '5s'")
                other.exec_driver_sql("LOCK TABLE clock IN ACCESS EXCLUSIVE MODE")  # fails if a read holds clock
                other.rollback()
            await arrived(rows, len(sent))
        return rows

    rows = asyncio.run(sends_then_locks())
    if store.backend == "sqlite":
        assert rows == []
        return
    assert len(rows) == 300 and all(row[-1] == workspace("ws-aaaaaaaaa") for row in rows)


def test_a_read_sent_apart_that_fails_is_read_again_and_its_connection_replaced(store):
    """A statement the pipelined connection prepared that no longer runs there (here: its result's type
    changed under it, as a migration might) hands its reader None, to read for itself, once."""
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    read = context_read(HERE, ("workspace", "ws-aaaaaaaaa"))

    async def one() -> list:
        rows: list = []
        if not store.read_apart(read, rows.append):
            return rows
        await arrived(rows, 1)
        return rows

    async def three() -> list:
        first = await one()
        if store.backend == "postgresql":
            with store.engine.begin() as conn:
                conn.exec_driver_sql("ALTER TABLE clock ALTER COLUMN timing TYPE varchar(16)")  # from text
        return [first, await one(), await one()]

    first, failed, again = asyncio.run(three())
    if store.backend == "sqlite":  # SQLite reads where it is: nothing is ever sent apart
        assert first == failed == again == []
        return
    assert first[0] is not None and failed == [None] and again[0] is not None
    assert again[0][-1] == workspace("ws-aaaaaaaaa")


def test_a_resource_read_ahead_in_another_region_is_taken_with_its_regions_outage(store):
    """What a by-id read goes on to read (a standby pair's other side) can be sent ahead too (follow_read)."""
    west = Scope(HERE.account_id, "us-west-2")
    insert(store, "workspace", workspace("ws-bbbbbbbbb"), scope=west)
    store.start_outage("us-west-2", "unavailable")
    key = (HERE.account_id, "us-west-2", "workspace", "ws-bbbbbbbbb")

    async def send() -> list:
        rows: list = []
        sent = store.read_apart(follow_read(*key), rows.append)
        if sent:
            await arrived(rows, 1)
        return rows

    rows = asyncio.run(send())
    if store.backend == "sqlite":
        assert rows == []
        return
    [row] = rows
    store.end_outage("us-west-2")
    with store.transaction(west) as tx:  # both change after the read: the transaction takes what was read
        tx.update("workspace", {**tx.get("workspace", "ws-bbbbbbbbb", for_update=True), "State": "STOPPED"})
    with store.transaction(HERE, writes=False, followed=(key, row)) as tx:
        other = tx.in_region("us-west-2")
        assert other.get("workspace", "ws-bbbbbbbbb")["State"] == "AVAILABLE"
        assert tx.outage("us-west-2")["api"] == "unavailable"
        assert other.get("workspace", "ws-bbbbbbbbb")["State"] == "STOPPED"  # taken once; a second get reads
    with store.transaction(HERE, writes=False) as tx:
        assert tx.outage("us-west-2") is None


def test_a_read_only_transaction_refuses_to_write(store):
    with pytest.raises(ReadOnly), store.transaction(HERE, writes=False) as tx:
        tx.insert("ip_group", {"groupId": "wsipg-aaaaaaaaa", "groupName": "g"})
    assert get(store, "ip_group", "wsipg-aaaaaaaaa") is None


def test_a_claim_refuses_a_second_holder(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa", user="alice"))
    with pytest.raises(Conflict):  # the same user in the same directory, whatever the case
        insert(store, "workspace", workspace("ws-bbbbbbbbb", user="ALICE"))
    assert get(store, "workspace", "ws-bbbbbbbbb") is None, "the losing transaction wrote nothing"
    with store.transaction(HERE, writes=False) as tx:
        assert tx.held(user_claim("d-1234567890", "alice"))
        assert not tx.held(user_claim("d-0987654321", "alice"))
    # Another directory, another account: other names.
    insert(store, "workspace", workspace("ws-ccccccccc", user="alice", directory="d-0987654321"))
    insert(store, "workspace", workspace("ws-aaaaaaaaa", user="alice"), scope=Scope("444455556666", "us-east-1"))


def test_a_claim_is_given_up_by_leaving_and_by_deletion(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa"))
    set_state(store, "ws-aaaaaaaaa", "TERMINATING")  # an update that changes the claims gives the name up
    insert(store, "workspace", workspace("ws-bbbbbbbbb"))
    with pytest.raises(Conflict):
        insert(store, "workspace", workspace("ws-ccccccccc"))
    with store.transaction(HERE) as tx:
        tx.delete("workspace", "ws-bbbbbbbbb")
    insert(store, "workspace", workspace("ws-ccccccccc"))
    assert get(store, "workspace", "ws-ccccccccc") is not None


def test_counters_follow_inserts_and_deletes(store):
    primary = {"Region": "us-east-1", "WorkspaceId": "ws-ppppppppp"}
    insert(store, "workspace", workspace("ws-aaaaaaaaa", user="a"), workspace("ws-bbbbbbbbb", user="b"),
           workspace("ws-ccccccccc", user="c", _Primary=primary))

    def totals(scope: Scope = HERE) -> tuple[int, int]:
        with store.transaction(scope, writes=False) as tx:
            return tx.total("workspace"), tx.total("workspace", "standby")

    assert totals() == (3, 1)
    assert totals(Scope("111122223333", "eu-west-1")) == (0, 0)
    with store.transaction(HERE) as tx:
        tx.delete("workspace", "ws-ccccccccc")
        tx.delete("workspace", "ws-doesnotexist")  # deleting nothing counts nothing
    assert totals() == (2, 0)
    with store.transaction(HERE) as tx:
        assert tx.total("workspace", for_quota=True) == 2
    with pytest.raises(Conflict):  # a transaction that fails half-way leaves the counters as they were
        insert(store, "workspace", workspace("ws-ddddddddd", user="d"), workspace("ws-eeeeeeeee", user="a"))
    assert totals() == (2, 0)


def test_pages_follow_a_cursor_in_id_order(store):
    ids = [f"wsipg-{c * 9}" for c in "gcaefbd"]
    insert(store, "ip_group", *({"groupId": i, "groupName": i[-1]} for i in ids))
    seen, after, sizes = [], None, []
    for _ in range(len(ids) + 1):  # bounded: a cursor that does not move must fail, not loop
        with store.transaction(HERE, writes=False) as tx:
            page = tx.find("ip_group", after=after, limit=3)
        if not page:
            break
        sizes.append(len(page))
        seen += [g["groupId"] for g in page]
        after = page[-1]["groupId"]
    assert seen == sorted(ids) and sizes == [3, 3, 1]
    with store.transaction(HERE, writes=False) as tx:  # a cursor between two ids starts after it
        assert [g["groupId"] for g in tx.find("ip_group", after="wsipg-b", limit=2)] == ["wsipg-bbbbbbbbb",
                                                                                          "wsipg-ccccccccc"]


# The lifecycle engine ------------------------------------------------------------------------------------
def schedule(store: Store, wid: str, from_state: str | None, to_state: str, delay: float) -> None:
    with store.transaction(HERE) as tx:
        tx.schedule("workspace", wid, from_state, to_state, delay)


def apply_due(store: Store) -> list[str]:
    """What one pass of the engine did, one line a transition ("... applied" or "... skipped")."""
    with store.global_transaction() as tx:
        tx.apply_due()
    return tx.applied


def test_a_due_transition_whose_state_still_matches_applies(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa", state="STARTING"), workspace("ws-bbbbbbbbb", user="b",
                                                                                      state="STOPPING"))
    schedule(store, "ws-aaaaaaaaa", "STARTING", "AVAILABLE", 10)
    schedule(store, "ws-bbbbbbbbb", "STOPPING", "STOPPED", 100)
    store.set_clock(advance=9)
    assert apply_due(store) == [] and get(store, "workspace", "ws-aaaaaaaaa")["State"] == "STARTING"  # not yet due
    store.set_clock(advance=1)
    [line] = apply_due(store)  # the first only: the second is not due yet
    assert line.endswith("ws-aaaaaaaaa STARTING->AVAILABLE applied")
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "AVAILABLE"
    assert get(store, "workspace", "ws-bbbbbbbbb")["State"] == "STOPPING"
    assert apply_due(store) == [], "a transition applies once"


def test_a_due_transition_whose_state_moved_on_is_a_no_op(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa", state="STARTING"))
    schedule(store, "ws-aaaaaaaaa", "STARTING", "AVAILABLE", 10)
    set_state(store, "ws-aaaaaaaaa", "STOPPING")  # something else moved it first (a StopWorkspaces)
    store.set_clock(advance=10)
    [line] = apply_due(store)
    assert line.endswith("STARTING->AVAILABLE skipped")
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "STOPPING"
    assert worker.run_once(store) == 0, "the lost transition is consumed, not retried"


def test_a_transition_to_gone_removes_the_resource_and_its_count(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa", state="TERMINATED"))
    schedule(store, "ws-aaaaaaaaa", "TERMINATED", GONE, 5)
    store.set_clock(advance=5)
    assert worker.run_once(store) == 1
    assert get(store, "workspace", "ws-aaaaaaaaa") is None
    with store.transaction(HERE, writes=False) as tx:
        assert tx.total("workspace") == 0


def test_transitions_apply_in_due_order_each_against_the_state_the_last_left(store):
    insert(store, "workspace", workspace("ws-aaaaaaaaa", state="STOPPING"))
    schedule(store, "ws-aaaaaaaaa", "STARTING", "AVAILABLE", 2)  # due second: finds STARTING, applies
    schedule(store, "ws-aaaaaaaaa", "STOPPING", "STARTING", 1)  # due first
    store.set_clock(advance=5)
    assert [line.rsplit(" ", 2)[1:] for line in apply_due(store)] == [["STOPPING->STARTING", "applied"],
                                                                       ["STARTING->AVAILABLE", "applied"]]
    assert get(store, "workspace", "ws-aaaaaaaaa")["State"] == "AVAILABLE"
