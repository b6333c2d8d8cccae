"""The custom MAIL FROM domain or its records will not work with SES.

Why: SES accepts a MAIL FROM domain only as a subdomain of the identity,
and uses it only while it has exactly one MX record pointing at
``feedback-smtp.<region>.amazonses.com`` (preference 10) for the
identity's Region, where bounces arrive; otherwise SES falls back to
amazonses.com (or rejects mail, with ``REJECT_MESSAGE``). An
``inbound-smtp`` MX there is SES's receiving endpoint, not the bounce
one. The SPF record at the MAIL FROM domain must include amazonses.com.
A Region mismatch is medium: the Region may be unknown to the scan.

Example (Terraform):

    resource "aws_route53_record" "mail_from_mx" {
      zone_id = aws_route53_zone.z.zone_id
      name    = "mail.example.com"
      type    = "MX"
      ttl     = 600
      records = ["10 inbound-smtp.us-east-1.amazonaws.com"]
    }

Example (CloudFormation): ``MailFromAttributes: {MailFromDomain: mail.other.org}``
on the identity ``example.com``.

Fix: a MAIL FROM subdomain of the identity with exactly one MX
``10 feedback-smtp.<region>.amazonses.com`` and a TXT
``v=spf1 include:amazonses.com -all``.
"""

from analyzer.dns import names, ses_dns, spf
from analyzer.dns.names import Name
from analyzer.model import display, unresolved
from analyzer.rules import about

ID = "SES223"
NAME = "mail-from-records-wrong"
SEVERITY = "high"
TITLE = "MAIL FROM domain or its MX/SPF records are wrong for SES"
TAGS = ("dns", "mail-from")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses223"
SUMMARY = ("a MAIL FROM domain outside the identity, or without exactly one MX `10 feedback-"
           "smtp.<region>.amazonses.com`, or an SPF without `include:amazonses.com` (Region mismatch medium)")
FIXES = {
    "subdomain": "use a subdomain such as mail.{domain}.",
    "mx": "an MX 10 feedback-smtp.<region>.amazonses.com.",
    "region": "feedback-smtp.{region}.amazonses.com.",
    "spf": "add include:amazonses.com.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        mail_from = dns.mail_from(identity)
        if mail_from is None:
            continue
        name = display(domain.text())
        shown = display(mail_from.text())
        address = identity.mail_from_address or identity.address
        if _outside(mail_from, domain):
            yield rule.finding_on(
                f"{address}: the MAIL FROM domain {shown} is not a subdomain of {name}; SES refuses it.",
                identity, "mail_from_domain", identity=name, **about(identity, "mail_from_domain"),
                fix_title=rule.fix("subdomain", domain=name.rstrip(".")))
        records = dns.mail_from_records(identity, domain)
        if records is None:
            continue
        for message, record, path, severity, fix in _mx_problems(records, dns.home_region(identity), shown):
            yield rule.finding_on(f"{record.address if record else address}: {message}",
                                  record or identity, "values" if record else "mail_from_domain", identity=name,
                                  severity=severity, fix_title=rule.fix(fix[0], **fix[1]) if fix else "",
                                  **about(record or identity, path))
        for placed, text in dns.spf_at(records):
            if not spf.includes(text, ses_dns.SPF_INCLUDE) and not unresolved(text):
                yield rule.finding_on(
                    f"{placed.record.address}: the SPF record of the MAIL FROM domain {shown} does not include "
                    f"amazonses.com, so SPF fails for mail SES sends as {name}.",
                    placed.record, "values", identity=name, **about(placed.record, "spf/include"),
                    fix_title=rule.fix("spf"))


def _outside(mail_from: Name, domain: Name) -> bool:
    """Known not to be a strict subdomain (with unknown parts, only when they cannot line up)."""
    inside = mail_from.endswith(domain) and len(mail_from.labels) > len(domain.labels)
    return not inside and mail_from.known and domain.known


def _mx_problems(records: list, region, shown: str):
    mx = [(p.record, value) for p in records if p.record.rtype == "MX" and p.record.data.explicit
          for value in p.record.data.value]
    if not mx:
        if not any(p.record.rtype == "MX" or p.record.kind.unresolved for p in records):
            yield (f"the MAIL FROM domain {shown} has no MX record in the declared DNS, so SES cannot use it: it "
                   "falls back to amazonses.com (or rejects the mail with REJECT_MESSAGE).",
                   None, "mail_from/mx", "high", ("mx", {}))
        return
    if len(mx) > 1:
        yield (f"the MAIL FROM domain {shown} has {len(mx)} MX records; SES needs exactly one "
               "(10 feedback-smtp.<region>.amazonses.com).", mx[1][0], "mx/count", "high", None)
    for record, value in mx:
        if not unresolved(value):  # an MX unknown to the scan is not judged
            yield from _one_mx(record, value, region, shown)


def _one_mx(record, value, region, shown: str):
    preference, _, host_text = str(value).strip().partition(" ")
    host = names.parse(host_text.strip())
    if host is None or len(host.labels) != 4:
        yield (f"the MX of the MAIL FROM domain {shown} is {display(value)}, not "
               "10 feedback-smtp.<region>.amazonses.com.", record, "mx/host", "high", None)
        return
    first, rest = host.labels[0], Name(host.labels[2:], False).text()
    if first == ("inbound-smtp",):
        yield (f"the MX of the MAIL FROM domain {shown} is SES's receiving endpoint {display(host.text())}, not "
               "its bounce endpoint feedback-smtp.<region>.amazonses.com.", record, "mx/inbound", "high", None)
        return
    if first != ("feedback-smtp",) or rest != "amazonses.com":
        yield (f"the MX of the MAIL FROM domain {shown} is {display(value)}, not "
               "10 feedback-smtp.<region>.amazonses.com.", record, "mx/host", "high", None)
        return
    if preference != str(ses_dns.MAIL_FROM_MX_PREFERENCE):
        yield (f"the MX of the MAIL FROM domain {shown} has preference {display(preference)}; SES documents 10.",
               record, "mx/preference", "high", None)
    written = host.label(1)
    if written and region and written != region:
        yield (f"the MX of the MAIL FROM domain {shown} points at Region {written}, but the identity is in "
               f"{region}.", record, "mx/region", "medium", ("region", {"region": region}))
    elif written and not ses_dns.is_region(written):
        yield (f"the MX of the MAIL FROM domain {shown} names {written}, which is no AWS Region.",
               record, "mx/region", "high", None)
