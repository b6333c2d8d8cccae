"""The verdict on a policy that is one of several known documents.

``policy = local.policies[var.mode]`` with ``var.mode`` unknown is one of
the map's documents, and which one is not known statically. Each document
is evaluated; a verdict that holds for every one of them is reported
(anyone may send, or a service may send for any source), and whatever one
document admits beyond it stays undecided on the unknown key (SES003),
never the verdict of one document taken for the policy's.
"""

from __future__ import annotations

from typing import Optional

from analyzer.model import Unknown, display
from analyzer.policy.verdict import Grant, Trust, Verdict, evaluate


def evaluate_each(documents: list, unknown: Unknown, trust: Trust, identity: Optional[list] = None) -> Verdict:
    """What holds for every one of ``documents``, the policy being whichever
    of them ``unknown`` picks: the grants that show it, from the document
    where it is weakest (a public grant only a network condition limits),
    with ``unknown`` among the verdict's unknowns when a document admits
    more, or less surely, than that."""
    verdicts = [evaluate(document, trust, identity) for document in documents]
    decided = [[grant for grant in verdict.grants if not grant.unknowns] for verdict in verdicts]
    public = all(any(grant.public for grant in grants) for grants in decided)
    services = set.intersection(*({name for grant in grants for name in grant.services_without_source}
                                  for grants in decided))
    source = decided[0]
    if public:
        source = next((grants for grants in decided if all(g.network for g in grants if g.public)), source)
    grants = []
    for grant in source:
        if public and grant.public:
            holds = "lets anyone send"
        elif services & set(grant.services_without_source):
            grant.public, grant.network, grant.untrusted = False, [], []
            grant.services_without_source = sorted(services & set(grant.services_without_source))
            holds = f"lets {', '.join(grant.services_without_source)} send for any source"
        else:
            continue
        grant.notes.append(f"The policy is {whichever(len(documents), unknown)}, and every one of them {holds}")
        grant.elsewhere = [other.statement for grants_of in decided if grants_of is not source
                           for other in grants_of if _same_kind(other, grant)]
        grants.append(grant)
    if not grants:
        return Verdict(unknowns=[unknown])
    beyond = any(verdict.unknowns or not all(_within(grant, public, services) for grant in verdict.grants)
                 for verdict in verdicts)
    return Verdict(grants=grants, unknowns=[unknown] if beyond else [])


def whichever(count: int, unknown: Unknown) -> str:
    """How a finding says that a policy is one of ``count`` documents ``unknown`` picks."""
    return f"whichever of its {count} documents {display(unknown)} picks"


def _same_kind(other: Grant, grant: Grant) -> bool:
    """Whether ``other`` admits what ``grant`` is reported for."""
    if grant.public:
        return other.public
    return bool(set(other.services_without_source) & set(grant.services_without_source))


def _within(grant: Grant, public: bool, services: set) -> bool:
    """Whether ``grant`` admits no one the verdict on every document leaves out."""
    return (not grant.unknowns and not grant.untrusted and (public or not grant.public)
            and set(grant.services_without_source) <= services)
