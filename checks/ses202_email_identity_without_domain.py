"""An email-address identity whose domain is not verified next to it.

Why: an email-address identity lets you send from that one address, without
DKIM signatures of your own and without a custom MAIL FROM domain, so the
mail aligns with neither SPF nor DKIM and DMARC fails or relies on nothing.
A domain identity (verifying the domain or a parent domain of it) covers
every address on it with your DKIM keys. Reported only when the Terraform
module or the template that declares the address also declares domain
identities, and none of them is the address's domain or a parent of it:
elsewhere the domain may well be verified by another stack, which a scan
cannot see. Addresses at consumer mailbox providers are SES201's.

Example (Terraform):

    resource "aws_ses_domain_identity" "news" {
      domain = "news.example.com"
    }
    resource "aws_ses_email_identity" "support" {
      email = "support@example.com"
    }

Example (CloudFormation):

    News:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: news.example.com
    Support:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: support@example.com

Fix: verify the domain (``aws_ses_domain_identity`` with ``aws_ses_domain_dkim``,
or ``aws_sesv2_email_identity`` with the domain name) and drop the address
identity.
"""

from analyzer.mailboxes import email_domain, personal_provider
from analyzer.rules import about, place

ID = "SES202"
NAME = "email-identity-without-domain"
SEVERITY = "low"
TITLE = "Email identity without a verified domain"
TAGS = ("identity",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses202"
SUMMARY = "an email-address identity whose domain is not verified by a domain identity declared next to it"
FIXES = {
    "domain": "verify {domain} as a domain identity and send from it instead of verifying single addresses.",
}


def check(model, context):
    rule = context.rule(ID)
    domains = {}  # directory or template -> domain names declared there
    for identity in model.identities:
        if identity.kind == "domain" and identity.named.explicit and identity.named.value:
            domains.setdefault(place(identity), set()).add(identity.named.value.lower().rstrip("."))
    for identity in model.identities:
        domain = email_domain(identity)
        declared = domains.get(place(identity))
        if not domain or not declared or personal_provider(domain, context.personal_mailbox_domains):
            continue
        if any(domain == d or domain.endswith("." + d) for d in declared):
            continue
        yield rule.finding_on(
            f"{identity.address}: the email identity {identity.name} is on {domain}, which none of the domain "
            f"identities declared next to it ({', '.join(sorted(declared))}) verifies: mail from it is not "
            f"signed with your DKIM keys and cannot align for DMARC.",
            identity, "name", identity=identity.name, details={"domain": domain},
            **about(identity, "name"),
            fix_title=rule.fix(domain=domain))

