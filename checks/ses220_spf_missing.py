"""The custom MAIL FROM domain has no SPF record in its declared zone.

Why: receivers check SPF against the MAIL FROM domain. Without a record
there, SPF fails (or is "none") for every message, and DMARC can only
pass through DKIM. SES needs ``v=spf1 include:amazonses.com ~all`` (or
``-all``) at the MAIL FROM domain. Reported when the scan declares the
MAIL FROM domain's zone or other records at that name, so it manages its
DNS.

Example (Terraform):

    resource "aws_ses_domain_mail_from" "m" {
      domain           = aws_ses_domain_identity.d.domain
      mail_from_domain = "mail.example.com"
    }
    resource "aws_route53_record" "mx" {
      zone_id = aws_route53_zone.z.zone_id
      name    = "mail.example.com"
      type    = "MX"
      ttl     = 600
      records = ["10 feedback-smtp.us-east-1.amazonses.com"]
    }

Example (CloudFormation): ``MailFromAttributes: {MailFromDomain: mail.example.com}``
and a hosted zone for example.com with only the MX record.

Fix: a TXT record ``v=spf1 include:amazonses.com -all`` at the MAIL FROM domain.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES220"
NAME = "spf-missing"
SEVERITY = "medium"
TITLE = "MAIL FROM domain has no SPF record"
TAGS = ("dns", "spf")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses220"
SUMMARY = "the custom MAIL FROM domain has no SPF record in its declared DNS"
FIXES = {
    "record": "a TXT record \"v=spf1 include:amazonses.com -all\" at {name}.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        mail_from = dns.mail_from(identity)
        if mail_from is None or not dns.managed(mail_from, identity.context, under=domain):
            continue
        records = dns.at_name(mail_from, identity.context, under=domain)
        if dns.spf_at(records) or dns.undecided_txt(records):
            continue  # an SPF record, or a TXT whose value, or a record whose type, is unknown (it may be one)
        name = display(domain.text())
        shown = display(mail_from.text())
        yield rule.finding_on(
            f"{identity.mail_from_address or identity.address}: the MAIL FROM domain {shown} of {name} has no SPF "
            "record in the declared DNS, so SPF fails for its mail.",
            identity, "mail_from_domain", identity=name, **about(identity, "mail_from/spf"),
            fix_title=rule.fix(name=shown))
