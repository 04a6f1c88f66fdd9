"""Mutation testing by hand (never in CI): mutmut over domain/, protocol/ and operations/.

    python tools/mutation.py                   # every mutant: hours on two cores
    python tools/mutation.py --sample 1500     # a seeded random sample of that many mutants, drawn once
    python tools/mutation.py --survivors       # each mutant (of the sample) not run yet, then each that survived
    python tools/mutation.py --report          # the score of what has run so far, from mutants/

mutmut's settings are in pyproject.toml ([tool.mutmut]). The tests run on the in-process backend
(UNDERSTUDY_TEST_BACKENDS=inprocess), so the app they reach is the one mutmut rewrote, and mutmut runs
for each mutant only the tests that reached its function. The score counts killed mutants (a test
failed or timed out) against all that ran, less those judged equivalent in
tools/mutation_equivalent.txt (one `mutant name: reason` per line). A sample is drawn once and kept in
mutants/sample.txt, so later runs and the report keep to it; a mutant of a function changed since is
drawn no more (its name is gone). docs/testing.md records a run.
"""

import argparse
import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EQUIVALENT = ROOT / "tools" / "mutation_equivalent.txt"
SAMPLE = ROOT / "mutants" / "sample.txt"
KILLED = {"killed", "timeout"}
# mutmut has no command that only generates mutants; running the smallest module's few makes it generate them all.
FIRST = "understudy.domain.outages.*"


def mutmut(*args: str, capture: bool = False) -> str:
    env = {**os.environ, "UNDERSTUDY_TEST_BACKENDS": "inprocess"}
    done = subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE if capture else None)
    if done.returncode != 0:
        sys.exit(f"mutmut {' '.join(args[:2])} failed with exit status {done.returncode}")
    return done.stdout or ""


def statuses() -> dict[str, str]:
    """Every mutant mutmut knows, by name: killed, survived, timeout, not checked, ..."""
    found = {}
    for line in mutmut("results", "--all", "true", capture=True).splitlines():
        name, sep, status = line.strip().rpartition(": ")
        if sep and name.startswith("understudy."):
            found[name] = status
    return found


def equivalent() -> dict[str, str]:
    """The survivors judged equivalent (no test can tell them from the original), with the reason."""
    judged = {}
    for line in EQUIVALENT.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(":")
            judged[name.strip()] = reason.strip()
    return judged


def sampled(found: dict[str, str]) -> dict[str, str]:
    """The mutants of the sample, if one was drawn, else all."""
    if not SAMPLE.exists():
        return found
    return {name: found[name] for name in SAMPLE.read_text().split() if name in found}


def report() -> None:
    found, judged = sampled(statuses()), equivalent()
    ran = {name: status for name, status in found.items() if status != "not checked"}
    counts = Counter(ran.values())
    killed = sum(n for status, n in counts.items() if status in KILLED)
    survivors = sorted(name for name, status in ran.items() if status not in KILLED)
    unjudged = [name for name in survivors if name not in judged]
    stale = sorted(name for name in judged if ran.get(name) in KILLED)
    non_equivalent = len(ran) - (len(survivors) - len(unjudged))
    print(f"mutants: {len(found)}; run: {len(ran)} ({', '.join(f'{s} {n}' for s, n in counts.most_common())})")
    print(f"survivors judged equivalent: {len(survivors) - len(unjudged)}")
    if non_equivalent:
        share = 100 * killed / non_equivalent
        print(f"score: {killed} of {non_equivalent} non-equivalent mutants killed, {share:.1f}%")
    for name in unjudged:
        print(f"survived: {name}")
    for name in stale:
        print(f"listed as equivalent but killed: {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=17, help="the sample's seed (default 17)")
    parser.add_argument("--survivors", action="store_true", help="run again every mutant that survived")
    parser.add_argument("--report", action="store_true", help="only report what has run")
    args = parser.parse_args()
    if not args.report:
        if args.survivors:
            # What has not run yet first (a killed mutant is quick), then what survived (each runs all its tests).
            found = sampled(statuses())
            for wanted in (lambda status: status == "not checked", lambda status: status not in KILLED):
                names = [name for name, status in found.items() if wanted(status)]
                if names:
                    mutmut("run", *names)
                found = sampled(statuses())
        elif args.sample:
            if not (ROOT / "mutants").exists():
                mutmut("run", FIRST)
            names = sorted(statuses())
            SAMPLE.write_text("\n".join(random.Random(args.seed).sample(names, min(args.sample, len(names)))))
            mutmut("run", *SAMPLE.read_text().split())
        else:
            mutmut("run")
    report()


if __name__ == "__main__":
    main()
