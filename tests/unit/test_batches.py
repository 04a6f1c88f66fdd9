"""The server's batches (protocol/server.py, "Batches"): the direct requests of one turn of the event loop
are all worked before any of their answers is written, and one that fails leaves the others to finish."""

import asyncio

from understudy.protocol.server import _Batch


def test_a_turns_requests_are_all_worked_before_any_answer_is_written_and_a_failure_stays_its_own():
    done: list[str] = []
    failures: list[BaseException] = []

    async def turn() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: failures.append(context["exception"]))
        batch = _Batch(loop)

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
