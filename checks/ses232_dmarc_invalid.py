"""A DMARC record that receivers will ignore or misread.

Why: a DMARC record with a syntax error, ``v=DMARC1`` not first, bad tag
values or report URIs, or several DMARC records at one name is ignored
by receivers: the domain has no DMARC policy at all, though the code
looks as if it had one. ``aspf=s`` with an SES custom MAIL FROM domain
can never pass SPF alignment, because SES's MAIL FROM must be a
subdomain. Checked for every TXT record at a ``_dmarc`` name the scan
declares. Tags that RFC 9989 removed (``pct``, ``rf``, ``ri``) or added
(``np``, ``psd``, ``t``) are noted as info.

Example (Terraform):

    records = ["p=reject; v=DMARC1"]

Example (CloudFormation):

    ResourceRecords: ['"v=DMARC1; p=block; rua=dmarc@example.com"']

Fix: ``v=DMARC1; p=reject; rua=mailto:dmarc@example.com`` as the only
DMARC record at ``_dmarc.<domain>``.
"""

from collections import defaultdict

from analyzer.dns import dmarc
from analyzer.dns.records import joined
from analyzer.dns.view import dmarc_problems
from analyzer.model import PUBLISHED, display
from analyzer.rules import about
from checks._published import published_dmarc_finding

ID = "SES232"
NAME = "dmarc-invalid"
SEVERITY = "high"
TITLE = "DMARC record is invalid"
TAGS = ("dns", "dmarc")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses232"
SUMMARY = ("a DMARC record receivers ignore (syntax, `v=DMARC1` not first, bad values or URIs, several records),"
           " or `aspf=s` with a custom MAIL FROM")
FIXES = {
    "strict_spf": "aspf=r.",
}


def check(model, context):
    rule = context.rule(ID)
    for identity, domain, placed, problem in context.dns(model, PUBLISHED).governing_dmarc(dmarc.VALIDITY):
        yield published_dmarc_finding(rule, identity, domain, placed, problem, severity=severity(problem))
    dns = context.dns(model)
    by_name = defaultdict(list)
    for placed in dns.placed:
        record = placed.record
        if record.rtype != "TXT" or not record.data.explicit or not _at_dmarc_name(placed.name):
            continue
        texts = [joined(s) for s in record.strings]
        by_name[dns.name_key(placed)].append((record, texts))
        for problem in record.problems:
            yield rule.finding_on(f"{record.address}: {problem}.", record, "values",
                               **about(record, "dmarc/quoting"))
        for text in texts:
            if not _meant_as_dmarc(text):
                continue
            problems, unknown = dmarc_problems(text)
            note = f" (tags with values unknown to the scan were not checked: {', '.join(unknown)})" if unknown else ""
            for problem in problems:
                if problem.aspect == dmarc.VALIDITY:
                    yield _finding(rule, record, problem, note)
    for entries in by_name.values():
        texts = [t for _, ts in entries for t in ts]
        for problem in dmarc.check_name(texts):
            yield _finding(rule, entries[-1][0], problem, "")
    yield from _strict_alignment(rule, dns)


def _strict_alignment(rule, dns):
    for identity, domain in dns.domain_identities():
        if dns.mail_from(identity) is None:
            continue
        records, _, subdomain = dns.dmarc_for(domain, identity.context)
        for placed, text in records:
            problems, _ = dmarc_problems(text, subdomain=subdomain, custom_mail_from=True)
            for problem in problems:
                if problem.code == "strict-spf-alignment":
                    name = display(domain.text())
                    yield rule.finding_on(
                        f"{placed.record.address}: {problem.message}, yet {name} sends with the custom MAIL FROM "
                        f"domain {display(dns.mail_from(identity).text())}.",
                        placed.record, "values", identity=name,
                        **about(placed.record, f"dmarc/aspf/{identity.address}"),
                        fix_title=rule.fix())


def severity(problem) -> str:
    """How much a validity problem matters: a record receivers misread is
    high, an empty tag low, what changes nothing for receivers info."""
    if problem.code in dmarc.NOTES:
        return "info"
    return "low" if problem.code == "empty-tag" else "high"


def _at_dmarc_name(name) -> bool:
    return bool(name.labels) and name.labels[0] == ("_dmarc",)


def _meant_as_dmarc(text: str) -> bool:
    return dmarc.is_dmarc(text) or "dmarc1" in text.lower()


def _finding(rule, record, problem, note: str):
    return rule.finding_on(f"{record.address}: {display(problem.message)}{note}.", record, "values",
                        severity=severity(problem), **about(record, f"dmarc/{problem.code}"))
