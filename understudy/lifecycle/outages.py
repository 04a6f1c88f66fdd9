"""Simulated Region outages: starting and ending them, and the API's answer while one lasts."""

from understudy.domain.errors import ServiceUnavailableException
from understudy.domain.outages import API_MODES
from understudy.lifecycle import sessions
from understudy.store import Store


class OutageError(ValueError):
    pass


def check_api(tx) -> None:
    """Raises the retryable 503 AWS answers when a Region's endpoint is down."""
    outage = tx.outage()
    if outage is not None and outage["api"] == "unavailable":
        raise ServiceUnavailableException(f"The WorkSpaces endpoint of {tx.scope.region} is unavailable "
                                          "(a simulated Region outage).")


def start(store: Store, region: str, api: str = "unavailable") -> dict:
    if api not in API_MODES:
        raise OutageError(f"api must be one of {', '.join(API_MODES)}")
    if not isinstance(region, str) or not region:
        raise OutageError("region must be a Region name such as us-east-1")
    outage = store.start_outage(region, api)
    # Its users are cut off [CHOSEN, docs/standby.md "The user's side: sign-ins, DNS failover, AutoStop"].
    sessions.cut_off(store, region)
    return outage


def end(store: Store, region: str) -> bool:
    return store.end_outage(region)
