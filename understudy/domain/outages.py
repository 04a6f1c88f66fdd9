"""What a simulated Region outage does to the WorkSpaces there [CHOSEN, docs/standby.md "Outages"].

The outage is applied when a WorkSpace is read, not written into it: timed transitions keep running
underneath, and when the outage ends every WorkSpace shows the state it really has again.
"""

API_MODES = ("unavailable", "up")

# WorkSpaces on their way out, broken or suspended keep showing that; every other one is UNHEALTHY.
UNAFFECTED = frozenset({"TERMINATING", "TERMINATED", "ERROR", "SUSPENDED"})


def shown_state(state: str, region_out: bool) -> str:
    return "UNHEALTHY" if region_out and state not in UNAFFECTED else state
