"""The lifecycle worker: applies due transitions on a tick, in the server or as its own process."""

import asyncio
import logging
import time

from understudy.store import Store

log = logging.getLogger("understudy.worker")

TICK_SECONDS = 0.2


def run_once(store: Store) -> int:
    applied = 0
    while True:
        with store.global_transaction() as tx:
            n = tx.apply_due()
        applied += n
        if n == 0:
            return applied


async def run_in_loop(store: Store, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            run_once(store)
        except Exception:
            log.exception("lifecycle tick failed; retrying on the next tick")
        try:
            await asyncio.wait_for(stop.wait(), TICK_SECONDS)
        except TimeoutError:
            pass


def run_forever(store: Store, max_seconds: float | None = None) -> None:
    """`understudy worker`: a process of its own beside N servers on one database."""
    deadline = None if max_seconds is None else time.monotonic() + max_seconds
    while deadline is None or time.monotonic() < deadline:
        try:
            run_once(store)
        except Exception:
            log.exception("lifecycle tick failed; retrying on the next tick")
        time.sleep(TICK_SECONDS)
