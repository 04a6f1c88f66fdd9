"""The rules the botocore models state, and how Understudy accounts for each: builds docs/fidelity.md.

For every WorkSpaces operation and the Directory Service slice, the documentation of the operation, of its
top-level input members and of the error shapes it declares is stripped of HTML and split into sentences; the
sentences that state a rule (must, cannot, only, at most, a quota, a state...) are kept, each under a stable key
`Service.Operation/where/hash`. tools/fidelity.toml accounts for every key: `enforced` (with the test that shows
it), `chosen` (a deliberate deviation, with its reason), `not-a-rule`, `missing` (not built yet) or `unreviewed`.

    python tools/fidelity.py            # print the rules that have no accounting entry, and stale entries
    python tools/fidelity.py --write    # regenerate docs/fidelity.md
    python tools/fidelity.py --skeleton # print TOML entries for the unaccounted keys
"""

from __future__ import annotations

import hashlib
import html
import re
import sys
import tomllib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ACCOUNTING = ROOT / "tools" / "fidelity.toml"
DOC = ROOT / "docs" / "fidelity.md"

DS_OPERATIONS = ("CreateDirectory", "CreateMicrosoftAD", "ConnectDirectory", "DescribeDirectories", "DeleteDirectory")
STATUSES = ("enforced", "chosen", "missing", "not-a-rule", "unreviewed")

_RULE = re.compile(
    r"\b(must|cannot|can't|can ?not|only|at most|at least|not supported|unsupported|isn't supported|"
    r"maximum|minimum|quota|limit|limits|required|requires?|must be in|state of|not allowed|is not allowed|"
    r"up to \d+|no more than|exceeds?|exceeded|reached|already|does not exist|doesn't exist|not valid|invalid|"
    r"between \d+ and \d+)\b",
    re.I,
)
# Advice, pointers and descriptions of behaviour that the rule words catch but that state no rule.
_NOISE = re.compile(
    r"^(for (more|additional) information|for information|for details|we (strongly )?recommend|to learn more|see\b)|"
    r"\bfor more information, see\b|\bcontact (your account team|aws support)\b|"
    r"^the maximum (number|size) of [\w ]+ (to return|of results)\.$|"
    r"^you can (also )?(use the \w+ operation|specify a maximum number of return results)|"
    r"^(sets|retrieves|describes|adds|removes|creates) ",
    re.I,
)


class _Text(HTMLParser):
    """HTML to text, a sentence break after each block element."""

    _BLOCKS = {"p", "li", "ul", "ol", "note", "important", "div", "br", "dd", "dt", "td", "tr", "h1", "h2", "h3"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(doc: str) -> str:
    parser = _Text()
    parser.feed(doc or "")
    parser.close()
    return html.unescape("".join(parser.parts))


_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“])")


def sentences(doc: str) -> list[str]:
    out = []
    for block in _text(doc).split("\n"):
        block = " ".join(block.split())
        for sentence in _SPLIT.split(block):
            sentence = sentence.strip()
            if len(sentence) > 3:
                out.append(sentence)
    return out


def is_rule(sentence: str) -> bool:
    return bool(_RULE.search(sentence)) and not _NOISE.search(sentence)


def _normal(sentence: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]", " ", sentence.lower()).split())


@dataclass(frozen=True)
class Rule:
    service: str
    operation: str
    where: str  # "operation", "member:Name" or "error:Shape"
    sentence: str

    @property
    def key(self) -> str:
        digest = hashlib.sha1(_normal(self.sentence).encode()).hexdigest()[:8]
        return f"{self.service}.{self.operation}/{self.where}/{digest}"


def _operation_rules(service: str, op) -> list[Rule]:
    found: dict[str, Rule] = {}
    places = [("operation", op.documentation)]
    if op.input_shape is not None:
        places += [(f"member:{name}", member.documentation) for name, member in op.input_shape.members.items()]
    places += [(f"error:{error.name}", error.documentation) for error in op.error_shapes]
    for where, doc in places:
        for sentence in sentences(doc):
            if is_rule(sentence):
                rule = Rule(service, op.name, where, sentence)
                found.setdefault(rule.key, rule)
    return list(found.values())


def collect() -> list[Rule]:
    import botocore.session

    session = botocore.session.get_session()
    rules: list[Rule] = []
    workspaces = session.get_service_model("workspaces")
    for name in sorted(workspaces.operation_names):
        rules += _operation_rules("workspaces", workspaces.operation_model(name))
    ds = session.get_service_model("ds")
    for name in DS_OPERATIONS:
        rules += _operation_rules("ds", ds.operation_model(name))
    return rules


def load_accounting(path: Path = ACCOUNTING) -> dict[str, dict]:
    with path.open("rb") as f:
        return tomllib.load(f)


def problems(rules: list[Rule], accounting: dict[str, dict]) -> list[str]:
    """Every rule without an entry, every entry without a rule, every entry with a bad status or no evidence."""
    keys = {r.key for r in rules}
    out = [f"no accounting entry: {r.key}  {r.sentence}" for r in rules if r.key not in accounting]
    out += [f"accounting entry for a sentence the model no longer has: {k}" for k in accounting if k not in keys]
    for key, entry in accounting.items():
        status = entry.get("status")
        if status not in STATUSES:
            out.append(f"{key}: unknown status {status!r}")
        elif status == "enforced" and not entry.get("test"):
            out.append(f"{key}: enforced, but names no test")
        elif status in ("chosen", "not-a-rule", "missing") and not entry.get("reason"):
            out.append(f"{key}: {status}, but gives no reason")
    return out


