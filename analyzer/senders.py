"""Who can send as each identity: the verdicts of the identity policies,
as plain data the reporters draw (the Markdown flowcharts, the HTML graph).

``senders_of`` is the one place that reads the verdict engine's grants;
the reporters only see the dataclasses below.
"""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.model import display
from analyzer.policy.describe import identity_label


@dataclass(frozen=True)
class SenderGrant:
    """One ``Allow`` statement that grants sending, and who passes it."""

    statement: str  # its label: "statement 'Mailer'" or "statement #2"
    line: int  # where the statement is written (0: unknown)
    actions: tuple  # canonical send actions
    admitted: str  # who passes, as a phrase
    public: bool  # anyone may send (SES101)
    untrusted: tuple  # entities outside the trusted accounts and organizations (SES102)
    services_without_source: tuple  # services admitted without aws:SourceAccount/SourceArn (SES103)
    unknowns: tuple  # the unresolved values the verdict depends on (SES003), as written
    conditions: tuple  # the statement's condition entries that narrow the callers, "Operator key: value, ..."
    denies: tuple  # notes about Deny statements that narrow or may narrow this grant
    deny_conditions: tuple  # the conditions of Deny statements that narrow the callers, likewise
    notes: tuple  # every other note of the verdict about this grant

    @property
    def exposed(self) -> bool:
        return self.public or bool(self.untrusted) or bool(self.services_without_source)


@dataclass(frozen=True)
class PolicySenders:
    """An identity policy and the grants it makes."""

    deployment: str
    identity: str  # the identity's name (or its address when the name is unknown)
    identity_address: str
    policy: str  # the policy's address
    file: str
    line: int
    active: bool
    grants: tuple  # SenderGrant, in document order


def _condition(entry) -> str:
    values = ", ".join(display(v) for v in entry.values)
    return f"{display(entry.operator)} {display(entry.key)}: {values}"


def senders_of(model, context) -> list:
    """One ``PolicySenders`` for every identity policy with a document, in
    model order, from the verdicts ``context`` computes (and caches)."""
    by_policy: dict = {}
    for policy, _verdict, grant in context.grants(model):
        statement = grant.statement
        loc = policy.where(f"policy/{statement.path}")
        denies = tuple(n for n in grant.notes if "Deny" in n or "denies" in n)
        own = [c for c in grant.narrowing if any(c is mine for mine in statement.conditions)]
        by_policy.setdefault(id(policy), (policy, []))[1].append(SenderGrant(
            statement=statement.label,
            line=loc.line if loc else 0,
            actions=tuple(grant.actions),
            admitted=grant.admitted,
            public=grant.public,
            untrusted=tuple(grant.untrusted),
            services_without_source=tuple(grant.services_without_source),
            unknowns=tuple(display(u) for u in grant.unknowns),
            conditions=tuple(_condition(c) for c in own),
            denies=denies,
            deny_conditions=tuple(_condition(c) for c in grant.narrowing if not any(c is o for o in own)),
            notes=tuple(n for n in grant.notes if n not in denies),
        ))
    result = []
    for policy in model.identity_policies:
        if context.verdict(policy) is None:
            continue
        _, grants = by_policy.get(id(policy), (policy, []))
        loc = policy.where("policy")
        result.append(PolicySenders(
            deployment=getattr(policy, "deployment", "") or "",
            identity=identity_label(policy),
            identity_address=policy.identity_address or "",
            policy=policy.address,
            file=policy.file,
            line=loc.line if loc else 0,
            active=policy.active,
            grants=tuple(grants),
        ))
    return result
