"""docs/fidelity.md and tools/fidelity.toml stay true to the botocore models: every rule sentence of the model is
accounted for, no entry outlives its sentence, every enforced rule names a test that exists, and the page is
what tools/fidelity.py generates today."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_tool():
    spec = importlib.util.spec_from_file_location("fidelity_tool", ROOT / "tools" / "fidelity.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


fidelity = _load_tool()


@pytest.fixture(scope="module")
def rules():
    return fidelity.collect()


@pytest.fixture(scope="module")
def accounting():
    return fidelity.load_accounting()


def test_every_rule_sentence_has_an_entry_and_every_entry_a_sentence(rules, accounting):
    found = fidelity.problems(rules, accounting)
    assert not found, ("tools/fidelity.toml is out of step with the model (python tools/fidelity.py --skeleton):\n"
                       + "\n".join(found))


def test_every_enforced_rule_names_a_test_that_exists(accounting):
    found = fidelity.missing_tests(accounting)
    assert not found, "\n".join(found)


def test_the_page_is_what_the_tool_generates(rules, accounting):
    expected = fidelity.render(rules, accounting)
    assert (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8") == expected, \
        "docs/fidelity.md is stale: run python tools/fidelity.py --write"


def test_unreviewed_sentences_are_counted(rules, accounting):
    unreviewed = [r.key for r in rules if accounting.get(r.key, {}).get("status", "unreviewed") == "unreviewed"]
    print(f"{len(unreviewed)} rule sentences not yet reviewed")
    page = (ROOT / "docs" / "fidelity.md").read_text(encoding="utf-8")
    assert f"| unreviewed | {len(unreviewed)} |" in page


def test_the_patterns_keep_rules_and_drop_advice():
    assert fidelity.is_rule("You cannot delete an IP access control group that is associated with a directory.")
    assert fidelity.is_rule("You can specify up to 25 WorkSpaces.")
    assert not fidelity.is_rule("This operation is asynchronous and returns before the WorkSpaces are created.")
    assert not fidelity.is_rule("For more information, see Limits in the Amazon WorkSpaces guide.")
    assert not fidelity.is_rule("The maximum number of items to return.")
