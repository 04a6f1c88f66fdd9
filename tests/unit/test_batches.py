"""The server's batches (protocol/server.py, "Batches"): the direct requests of one turn of the event loop
are all worked before any of their answers is written, several of them inside the app's `together`, and one
that fails leaves the others to finish."""

import asyncio

from understudy.protocol.server import _Batch


def test_a_turns_requests_are_all_worked_before_any_answer_is_written_and_a_failure_stays_its_own():
    done: list[str] = []
    failures: list[BaseException] = []

    async def turn() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: failures.append(context["exception"]))
        batch = _Batch(loop, None)

        def request(name: str, fails: bool = False):
            def work() -> None:
                done.append(f"work {name}")
                if fails:
                    raise RuntimeError(name)
                batch.write(lambda: done.append(f"write {name}"))
            return work

        for name, fails in (("a", False), ("b", True), ("c", False)):
            batch.run(request(name, fails))
        assert done == []  # nothing runs while the loop is still reading
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        batch.run(request("d"))  # a later turn: a batch of its own
        await asyncio.sleep(0)

    asyncio.run(turn())
    assert done == ["work a", "work b", "work c", "write a", "write c", "work d", "write d"]
    assert [str(e) for e in failures] == ["b"]


def test_a_batch_of_several_requests_is_worked_inside_the_apps_together_and_a_lone_one_is_not():
    done: list[str] = []
    failures: list[BaseException] = []

    def together(runs) -> None:
        done.append("together")
        runs()
        done.append("apart")
        raise RuntimeError("the store's end of the batch")

    async def turns() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: failures.append(context["exception"]))
        batch = _Batch(loop, together)
        def request(name: str):
            return lambda: (done.append(f"work {name}"), batch.write(lambda: done.append(f"write {name}")))

        batch.run(request("a"))
        batch.run(request("b"))
        await asyncio.sleep(0)
        batch.run(request("c"))
        await asyncio.sleep(0)

    asyncio.run(turns())
    assert done == ["together", "work a", "work b", "apart", "write a", "write b", "work c", "write c"]
    assert [str(e) for e in failures] == ["the store's end of the batch"]
