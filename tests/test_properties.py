"""Properties of the verdict engine over generated policy documents (issue #7).

*The verdict* of a policy is, for each send action, the audience the grants
covering it admit together:

    Audience(public, untrusted, services, unknown)

``public``: some grant admits anyone (the other fields are then empty:
public dominates); ``untrusted``: the union of the grants'
untrusted entities; ``services``: the union of their services without a
source condition; ``unknown``: some grant depends on an unknown value.

*Wider* is a preorder on audiences, ``a <= b`` (a is not wider than b):

* a public audience is the widest: ``a <= b`` whenever ``b.public``;
* a service without a source condition acts for any account, so it is as
  wide (the engine itself reports a service whose source condition spans
  every account as public); otherwise ``a.untrusted`` must be a subset of
  ``b.untrusted``;
* ``a.unknown`` is allowed only when ``b`` reaches someone untrusted or is
  unknown itself: narrowing an untrusted grant by a condition on an unknown
  value makes it undecided, while a confined grant stays confined.

A verdict is not wider than another when that holds for every action.
"""

from __future__ import annotations

import copy
import json
from typing import NamedTuple

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.policy.document import parse_document
from analyzer.policy.verdict import MAX_DENY_WORK, Trust, evaluate
from analyzer.policy.wildcard import SEND_ACTIONS

