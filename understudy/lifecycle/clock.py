"""The clock tests drive: `real` follows the wall clock plus every advance, `manual` moves only when told.

The clock lives in the store, so every server and worker on one database agrees on `now`.
"""

from understudy.domain.timing import CLOCK_MODES, LATEST, PROFILES
from understudy.lifecycle import worker
from understudy.store import Store


class ClockError(ValueError):
    pass


def show(store: Store) -> dict:
    c = store.clock()
    return {"now": c["now"], "mode": c["mode"], "timing": c["timing"]}


def change(store: Store, *, advance_seconds: float = 0.0, timing: str | None = None,
           mode: str | None = None) -> dict:
    """Changes the clock, then applies every transition due by the new `now` before answering."""
    if timing is not None and timing not in PROFILES:
        raise ClockError(f"timing must be one of {', '.join(PROFILES)}")
    if mode is not None and mode not in CLOCK_MODES:
        raise ClockError(f"mode must be one of {', '.join(CLOCK_MODES)}")
    if isinstance(advance_seconds, bool) or not isinstance(advance_seconds, (int, float)) or advance_seconds < 0:
        raise ClockError("advance_seconds must be a number of seconds, zero or more")
    if store.clock()["now"] + advance_seconds > LATEST:
        raise ClockError("advance_seconds would take the clock past 9999-12-31T23:59:59Z, the latest it can show")
    store.set_clock(mode=mode, timing=timing, advance=float(advance_seconds))
    worker.run_once(store)
    return show(store)
