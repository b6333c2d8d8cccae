"""The identity's DNS is not in the scan, so its records cannot be checked.

Why: whether an identity can be spoofed depends on DKIM, SPF and DMARC
records; when the scan declares neither the domain's zone nor any of its
records, none of that can be checked statically. This is not a problem
in the code, but a statement of what was not checked: run
``sesguard scan --dns live`` to check what public DNS serves. One finding
per domain.

Example (Terraform):

    resource "aws_sesv2_email_identity" "d" {
      email_identity = "example.com"
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com

Fix: none needed; scan the repository that manages the zone too, or use
``--dns live``.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES219"
NAME = "dns-not-declared"
SEVERITY = "info"
TITLE = "Identity's DNS zone is not declared in the scan"
TAGS = ("dns",)
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses219"
SUMMARY = "no zone or record of the identity's domain in the scan: its DNS was not checked (try `--dns live`)"


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    reported = set()
    for identity, domain in dns.domain_identities():
        key = dns.domain_key(domain, identity.context)
        if key in reported or dns.managed(domain, identity.context, identity):
            continue
        reported.add(key)
        name = display(domain.text())
        yield rule.finding_on(
            f"{identity.address}: no zone or record of {name} is declared in the scan, so its DKIM, SPF and DMARC "
            "records were not checked. Run sesguard scan --dns live to check the published records.",
            identity, identity=name, **about(identity, "dns"))
