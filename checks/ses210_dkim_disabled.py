"""A domain identity that will not sign its mail with DKIM.

Why: without a DKIM signature, receivers cannot tell your mail from a
forger's, and DMARC can only pass through SPF alignment, which SES gives
only with a custom MAIL FROM domain. Reported for a Terraform
``aws_ses_domain_identity`` (the v1 API) without an ``aws_ses_domain_dkim``
for it in the scan, and for ``DkimAttributes.SigningEnabled: false`` in
CloudFormation.

Example (Terraform):

    resource "aws_ses_domain_identity" "d" {
      domain = "example.com"
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com
        DkimAttributes:
          SigningEnabled: false

Fix: add ``resource "aws_ses_domain_dkim" "d" { domain = aws_ses_domain_identity.d.domain }``
(or move to ``aws_sesv2_email_identity``, which signs by default); in
CloudFormation remove ``SigningEnabled: false``.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES210"
NAME = "dkim-disabled"
SEVERITY = "high"
TITLE = "Domain identity does not sign with DKIM"
TAGS = ("dns", "dkim")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses210"
SUMMARY = "a domain identity that will not sign: v1 without `aws_ses_domain_dkim`, or `SigningEnabled: false`"
FIXES = {
    "no_dkim": "add an aws_ses_domain_dkim for it and publish its three CNAME records.",
    "signing_off": "remove SigningEnabled: false.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        name = display(domain.text())
        if identity.api == "v1" and identity.dkim.is_("off"):
            if dns.set_elsewhere(identity, "easy_dkim"):
                continue
            yield rule.finding_on(
                f"{identity.address}: the domain identity {name} has no aws_ses_domain_dkim in the scan, so its "
                "mail is not DKIM-signed and receivers cannot tell it from forged mail.",
                identity, identity=name, **about(identity, "aws_ses_domain_dkim"),
                fix_title=rule.fix("no_dkim"))
        elif identity.signing.is_(False):
            yield rule.finding_on(
                f"{identity.address}: DKIM signing is turned off for {name} (SigningEnabled: false), so its mail "
                "is not DKIM-signed.",
                identity, "dkim_signing", identity=name, **about(identity, "DkimAttributes/SigningEnabled"),
                fix_title=rule.fix("signing_off"))
