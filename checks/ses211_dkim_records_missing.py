"""The identity's DNS is in the scan, but not all three DKIM CNAMEs are.

Why: Easy DKIM gives every domain identity three tokens, and SES signs
only once it finds ``<token>._domainkey.<domain>`` pointing at
``<token>.<DKIM domain>`` for each. A missing record leaves the identity
unverified for DKIM: its mail goes unsigned, and DMARC fails for every
receiver that needs DKIM alignment. Reported when the scan declares the
domain's zone or other records of the domain (so it manages its DNS), and
some token has no record. Records are recognised by the token they are
written from (``aws_ses_domain_dkim.d.dkim_tokens[count.index]``,
``!GetAtt Identity.DkimDNSTokenName1``), so they match before the tokens
are known. CNAMEs written with literal tokens (a zone file copied from the
console) count too: whether they are the identity's tokens is only known
with ``--dns live``.

Example (Terraform):

    resource "aws_sesv2_email_identity" "d" {
      email_identity = "example.com"
    }
    resource "aws_route53_record" "dkim" {
      count   = 2  # one token short
      zone_id = aws_route53_zone.z.zone_id
      name    = "${aws_sesv2_email_identity.d.dkim_signing_attributes[0].tokens[count.index]}._domainkey"
      type    = "CNAME"
      ttl     = 600
      records = ["${aws_sesv2_email_identity.d.dkim_signing_attributes[0].tokens[count.index]}.dkim.amazonses.com"]
    }

Example (CloudFormation): an ``AWS::SES::EmailIdentity`` and a hosted zone
holding only ``!GetAtt Identity.DkimDNSTokenName1`` and ``...Name2``.

Fix: publish all three CNAMEs (``count = 3``).
"""

from analyzer.dns import ses_dns
from analyzer.model import display
from analyzer.rules import about

ID = "SES211"
NAME = "dkim-records-missing"
SEVERITY = "high"
TITLE = "DKIM CNAME records missing from the identity's DNS"
TAGS = ("dns", "dkim")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses211"
SUMMARY = "the identity's DNS is in the scan but not all three Easy DKIM CNAMEs are"
FIXES = {
    "records": "publish all three Easy DKIM CNAMEs.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        if not dns.signs_with_easy_dkim(identity) or not dns.managed(domain, identity.context, identity) \
                or identity.context in dns.unnamed:
            continue  # a record named only after apply may be the missing one
        missing, not_created = [], []
        for index in range(ses_dns.EASY_DKIM_TOKENS):
            records = dns.dkim_records(identity, index)
            if not any(p.record.active or not identity.active for p in records):
                missing.append(index + 1)
                not_created += [p.record for p in records if not p.record.active]
        written = {p.name.labels[0] for p in dns.written_dkim_records(domain, identity.context)
                   if p.record.active or not identity.active}
        if not missing or len(missing) <= len(written):
            continue  # tokens copied as text: whether they are the identity's is for --dns live
        name = display(domain.text())
        why = ""
        if not_created:
            why = (f" {not_created[0].address} is declared for them but not created with the values in use "
                   f"({not_created[0].inactive_reason}).")
        tokens = ", ".join(map(str, missing))
        yield rule.finding_on(
            f"{identity.address}: the scan declares DNS for {name} but no CNAME for DKIM token(s) {tokens} "
            f"(<token>._domainkey.{name}), so SES cannot verify DKIM and the identity's mail goes unsigned.{why}",
            identity, identity=name, **about(identity, "dkim"),
            fix_title=rule.fix())
