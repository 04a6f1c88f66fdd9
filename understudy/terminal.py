"""What `understudy status` and `understudy ls` print: aligned tables, states coloured by click.style.

click.echo drops the colour codes when stdout is not a terminal, so pipes and files get plain text.
"""

import datetime

import click

_COLOURS = {
    "AVAILABLE": "green",
    "STOPPED": "blue", "STOPPING": "blue",
    "UNHEALTHY": "red", "ERROR": "red", "IMPAIRED": "red",
    "TERMINATING": "bright_black", "TERMINATED": "bright_black", "SUSPENDED": "bright_black",
}
_BUSY = "yellow"  # PENDING, STARTING, REBOOTING, UPDATING...: on the way to another state


def paint(state: str, text: str | None = None) -> str:
    return click.style(text if text is not None else state, fg=_COLOURS.get(state, _BUSY))


# What a client chose (a user name; ids, Regions and states are the server's or checked) is shown with its
# control characters written out as \xNN, so none can move the cursor, colour the screen or start a row.
_SHOWN = {c: f"\\x{c:02x}" for c in (*range(0x20), *range(0x7F, 0xA0))}


def table(headers: list[str], rows: list[list[str]], state_columns: tuple[int, ...] = ()) -> str:
    """Columns padded to their widest cell; cells of `state_columns` coloured by the state they hold."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = [click.style("  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip(), bold=True)]
    for row in rows:
        cells = [paint(c, c.ljust(w)) if i in state_columns and c else c.ljust(w)
                 for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def when(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.1f}{unit}"
    return f"{seconds:.0f}s"


def status(summary: dict) -> str:
    c = summary["clock"]
    out = [f"clock    {when(c['now'])} ({c['now']:.3f})  mode {c['mode']}  timing {c['timing']}"]
    for o in summary["outages"]:
        out.append(click.style(f"outage   {o['region']} since {when(o['since'])} (api {o['api']})", fg="red"))
    if not summary["outages"]:
        out.append("outages  none")
    rows = [[r["region"], a["account_id"], str(a["workspaces"]), _states(a["states"])]
            for r in summary["regions"] for a in r["accounts"] or [{"account_id": "-", "workspaces": 0, "states": {}}]]
    out += ["", table(["REGION", "ACCOUNT", "WORKSPACES", "BY STATE"], rows)]
    out.append(f"\n{summary['workspaces']} WorkSpaces in {len(summary['regions'])} Region(s)")
    return "\n".join(out)


def _states(counts: dict[str, int]) -> str:
    return "  ".join(paint(s, f"{s} {n}") for s, n in sorted(counts.items()))


def workspaces(listing: dict) -> str:
    """One row per primary, its standby beside it (a second line for each further standby)."""
    headers = ["ACCOUNT", "REGION", "WORKSPACE", "USER", "STATE", "STANDBY REGION", "STANDBY", "STATE",
               "REPLICATION", "SNAPSHOT AGE"]
    rows = []
    for w in listing["workspaces"]:
        first = [w["account_id"], w["region"], w["workspace_id"], (w["user_name"] or "").translate(_SHOWN), w["state"]]
        if w["role"] == "standby":
            first[2] += f" (standby of {w['primary']['workspace_id']} in {w['primary']['region']}, gone)"
        standbys = w["standbys"] or [None]
        for i, s in enumerate(standbys):
            left = first if i == 0 else [""] * len(first)
            right = ([s["region"], s["workspace_id"], s["state"], s["replication"], age(s["recovery_snapshot_age"])]
                     if s else ["", "", "", "", ""])
            rows.append(left + right)
    text = table(headers, rows, state_columns=(4, 7))
    if listing["truncated"]:
        text += "\n(more rows: raise --limit)"
    return text