def missing_tests(accounting: dict[str, dict], root: Path = ROOT) -> list[str]:
    """Every enforced entry whose `tests/...py::test_name` names no such file or no such function in it."""
    out, defined = [], {}
    for key, entry in accounting.items():
        if entry.get("status") != "enforced":
            continue
        path, _, name = entry.get("test", "").partition("::")
        name = name.split("[", 1)[0]
        if path not in defined:
            file = root / path
            text = file.read_text(encoding="utf-8") if path.endswith(".py") and file.is_file() else None
            defined[path] = None if text is None else set(re.findall(r"^\s*(?:async )?def (test_\w+)", text, re.M))
        if defined[path] is None:
            out.append(f"{key}: no test file {path}")
        elif not name or name not in defined[path]:
            out.append(f"{key}: no test {name!r} in {path}")
    return out


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(rules: list[Rule], accounting: dict[str, dict]) -> str:
    counts = {s: 0 for s in STATUSES}
    for r in rules:
        counts[accounting.get(r.key, {}).get("status", "unreviewed")] += 1
    lines = [
        "# Fidelity: the rules of the model, one by one",
        "",
        "<!-- generated by tools/fidelity.py; do not edit. Regenerate: python tools/fidelity.py --write -->",
        "",
        "Every sentence of the botocore models' documentation that states a rule (\"must\", \"cannot\", \"only\",",
        "a quota, a state the resource must be in...) for the 91 WorkSpaces operations and the Directory Service",
        "slice (" + ", ".join(DS_OPERATIONS) + "),",
        "taken from the documentation of the operation, of its top-level input members and of the error shapes it",
        "declares. Each is accounted for in `tools/fidelity.toml`:",
        "",
        "- **enforced**: Understudy keeps the rule; the named test shows it.",
        "- **chosen**: a deliberate deviation, or a rule with nothing to observe in an emulator (the reason says",
        "  which).",
        "- **missing**: a rule Understudy does not keep yet, or keeps without a test (\"Untested:\"), listed so",
        "  nobody mistakes it for a kept one.",
        "- **not-a-rule**: a sentence the patterns catch that states no rule.",
        "- **unreviewed**: not yet looked at.",
        "",
        "`tests/unit/test_fidelity.py` fails when this page is stale, when a rule has no entry, when an entry names",
        "a sentence the model no longer has, or when an enforced entry names a test that does not exist. After a",
        "botocore upgrade: `python tools/fidelity.py --skeleton` prints entries for the new sentences; fill them in",
        "`tools/fidelity.toml` and run `python tools/fidelity.py --write`.",
        "",
        "## Summary",
        "",
        "| Status | Sentences |",
        "|---|---|",
    ]
    lines += [f"| {s} | {counts[s]} |" for s in STATUSES]
    lines += [f"| total | {len(rules)} |", ""]
    missing = [r for r in rules if accounting.get(r.key, {}).get("status") == "missing"]
    if missing:
        lines += ["## Not built yet", ""]
        lines += [f"- `{r.operation}`: {accounting[r.key]['reason']}" for r in missing]
        lines.append("")
    unreviewed = [r for r in rules if accounting.get(r.key, {}).get("status", "unreviewed") == "unreviewed"]
    if unreviewed:
        lines += ["## Not yet reviewed", "", f"{len(unreviewed)} sentences:", ""]
        lines += [f"- `{r.key}`: {r.sentence}" for r in unreviewed]
        lines.append("")
    for service, title in (("workspaces", "Amazon WorkSpaces"), ("ds", "AWS Directory Service")):
        lines += [f"## {title}", ""]
        ops: dict[str, list[Rule]] = {}
        for r in rules:
            if r.service == service:
                ops.setdefault(r.operation, []).append(r)
        for operation, items in ops.items():
            lines += [f"### {operation}", "", "| Where | Sentence | Status | Test or reason |", "|---|---|---|---|"]
            for r in items:
                entry = accounting.get(r.key, {})
                status = entry.get("status", "unreviewed")
                evidence = entry.get("reason", "")
                if status == "enforced":
                    evidence = f"`{entry['test']}`" + (f" ({entry['note']})" if entry.get("note") else "")
                lines.append(f"| {r.where} `{r.key.rsplit('/', 1)[1]}` | {_cell(r.sentence)} | {status} "
                             f"| {_cell(evidence)} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def skeleton(rules: list[Rule], accounting: dict[str, dict]) -> str:
    out = []
    for r in rules:
        if r.key not in accounting:
            out += [f"# {r.sentence}", f"[{_toml_string(r.key)}]", 'status = "unreviewed"', ""]
    return "\n".join(out)


def main(argv: list[str]) -> int:
    rules = collect()
    accounting = load_accounting()
    if "--skeleton" in argv:
        print(skeleton(rules, accounting))
        return 0
    if "--write" in argv:
        DOC.write_text(render(rules, accounting), encoding="utf-8")
        print(f"wrote {DOC.relative_to(ROOT)}: {len(rules)} rule sentences")
    found = problems(rules, accounting) + missing_tests(accounting)
    for line in found:
        print(line)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
