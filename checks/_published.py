"""What the rules that also judge public DNS (``--dns live``) share: the
findings on the published DMARC record, worded once for SES231-SES233."""

from analyzer.dns.published import said
from analyzer.rules import about


def dmarc_findings(rule, context, aspect: str, severity=None):
    """A finding for each problem about ``aspect`` of the published DMARC
    records, when the scan ran live; ``severity(problem)`` when the rule's
    severity depends on the problem."""
    if context.live is None:
        return
    for fact in context.live.dmarc:
        identity = fact.identity
        for problem in fact.problems:
            if problem.aspect != aspect:
                continue
            extra = {"severity": severity(problem)} if severity else {}
            yield rule.finding(
                f"{identity.address}: the published DMARC record {fact.name} ({said(fact.answer)}): "
                f"{problem.message}.", identity.loc, identity=fact.domain, **extra,
                **about(identity, f"live/dmarc/{problem.code}"))
