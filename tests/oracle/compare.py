"""The engine's answer in the oracle's terms, and the comparison of both."""

from __future__ import annotations

from analyzer.model import Unknown, embed, split_marked
from analyzer.policy.document import parse_document
from analyzer.policy.keys import is_unmodelled
from analyzer.policy.verdict import Trust, evaluate
from oracle.iam import IDENTITY, OWNER, RLIMIT, Answer, judge
from oracle.policies import OWNER_MARK


class Undecided(Exception):
    """z3 gave no answer within its time limit."""


def engine(document, trust: tuple) -> Answer:
    if not isinstance(document, dict):
        document = document_of(document)
    verdict = evaluate(parse_document(document), Trust(accounts=frozenset(trust[0]), orgs=frozenset(trust[1])),
                       split_marked(IDENTITY.replace(OWNER, OWNER_MARK)))
    keys = frozenset(u.ref.lower() for g in verdict.grants for u in g.unknowns if is_unmodelled(u))
    if any(g.public for g in verdict.grants):
        return Answer(True, frozenset(), frozenset(), keys)
    return Answer(False, frozenset(u for g in verdict.grants for u in g.untrusted),
                  frozenset(s for g in verdict.grants for s in g.services_without_source), keys)


def oracle(document: dict, trust: tuple, rlimit: int = RLIMIT) -> Answer:
    try:
        return judge(document, trust, rlimit)
    except RuntimeError as error:
        raise Undecided(str(error)) from error


def disagreement(document: dict, trust: tuple, rlimit: int = RLIMIT):
    """None when engine and oracle agree, else ``(engine, oracle)``."""
    expected = oracle(document, trust, rlimit)
    found = engine(document, trust)
    if expected.unmodelled:
        # a condition on a key neither models may leave the engine undecided, naming the key; when the
        # engine decides all the same (another part of the policy settles it), it must decide as the model
        agree = found.unmodelled <= expected.unmodelled and (found.unmodelled or found[:3] == expected[:3])
    else:
        agree = found == expected
    return None if agree else (found, expected)


def document_of(model_doc):
    """A model ``PolicyDocument`` back as JSON, or None when it hides an
    unknown other than the owner account (the oracle needs every value)."""
    statements = []
    for st in model_doc.statements:
        if st.problems or st.not_resources is not None:
            return None
        # a fixture's Resource names its own identity, not the one the comparison attaches the policy to
        raw = {"Effect": _value(st.effect), "Resource": "*"}
        for name, entries in (("Principal", st.principals), ("NotPrincipal", st.not_principals)):
            if entries is None:
                continue
            if any(e.type == "*" for e in entries):
                raw[name] = "*"
                continue
            block = {}
            for entry in entries:
                block.setdefault(entry.type, []).append(_value(entry.value))
            raw[name] = block
        for name, values in (("Action", st.actions), ("NotAction", st.not_actions)):
            if values is not None:
                raw[name] = [_value(v) for v in values]
        if st.conditions:
            block = {}
            for entry in st.conditions:
                block.setdefault(_value(entry.operator), {})[_value(entry.key)] = [_value(v) for v in entry.values]
            raw["Condition"] = block
        statements.append(raw)
    document = {"Version": "2012-10-17", "Statement": statements}
    if model_doc.unknown is not None or _hides_unknown(document):
        return None
    return document


class _Hidden(Exception):
    pass


def _value(value):
    if isinstance(value, Unknown):
        if not value.is_owner:
            raise _Hidden
        return embed(value)
    return value


def _hides_unknown(document) -> bool:
    from analyzer.model import split_marked
    text = repr(document)
    return any(isinstance(p, Unknown) and not p.is_owner for p in split_marked(text))


def convertible(model_doc):
    try:
        return document_of(model_doc)
    except _Hidden:
        return None
