"""The verdict engine against an independent SMT model of IAM (tests/oracle).

Generated whole policies (tests/oracle/policies.py) and every identity
policy of the fixtures must get the same answer from both: public, or the
untrusted accounts, organizations and principals and the services without a
source that may send. ``bench/oracle.py`` runs the same check on tens of
thousands of policies.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings

import analyzer.rules
from analyzer.engine import ScanOptions, scan
from conftest import FIXTURES
from oracle.compare import Undecided, convertible, disagreement
from oracle.iam import FIXTURE_RLIMIT
from oracle.policies import TRUSTS, generate, policies

GENERATED = 200
# z3 may give up on this share of the generated policies, no more: 58 of seed 1's first 5,000 (1.2%), so of
# 200, 2.4 on average, and more than 8 about once in a thousand runs (2%, 4 of 200, failed a CI run)
UNDECIDED_SHARE = 0.04


def test_generated_policies_agree_with_the_oracle():
    disagreements, undecided = [], 0
    for index in range(GENERATED):
        document, trust = generate(random.Random(f"test:{index}"))
        try:
            found = disagreement(document, trust)
        except Undecided:
            undecided += 1
            continue
        if found:
            disagreements.append((document, trust, found))
    assert disagreements == []
    assert undecided <= GENERATED * UNDECIDED_SHARE


@settings(max_examples=20, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(policies)
def test_the_strategy_draws_policies_both_agree_on(drawn):
    document, trust = drawn
    try:
        assert disagreement(document, trust) is None
    except Undecided:
        pass


def _fixture_documents():
    documents = []
    original = analyzer.rules.evaluate

    def capture(doc, trust, identity=None):
        documents.append(doc)
        return original(doc, trust, identity)

    analyzer.rules.evaluate = capture
    try:
        for case in sorted(p for p in FIXTURES.glob("SES1*/*") if p.is_dir()):
            scan(ScanOptions(paths=[str(case)], dns="off"))
    finally:
        analyzer.rules.evaluate = original
    found = [d for d in (convertible(doc) for doc in documents) if d is not None]
    return list({repr(d): d for d in found}.values())


FIXTURE_DOCUMENTS = _fixture_documents()


def test_fixture_policies_are_many():
    assert len(FIXTURE_DOCUMENTS) >= 40


@pytest.mark.parametrize("index", range(len(FIXTURE_DOCUMENTS)))
@pytest.mark.parametrize("trust", TRUSTS[:2], ids=["no-trust", "one-account"])
def test_fixture_policies_agree_with_the_oracle(index, trust):
    assert disagreement(FIXTURE_DOCUMENTS[index], trust, rlimit=FIXTURE_RLIMIT) is None
