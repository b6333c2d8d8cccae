"""Sentences about identity policies, shared by the SES1xx rules."""

from __future__ import annotations

from analyzer.findings import trace
from analyzer.model import ERROR, IdentityPolicy, Location, Unknown, display


def identity_label(policy: IdentityPolicy) -> str:
    if isinstance(policy.identity, str):
        return policy.identity
    if policy.identity_address:
        return policy.identity_address
    if isinstance(policy.identity, Unknown) and policy.identity.kind == ERROR:
        return "an identity that could not be evaluated"  # what went wrong is the input problem reported at it
    return display(policy.identity) if policy.identity is not None else "an unnamed identity"


def subject(policy: IdentityPolicy) -> str:
    """How a message names the policy: the identity and the resource address."""
    return f"{identity_label(policy)} ({policy.address})"


def finding_fields(policy: IdentityPolicy, logical_path: str, statement=None, elsewhere=()) -> dict:
    """Keyword arguments every policy finding shares; about a statement's
    grant, the trace of its principals (where they were written, the module
    arguments they came through), then those of the statements ``elsewhere``
    that grant the same (``Grant.elsewhere``)."""
    fields = {
        "resource": policy.address,
        "identity": identity_label(policy),
        "active": policy.active,
        "inactive_reason": policy.inactive_reason,
        "conditional": policy.conditional,
        "logical_path": logical_path,
    }
    if statement is not None:
        entries = [entry for st in (statement, *elsewhere)
                   for entry in (st.principals or []) + (st.not_principals or [])]
        fields["trace"] = trace(*(entry.value for entry in entries), at=policy.where(grant_path(statement)))
    return fields


def statement_path(statement) -> str:
    return f"policy/Statement[{statement.sid or statement.index}]"


def grant_path(statement) -> str:
    """Where a grant is reported: the statement's Principal (or NotPrincipal)."""
    return f"policy/{statement.principal_path}"


def actions_phrase(actions) -> str:
    if len(actions) > 2:
        return f"{len(actions)} send actions ({', '.join(actions[:2])}, ...)"
    return " and ".join(actions)


def ignored_phrase(grant) -> str:
    """Why the conditions present do not narrow who may send."""
    if not grant.ignored:
        return ""
    reasons = [f"{i.condition.operator} {display(i.condition.key)}: {i.reason}" for i in grant.ignored]
    return " Conditions that do not narrow the callers: " + "; ".join(reasons) + "."


def notes_phrase(grant, verdict) -> str:
    notes = [_sentence(n) for n in dict.fromkeys(list(grant.notes) + list(verdict.notes))]
    return (" " + " ".join(notes)) if notes else ""


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def policy_unknowns(policy: IdentityPolicy, verdict) -> list:
    """``(unknowns, where, logical path, statement)`` for each part of a
    policy whose verdict an unknown value decides (``where``: the path of the
    part, for ``Rule.finding_on``)."""
    if policy.document_unknown is not None and (verdict is None or verdict.unknowns):
        return [([policy.document_unknown], "policy", "policy", None)]  # a verdict on alternatives may hold
    if verdict is None:
        return []
    found = []
    if verdict.unknowns:
        found.append((verdict.unknowns, "policy/",
                      "policy/Statement", None))
    for grant in verdict.grants:
        if grant.unknowns and not grant.public:
            found.append((grant.unknowns, grant_path(grant.statement),
                          statement_path(grant.statement), grant.statement))
    return found
