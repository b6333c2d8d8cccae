"""An identity verification waits for a ``_amazonses`` record nobody declares.

Why: ``aws_ses_domain_identity_verification`` makes ``terraform apply``
wait (up to 45 minutes by default) until SES sees the TXT record
``_amazonses.<domain>`` holding the identity's verification token. When
the scan declares no such record, the apply times out unless the record
is managed elsewhere.

Example (Terraform):

    resource "aws_ses_domain_identity" "d" {
      domain = "example.com"
    }
    resource "aws_ses_domain_identity_verification" "v" {
      domain = aws_ses_domain_identity.d.id
    }

Example (CloudFormation): not applicable; CloudFormation has no
verification resource.

Fix: a TXT record ``_amazonses.example.com`` with
``aws_ses_domain_identity.d.verification_token``, in the domain's zone.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES240"
NAME = "verification-record-missing"
SEVERITY = "low"
TITLE = "Verification waits for a _amazonses record that is not declared"
TAGS = ("dns", "verification")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses240"
SUMMARY = "an `aws_ses_domain_identity_verification` waiting for a `_amazonses` record nobody declares"
FIXES = {
    "record": "declare the _amazonses TXT record with its verification_token.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        records = dns.at(domain, "_amazonses", context=identity.context)
        if not identity.verification or dns.txt_at(records, lambda text: True) or dns.undecided(records, "TXT"):
            continue
        name = display(domain.text())
        yield rule.finding_on(
            f"{identity.verification}: waits until SES sees the TXT record _amazonses.{name} with the verification "
            f"token of {identity.address}, and the scan declares no such record, so the apply times out unless "
            "the record is managed elsewhere.",
            identity, identity=name, **about(identity, "verification"),
            fix_title=rule.fix())
