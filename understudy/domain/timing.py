"""How long each automatic transition takes, per timing profile [CHOSEN, BEHAVIOUR.md "Timing profiles"].

`realistic` follows AWS's published figures: about 20 minutes to provision a WorkSpace, 5 to
terminate one, about 30 for a new directory; `fast` keeps the order but takes seconds; `instant`
is zero, so the response still says PENDING and the next read sees the end state.
"""

PROFILES = ("instant", "fast", "realistic")

# The latest instant the clock may show: 9999-12-31T23:59:59Z, the last second a timestamp can be
# written in (datetime's and ISO 8601's four-digit year). A later `now` could not be exported and
# imported back, or shown by any client. [CHOSEN]
LATEST = 253_402_300_799.0

DURATIONS: dict[str, dict[str, float]] = {
    #                               instant  fast   realistic
    "workspace.provision":        {"instant": 0, "fast": 2.0, "realistic": 20 * 60},
    "workspace.terminate":        {"instant": 0, "fast": 1.0, "realistic": 5 * 60},
    "workspace.terminated_shown": {"instant": 0, "fast": 2.0, "realistic": 10 * 60},
    "workspace.start":            {"instant": 0, "fast": 1.0, "realistic": 90},
    "workspace.stop":             {"instant": 0, "fast": 1.0, "realistic": 90},
    "workspace.reboot":           {"instant": 0, "fast": 1.0, "realistic": 120},
    "workspace.rebuild":          {"instant": 0, "fast": 2.0, "realistic": 20 * 60},
    "workspace.restore":          {"instant": 0, "fast": 2.0, "realistic": 20 * 60},
    "workspace.modify":           {"instant": 0, "fast": 1.0, "realistic": 10 * 60},
    "directory.create":           {"instant": 0, "fast": 2.0, "realistic": 30 * 60},
    "directory.delete":           {"instant": 0, "fast": 1.0, "realistic": 10 * 60},
    "directory.register":         {"instant": 0, "fast": 1.0, "realistic": 60},
    "directory.deregister":       {"instant": 0, "fast": 1.0, "realistic": 60},
    "alias.create":               {"instant": 0, "fast": 1.0, "realistic": 60},
    "alias.delete":               {"instant": 0, "fast": 1.0, "realistic": 60},
    "replication.first_snapshot": {"instant": 0, "fast": 5.0, "realistic": 12 * 3600},
    "replication.interval":       {"instant": 0, "fast": 10.0, "realistic": 12 * 3600},
    "replication.switch":         {"instant": 0, "fast": 1.0, "realistic": 5 * 60},
    "account.modify":             {"instant": 0, "fast": 1.0, "realistic": 5 * 60},
    "workspace.migrate":          {"instant": 0, "fast": 2.0, "realistic": 60 * 60},
    "image.create":               {"instant": 0, "fast": 2.0, "realistic": 45 * 60},
    "image.copy":                 {"instant": 0, "fast": 2.0, "realistic": 30 * 60},
    "image.import":               {"instant": 0, "fast": 3.0, "realistic": 3 * 3600},
    "image.custom_import":        {"instant": 0, "fast": 12.0, "realistic": 3 * 3600},
    "pool.create":                {"instant": 0, "fast": 2.0, "realistic": 10 * 60},
    "pool.start":                 {"instant": 0, "fast": 2.0, "realistic": 15 * 60},
    "pool.stop":                  {"instant": 0, "fast": 1.0, "realistic": 5 * 60},
    "pool.update":                {"instant": 0, "fast": 1.0, "realistic": 2 * 60},
    "pool.delete":                {"instant": 0, "fast": 1.0, "realistic": 5 * 60},
    "application.queue":          {"instant": 0, "fast": 1.0, "realistic": 60},
    "application.install":        {"instant": 0, "fast": 2.0, "realistic": 15 * 60},
    "application.uninstall":      {"instant": 0, "fast": 2.0, "realistic": 10 * 60},
    "application.removed_shown":  {"instant": 0, "fast": 2.0, "realistic": 10 * 60},
}


def duration(name: str, profile: str) -> float:
    return DURATIONS[name][profile]
