"""The layering contract (import-linter, docs/architecture.md "The layers, as folders"), ruff, mypy and the
citations of the code and docs, as part of the test run."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tool(name: str) -> str:
    return shutil.which(name, path=str(Path(sys.executable).parent)) or name


def test_layers_keep_their_imports():
    r = subprocess.run([_tool("lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_is_clean():
    r = subprocess.run([_tool("ruff"), "check", "understudy", "tests", "bench", "examples", "tools"], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_finds_no_type_errors():
    """Strict on domain/ and protocol/, checked on operations/ and lifecycle/ (pyproject.toml [tool.mypy])."""
    r = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


# Documents outside the repository, which a clone cannot follow (spelled so this file does not match itself).
_OUTSIDE = re.compile(r"BEHAVIOUR\.md|(?i:research[ -]notes)|\bshared/|seed-create-standby-workspaces\.txt"
                      r"|ARCHITECTURE\.md|ADMIN-API\.md")
_DOCS_CITATION = re.compile(r'docs/([\w-]+\.md)(?: "([^"]+)")?')


def _cited_files():
    for top in ("understudy", "tests", "bench", "examples", "docs", "README.md"):
        path = ROOT / top
        for file in [path] if path.is_file() else sorted(path.rglob("*")):
            if file.is_file() and "__pycache__" not in file.parts and file.suffix in (".py", ".md", ".toml", ".json"):
                yield file.relative_to(ROOT).as_posix(), file.read_text(encoding="utf-8", errors="replace")


def test_evidence_is_cited_from_the_repository():
    """No file cites a document outside the repository; every `docs/<page>.md "<Heading>"` in understudy/ exists."""
    outside, broken = [], []
    headings = {page.name: {m.group(1).strip() for m in re.finditer(r"^#+ (.+)$", page.read_text(), re.M)}
                for page in (ROOT / "docs").glob("*.md")}
    for name, text in _cited_files():
        for number, line in enumerate(text.splitlines(), 1):
            if _OUTSIDE.search(line):
                outside.append(f"{name}:{number}: {line.strip()}")
            if name.startswith("understudy/"):
                for page, heading in _DOCS_CITATION.findall(line):
                    if page not in headings or heading and heading not in headings[page]:
                        broken.append(f"{name}:{number}: docs/{page} {heading!r}")
    assert not outside, "cite docs/ or AWS's pages instead:\n" + "\n".join(outside)
    assert not broken, "no such docs page or heading:\n" + "\n".join(broken)