SETTINGS = settings(max_examples=100, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

ACCOUNTS = ["111122223333", "444455556666", "777788889999"]
ORGS = ["o-abc123", "o-def456"]
TRUSTS = [Trust(), Trust(accounts=frozenset(ACCOUNTS[:1])),
          Trust(accounts=frozenset(ACCOUNTS[:2]), orgs=frozenset(ORGS[:1]))]


class Audience(NamedTuple):
    public: bool = False
    untrusted: frozenset = frozenset()
    services: frozenset = frozenset()
    unknown: bool = False


def verdict(document, trust: Trust) -> dict:
    """action -> Audience of the grants covering it (actions nobody may call are absent)."""
    result: dict = {}
    for grant in evaluate(parse_document(document), trust).grants:
        for action in grant.actions:
            a = result.get(action, Audience())
            result[action] = Audience(a.public or grant.public, a.untrusted | frozenset(grant.untrusted),
                                      a.services | frozenset(grant.services_without_source),
                                      a.unknown or bool(grant.unknowns))
    # public dominates: who else a public grant names does not matter (and a
    # grant that is public reports nobody else)
    return {action: Audience(True) if a.public else a for action, a in result.items()}


def not_wider(a: Audience, b: Audience) -> bool:
    if b.public or b.services:
        # A service without a source condition acts for any account: the
        # engine reports the same audience as public when a source condition
        # spans every account (aws:SourceAccount "*"), so the two are one tier.
        return True
    if a.public or a.services:
        return False
    return a.untrusted <= b.untrusted and (not a.unknown or b.unknown or bool(b.untrusted))


def verdict_not_wider(a: dict, b: dict) -> bool:
    return all(action in b and not_wider(audience, b[action]) for action, audience in a.items())


# ---------------------------------------------------------------------------
# Generated documents
# ---------------------------------------------------------------------------

account = st.sampled_from(ACCOUNTS)
arn = st.builds(lambda a, tail: f"arn:aws:iam::{a}:{tail}", account, st.sampled_from(["root", "role/r", "user/u"]))
service = st.sampled_from(["ses.amazonaws.com", "lambda.amazonaws.com", "cognito-idp.amazonaws.com"])
aws_value = st.one_of(account, arn, st.just("*"), st.just("arn:aws:iam::*:root"))


def one_or_list(values):
    return st.one_of(values, st.lists(values, min_size=1, max_size=3))


principal = st.one_of(
    st.just("*"),
    st.fixed_dictionaries({"AWS": one_or_list(aws_value)}),
    st.fixed_dictionaries({"Service": one_or_list(service)}),
    st.fixed_dictionaries({"AWS": one_or_list(aws_value), "Service": one_or_list(service)}),
)
action = st.sampled_from(list(SEND_ACTIONS) + ["ses:Send*", "ses:*", "*", "SES:send?mail", "ses:Get*",
                                               "ses:Send*Email", "iam:*", "ses:*Templated*"])
base_operators = ["StringEquals", "StringLike", "ArnEquals", "ArnLike", "StringNotEquals", "StringEqualsIgnoreCase",
                  "ArnNotLike", "IpAddress", "NotIpAddress", "Bool", "Null", "NumericEquals"]
operator = st.builds(lambda q, op, ie: q + op + ie, st.sampled_from(["", "ForAnyValue:", "ForAllValues:"]),
                     st.sampled_from(base_operators), st.sampled_from(["", "IfExists"]))
condition_keys = {
    "aws:PrincipalAccount": account,
    "aws:SourceAccount": st.one_of(account, st.just("*")),
    "aws:PrincipalOrgID": st.one_of(st.sampled_from(ORGS), st.just("o-*")),
    "aws:SourceArn": st.one_of(arn, st.just("arn:aws:s3:::bucket"), st.just("arn:aws:sns:*:*:t")),
    "aws:PrincipalArn": arn,
    "ses:FromAddress": st.sampled_from(["a@example.com", "*@example.com"]),
    "aws:SourceIp": st.sampled_from(["10.0.0.0/8", "0.0.0.0/0"]),
    "aws:userid": st.sampled_from(["AIDAEXAMPLE:me", ACCOUNTS[0]]),
}
condition_entry = st.sampled_from(sorted(condition_keys)).flatmap(
    lambda key: st.tuples(operator, st.just(key), one_or_list(condition_keys[key])))


def condition_of(entries) -> dict:
    block: dict = {}
    for op, key, values in entries:
        block.setdefault(op, {})[key] = values
    return block


condition = st.lists(condition_entry, max_size=3).map(condition_of)


@st.composite
def statement(draw, effect=None):
    st_: dict = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    if draw(st.booleans()) or st_["Effect"] == "Deny":
        st_["Principal"] = draw(principal)
    else:
        st_["NotPrincipal"] = draw(principal)
    st_["NotAction" if draw(st.integers(0, 5)) == 0 else "Action"] = draw(one_or_list(action))
    st_["Resource"] = "*"
    cond = draw(condition)
    if cond:
        st_["Condition"] = cond
    return st_


def document_of(statements) -> dict:
    return {"Version": "2012-10-17", "Statement": statements}


statements = st.lists(statement(), min_size=1, max_size=6)
trust = st.sampled_from(TRUSTS)

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["*", "Allow", "Deny", "ses:SendEmail", "AWS", "Statement"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.sampled_from(["Statement", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                         "Condition", "AWS", "Service", "StringEquals", "aws:SourceAccount", "Version"])
        | st.text(max_size=8), children, max_size=4),
    max_leaves=30)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@SETTINGS
@given(json_value, trust)
def test_never_raises_on_any_json_value(value, trust):
    evaluate(parse_document(value), trust)
    evaluate(parse_document(json.dumps(value)), trust)
    evaluate(parse_document(document_of(value)), trust)
    evaluate(parse_document(document_of([value])), trust)


@SETTINGS
@given(st.lists(st.one_of(statement(), json_value), max_size=5), trust)
def test_never_raises_on_statements_mixed_with_any_json(items, trust):
    evaluate(parse_document(document_of(items)), trust)


@SETTINGS
@given(statements, trust, st.randoms(use_true_random=False), st.lists(st.integers(0, 5), max_size=4))
def test_order_and_duplicates_do_not_change_the_verdict(items, trust, rng, repeats):
    expected = verdict(document_of(items), trust)
    shuffled = items + [items[i % len(items)] for i in repeats]
    rng.shuffle(shuffled)
    assert verdict(document_of(shuffled), trust) == expected


