"""The differential check at scale: sesguard's verdicts against the z3 model.

    python bench/oracle.py --policies 20000 --seed 1 [--jobs 2] [--start K]

Draws ``--policies`` whole policies (tests/oracle/policies.py), from
policy K of the seed on (policy *i* of seed *S* is the same whatever the job
count or the share of the seed a run takes), asks both the engine and the
SMT model of IAM (tests/oracle/iam.py) who may send, and prints exactly
``N policies, M disagreements``; exit status 1 when M > 0. Each
disagreement is written to stderr as one JSON line (document, trust, both
answers) to turn into a fixture. Policies z3 could not decide within its
resource limit are counted on stderr, not as agreements nor disagreements.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import pathlib
import random
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from oracle.compare import Undecided, disagreement  # noqa: E402
from oracle.policies import generate  # noqa: E402


def check(job: tuple) -> tuple:
    seed, index = job
    document, trust = generate(random.Random(f"{seed}:{index}"))
    try:
        found = disagreement(document, trust)
    except Undecided:
        return "undecided", None
    if found is None:
        return "agree", None
    engine, oracle = found
    return "disagree", {"index": index, "document": document, "trust": trust,
                        "engine": _answer(engine), "oracle": _answer(oracle)}


def _answer(answer) -> list:
    return [answer.public, sorted(answer.untrusted), sorted(answer.services), sorted(answer.unmodelled)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--start", type=int, default=0,
                        help="index of the first policy, so that runs can share out one seed's policies")
    options = parser.parse_args()
    started = time.monotonic()
    counts = {"agree": 0, "disagree": 0, "undecided": 0}
    jobs = [(options.seed, i) for i in range(options.start, options.start + options.policies)]
    with multiprocessing.Pool(options.jobs) as pool:
        for outcome, detail in pool.imap_unordered(check, jobs, chunksize=8):
            counts[outcome] += 1
            if detail is not None:
                print(json.dumps(detail), file=sys.stderr)
    print(f"{counts['undecided']} policies undecided by z3 within its resource limit; "
          f"{time.monotonic() - started:.0f} s", file=sys.stderr)
    print(f"{options.policies} policies, {counts['disagree']} disagreements")
    return 1 if counts["disagree"] else 0


if __name__ == "__main__":
    sys.exit(main())
