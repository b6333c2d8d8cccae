"""Statements as predicates over a request.

``prepare`` reads a model ``Statement`` once into plain strings: the owner
marker becomes ``OWNER_ACCOUNT`` (the deploying account is trusted, whatever
its number); any other unknown value is collected in ``unknowns``, and an
operator IAM does not know in ``problems``, because neither can be
evaluated; nor can a condition on a key the engine does not model
(``analyzer.policy.keys``), an unknown named after the key. The
predicates follow the IAM policy evaluation logic: a statement applies to
a request when its ``Principal`` (or ``NotPrincipal``), its ``Action`` (or
``NotAction``) and every entry of its ``Condition`` block match. ``Resource`` is taken to match the identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from analyzer.model import Statement, Unknown, has_marker, split_marked
from analyzer.policy.callers import MULTI_VALUED, OWNER_ACCOUNT, Caller, account_form, arn_fields
from analyzer.policy.conditions import holds, operator_parts
from analyzer.policy.keys import is_modelled, unmodelled, unmodelled_variables
from analyzer.policy.wildcard import glob_match, iam_match


@dataclass
class Prepared:
    statement: Statement
    effect: str  # "Allow", "Deny", or "" when unknown
    principals: Optional[list] = None  # [(type, value)]
    not_principals: Optional[list] = None
    actions: Optional[list] = None
    not_actions: Optional[list] = None
    conditions: list = field(default_factory=list)  # [(operator, key lower-cased, values)]
    unknowns: list = field(default_factory=list)  # Unknowns that hide part of the statement
    problems: list = field(default_factory=list)  # sentences: what cannot be evaluated

    @property
    def exact(self) -> bool:
        return not (self.unknowns or self.problems)


def prepare(st: Statement) -> Prepared:
    found = Prepared(st, "")
    effect = _text(st.effect, found)
    found.effect = effect if effect in ("Allow", "Deny") else ""
    if st.principals is not None:
        found.principals = [_principal(p, found) for p in st.principals]
    if st.not_principals is not None:
        found.not_principals = [_principal(p, found) for p in st.not_principals]
    if st.actions is not None:
        found.actions = [_text(a, found) for a in st.actions]
    if st.not_actions is not None:
        found.not_actions = [_text(a, found) for a in st.not_actions]
    for entry in st.conditions:
        operator, key = _text(entry.operator, found), _text(entry.key, found)
        values = [_text(v, found) for v in entry.values]
        if operator_parts(operator) is None and not has_marker(str(entry.operator)):
            found.problems.append(f"{entry.operator} is not a condition operator")
        if isinstance(entry.key, str) and not has_marker(entry.key) and not is_modelled(key.lower()):
            found.unknowns.append(unmodelled(entry.key, st.label))
        found.unknowns.extend(unmodelled(name, st.label) for name in unmodelled_variables(key, values))
        found.conditions.append((operator, key.lower(), values))
    return found


def _principal(entry, found: Prepared) -> tuple:
    if entry.type == "*":
        return ("*", "*")
    return (entry.type, _text(entry.value, found))


def _text(value: Any, found: Prepared) -> str:
    """``value`` as a string with the owner marker replaced; other unknowns
    are recorded in ``found`` (and left out of the text)."""
    if isinstance(value, Unknown):
        if value.is_owner:
            return OWNER_ACCOUNT
        found.unknowns.append(value)
        return ""
    if not isinstance(value, str):
        return str(value) if value is not None else ""
    if not has_marker(value):
        return value
    parts = []
    for part in split_marked(value):
        if isinstance(part, Unknown):
            if part.is_owner:
                parts.append(OWNER_ACCOUNT)
            else:
                found.unknowns.append(part)
        else:
            parts.append(part)
    return "".join(parts)


# ---------------------------------------------------------------------------
# Predicates
# ---------------------------------------------------------------------------


def principal_matches(principal: tuple, caller: Caller) -> bool:
    """Whether one Principal entry names ``caller``. An account (its id or
    root ARN) names every principal of that account; another ARN names the
    principal with that ARN; any other AWS value names a user id."""
    ptype, value = principal
    if ptype == "*" or (ptype == "AWS" and value == "*"):
        return True
    if ptype == "Service":
        return caller.kind == "service" and caller.service == value.lower()
    if ptype == "Federated":
        return caller.kind == "federated" and caller.name == value
    if ptype == "CanonicalUser":
        return caller.kind == "canonical" and caller.name == value
    if caller.kind != "aws":
        return False
    fields = arn_fields(value)
    if fields:
        if fields[5] == "root":
            return glob_match(fields[4], caller.account)
        return glob_match(value, caller.arn)
    if account_form(value):
        return glob_match(value, caller.account)
    return caller.userid == value or caller.userid.startswith(value + ":")


def principal_applies(st: Prepared, caller: Caller) -> bool:
    if st.principals is not None:
        return any(principal_matches(p, caller) for p in st.principals)
    if st.not_principals is not None:
        return not any(principal_matches(p, caller) for p in st.not_principals)
    return True


def action_applies(st: Prepared, action: str) -> bool:
    if st.actions is not None:
        return any(iam_match(p, action) for p in st.actions)
    if st.not_actions is not None:
        return not any(iam_match(p, action) for p in st.not_actions)
    return False


def condition_holds(condition: tuple, context: dict) -> bool:
    operator, key, values = condition
    return holds(operator, key, values, context, key in MULTI_VALUED)