@SETTINGS
@given(statements, st.integers(0, 5), condition_entry, trust)
def test_a_narrowing_condition_never_widens(items, index, entry, trust):
    before = verdict(document_of(items), trust)
    narrowed = copy.deepcopy(items)
    target = narrowed[index % len(narrowed)]
    if target["Effect"] != "Allow":
        return  # a condition on a Deny narrows the Deny, which widens the audience
    op, key, values = entry
    block = target.setdefault("Condition", {})
    if key in block.get(op, {}):
        return  # the same operator and key again would replace the values, not add a condition
    block.setdefault(op, {})[key] = values
    assert verdict_not_wider(verdict(document_of(narrowed), trust), before)


@SETTINGS
@given(statements, statement(effect="Deny"), trust)
def test_a_deny_never_widens(items, deny, trust):
    before = verdict(document_of(items), trust)
    assert verdict_not_wider(verdict(document_of(items + [deny]), trust), before)


def _split(st_: dict) -> list:
    """The statement as several with one action (or one principal value) each."""
    key = "Action" if "Action" in st_ else "NotAction"
    if key == "Action" and isinstance(st_[key], list) and len(st_[key]) > 1:
        return [{**st_, "Action": a} for a in st_[key]]
    kind = "Principal" if "Principal" in st_ else "NotPrincipal"
    value = st_[kind]
    if kind == "Principal" and isinstance(value, dict) and len(value) == 1:
        (ptype, values), = value.items()
        if isinstance(values, list) and len(values) > 1:
            return [{**st_, kind: {ptype: v}} for v in values]
    if kind == "Principal" and isinstance(value, dict) and len(value) > 1:
        return [{**st_, kind: {ptype: v}} for ptype, v in value.items()]
    return [st_]


@SETTINGS
@given(statements, st.integers(0, 5), trust)
def test_splitting_an_allow_keeps_the_verdict(items, index, trust):
    target = items[index % len(items)]
    if target["Effect"] != "Allow":
        return
    split = items[:index % len(items)] + _split(target) + items[index % len(items) + 1:]
    assert verdict(document_of(split), trust) == verdict(document_of(items), trust)


# ---------------------------------------------------------------------------
# Regressions the properties found
# ---------------------------------------------------------------------------


def test_too_many_denies_are_left_unweighed_not_crashed():
    grants = [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail", "Resource": "*"}] * 400
    denies = [{"Effect": "Deny", "Principal": "*", "Action": "ses:*", "Resource": "*",
               "Condition": {"StringNotEquals": {"aws:PrincipalAccount": ACCOUNTS[0]}}}] * 400
    assert 400 * 400 > MAX_DENY_WORK
    result = evaluate(parse_document(document_of(grants + denies)), Trust())
    assert all(g.public for g in result.grants)
    assert any("were not evaluated" in note for note in result.notes)
    small = evaluate(parse_document(document_of(grants[:2] + denies[:2])), Trust())
    assert [g.untrusted for g in small.grants] == [[f"account {ACCOUNTS[0]}"]] * 2


def test_a_condition_naming_other_accounts_than_the_principal_admits_nobody_more():
    """Found by test_a_narrowing_condition_never_widens: the principal list
    was left out when picking the narrowest constraint, so a condition
    naming another account reported that account as able to send."""
    a, b, c = ACCOUNTS
    statement_ = {"Effect": "Allow", "Principal": {"AWS": [b, c]}, "Action": "ses:SendEmail", "Resource": "*",
                  "Condition": {"StringEquals": {"aws:PrincipalAccount": [a, b]}}}
    grant, = evaluate(parse_document(document_of([statement_])), Trust()).grants
    assert grant.untrusted == [f"account {b}"]
    statement_["Condition"]["StringLike"] = {"aws:SourceAccount": a}
    grant, = evaluate(parse_document(document_of([statement_])), Trust()).grants
    assert (grant.public, grant.untrusted, grant.admitted) == (False, [], "nobody")
