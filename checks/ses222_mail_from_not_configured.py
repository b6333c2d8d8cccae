"""A domain identity without a custom MAIL FROM domain.

Why: without one, SES sends with a MAIL FROM (envelope sender) under
``amazonses.com``, so SPF passes for amazonses.com, never for your
domain, and DMARC can only pass through DKIM. A custom MAIL FROM
subdomain (``mail.example.com``) with SES's MX and SPF records makes SPF
align too, so one broken DKIM record does not fail DMARC.

Example (Terraform):

    resource "aws_ses_domain_identity" "d" {
      domain = "example.com"
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com

Fix: ``aws_ses_domain_mail_from`` (v1) or
``aws_sesv2_email_identity_mail_from_attributes`` (v2) with
``mail_from_domain = "mail.example.com"``; in CloudFormation
``MailFromAttributes: {MailFromDomain: mail.example.com}``.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES222"
NAME = "mail-from-not-configured"
SEVERITY = "low"
TITLE = "Domain identity has no custom MAIL FROM domain"
TAGS = ("dns", "mail-from")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses222"
SUMMARY = "a domain identity without a custom MAIL FROM domain, so SPF never aligns"
FIXES = {
    "mail_from": "set a MAIL FROM subdomain (e.g. mail.{domain}) with SES's MX and SPF records.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        if not identity.mail_from.default or dns.set_elsewhere(identity, "mail_from"):
            continue
        name = display(domain.text())
        yield rule.finding_on(
            f"{identity.address}: {name} has no custom MAIL FROM domain, so SPF never aligns with it and DMARC "
            "depends on DKIM alone.",
            identity, identity=name, **about(identity, "mail_from_domain"),
            fix_title=rule.fix(domain=name.rstrip(".")))
