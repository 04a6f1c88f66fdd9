"""Simulated Region outages. Placeholder door for the gateway until outages are built (issue 4)."""


def check_api(tx) -> None:
    """Raises ServiceUnavailableException when the Tx's Region is out and its API is down."""
