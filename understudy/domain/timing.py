"""The clock's modes and timing profiles; each transition's length per profile is declared with its family
(families.py). `realistic` follows AWS's published figures; `fast` keeps their order but takes seconds;
`instant` is zero, so the response still says PENDING and the next read sees the end state.
"""

PROFILES = ("instant", "fast", "realistic")

# `real` follows the wall clock plus every advance; `manual` moves only when told.
CLOCK_MODES = ("real", "manual")

# The latest instant the clock may show: 9999-12-31T23:59:59Z, the last second a timestamp can be
# written in (datetime's and ISO 8601's four-digit year). A later `now` could not be exported and
# imported back, or shown by any client. [CHOSEN]
LATEST = 253_402_300_799.0
