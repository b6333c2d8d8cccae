"""An email-address identity at a consumer mailbox provider.

Why: an address at gmail.com, outlook.com, yahoo.com and the like belongs to
a person and to the provider, not to your organisation: the mailbox owner
controls it, the provider's DMARC policy rejects your SES mail as spoofed,
you cannot sign it with your DKIM keys, and the code leaks a person's
address. The built-in list of providers is extended with
``personal_mailbox_domains`` in ``.sesguard.yml`` (``*`` matches any part,
as in ``gmx.*``).

Example (Terraform):

    resource "aws_ses_email_identity" "alerts" {
      email = "jane.doe@gmail.com"
    }

Example (CloudFormation):

    Alerts:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: jane.doe@gmail.com

Fix: verify a domain your organisation owns (``aws_ses_domain_identity``,
``aws_sesv2_email_identity`` with a domain) and send from an address on it.
"""

from analyzer.mailboxes import email_domain, personal_provider
from analyzer.rules import about

ID = "SES201"
NAME = "email-identity-personal-mailbox"
SEVERITY = "medium"
TITLE = "Email identity at a consumer mailbox provider"
TAGS = ("identity",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses201"
SUMMARY = ("an email-address identity at a consumer mailbox provider (gmail.com, outlook.com, ...; extend with "
           "`personal_mailbox_domains`)")
FIXES = {
    "mailbox": "verify a domain your organisation owns and send from an address on it.",
}


def check(model, context):
    rule = context.rule(ID)
    for identity in model.identities:
        domain = email_domain(identity)
        provider = personal_provider(domain, context.personal_mailbox_domains) if domain else None
        if provider is None:
            continue
        name = identity.name
        yield rule.finding_on(
            f"{identity.address}: the email identity {name} is a mailbox at the consumer provider {domain}: "
            "its owner and the provider control it, your DKIM and DMARC cannot cover it, and the code "
            "exposes a person's address.",
            identity, "name", identity=name, details={"domain": domain, "matched": provider},
            **about(identity, "name", value=identity.name),
            fix_title=rule.fix())
