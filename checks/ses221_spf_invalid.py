"""An SPF record that is invalid, or that lets anyone send.

Why: receivers treat a broken SPF record as a permanent error (DMARC then
fails SPF for every message), and ``+all`` authorises every server on the
Internet to send as the domain. Checked per RFC 7208 for every SPF record
the scan declares, whatever identity it belongs to: several ``v=spf1``
records at one name, syntax errors, unknown mechanisms, ``redirect`` with
``all``, duplicate modifiers, ``all`` glued to another term (high);
``+all`` or bare ``all`` (critical); ``?all`` (medium); ``ptr`` (low);
more than 10 DNS-querying terms (high; offline a lower bound, since
includes are not expanded); a string over 255 octets or a record over
450 (medium); the retired SPF record type (low). Terms built from values
unknown to the scan are left out and named in the message.

Example (Terraform):

    resource "aws_route53_record" "spf" {
      zone_id = aws_route53_zone.z.zone_id
      name    = "mail.example.com"
      type    = "TXT"
      ttl     = 600
      records = ["v=spf1 include:amazonses.com +all"]
    }

Example (CloudFormation):

    ResourceRecords: ['"v=spf1 include:amazonses.com ?all"']

Fix: one record per name ending in ``-all`` or ``~all``, with at most 10
lookups, e.g. ``v=spf1 include:amazonses.com -all``.
"""

from collections import defaultdict

from analyzer.dns import spf
from analyzer.dns.records import joined, known_terms
from analyzer.model import PUBLISHED, display
from analyzer.rules import about
from checks._published import spf_described

ID = "SES221"
NAME = "spf-invalid"
SEVERITY = "high"
TITLE = "SPF record is invalid or allows any sender"
TAGS = ("dns", "spf")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses221"
SUMMARY = ("an SPF record that is invalid per RFC 7208 (severity by case: `+all` critical, `?all` medium, `ptr` "
           "low...)")


def check(model, context):
    rule = context.rule(ID)
    yield from _published(rule, context.dns(model, PUBLISHED))
    dns = context.dns(model)
    by_name = defaultdict(list)
    for placed in dns.placed:
        record = placed.record
        if record.rtype not in ("TXT", "SPF") or not record.data.explicit:
            continue
        texts = [(strings, joined(strings)) for strings in record.strings]
        spf_texts = [(strings, text) for strings, text in texts if spf.is_spf(text)]
        meant = any(spf.is_spf(" ".join(strings)) for strings, _ in texts)  # as written, before a provider split it
        if record.rtype == "SPF" and spf_texts:
            yield _finding(rule, record, spf.check_obsolete_type(), "")
        if spf_texts and record.rtype == "TXT":
            by_name[dns.name_key(placed)].append((record, len(spf_texts)))
        for problem in record.problems if spf_texts or meant else ():
            yield rule.finding_on(f"{record.address}: {problem}.", record, "values", severity="high",
                               **about(record, "records/quoting"))
        for strings, text in spf_texts:
            known, unknown = known_terms(text, " ")
            note = f" (terms with values unknown to the scan were not checked: {', '.join(unknown)})" if unknown else ""
            sizes = [] if unknown else spf.check_strings(strings)  # an unknown value has no size yet
            for problem in spf.check_record(known) + sizes:
                if not (unknown and problem.code == "no-all"):
                    yield _finding(rule, record, problem, note)
    for entries in by_name.values():
        count = sum(n for _, n in entries)
        if count > 1:
            record = entries[-1][0]
            problem = spf.check_name(["v=spf1"] * count)[0]
            others = ", ".join(r.address for r, _ in entries[:-1]) or "the same record"
            yield _finding(rule, record, problem, f" (with {others})")


_SEVERITIES = {
    "plus-all": "critical",
    "after-all": "medium", "lookup-failed": "medium", "mechanism-as-modifier": "medium", "neutral-all": "medium",
    "no-record": "medium", "record-too-long": "medium", "string-too-long": "medium",
    "no-all": "low", "ptr": "low", "spf-rr-type": "low",
    "macro-not-expanded": "info",
}


def severity(problem) -> str:
    """How much an SPF problem matters: one that breaks the record
    (``spf.BROKEN``) is high, ``+all`` critical, the others as listed."""
    return "high" if problem.code in spf.BROKEN else _SEVERITIES[problem.code]


def _published(rule, dns):
    """The problems of the published SPF record of each MAIL FROM domain,
    found by walking it live (``DnsRecord.walk``), each record once."""
    seen = set()
    for identity, domain in dns.domain_identities():
        mail_from = dns.mail_from(identity)
        if mail_from is None:
            continue
        for placed in dns.records(mail_from, "TXT", identity.context):
            record = placed.record
            if record.walk is None or id(record) in seen:
                continue
            seen.add(id(record))
            for problem in record.walk.problems:
                yield rule.finding_on(f"{identity.address}: {spf_described(record, mail_from)}: {problem.message}.",
                                   identity, "mail_from_domain", severity=severity(problem),
                                   identity=domain.text(), **about(identity, f"live/spf/{problem.code}"))


def _finding(rule, record, problem, note: str):
    return rule.finding_on(f"{record.address}: {display(problem.message)}{note}.", record, "values",
                        severity=severity(problem), **about(record, f"spf/{problem.code}"))
