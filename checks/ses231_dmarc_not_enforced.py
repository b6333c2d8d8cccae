"""The DMARC policy that governs the identity's domain does not enforce.

Why: ``p=none`` (or ``sp=none``, RFC 9989's ``np=none``, for a subdomain
identity) asks receivers to deliver mail that fails DMARC: forged mail
included. ``pct`` below 100 applies the policy to only part of it, and
RFC 9989's ``t=y`` softens it one level. Such records are a first step
while reports are reviewed, not a protection. Judged on the record that
governs the identity: ``_dmarc.<domain>``, or the nearest parent's.

Example (Terraform):

    resource "aws_route53_record" "dmarc" {
      zone_id = aws_route53_zone.z.zone_id
      name    = "_dmarc.example.com"
      type    = "TXT"
      ttl     = 600
      records = ["v=DMARC1; p=none; rua=mailto:dmarc@example.com"]
    }

Example (CloudFormation):

    ResourceRecords: ['"v=DMARC1; p=quarantine; pct=20"']

Fix: once reports show legitimate mail passes, ``p=quarantine`` or
``p=reject`` (and the same for ``sp``), without ``pct`` or ``t=y``.
"""

from analyzer.dns import dmarc
from analyzer.model import display
from checks._published import SOURCES, dmarc_finding

ID = "SES231"
NAME = "dmarc-not-enforced"
SEVERITY = "medium"
TITLE = "DMARC policy does not enforce"
TAGS = ("dns", "dmarc")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses231"
SUMMARY = "`p=none` (`sp`/`np=none` for a subdomain), `pct` below 100, or `t=y`"
FIXES = {
    "enforce": "p=quarantine or p=reject once reports show legitimate mail passes.",
}


def check(model, context):
    rule = context.rule(ID)
    for source in SOURCES:
        for identity, domain, placed, problem in context.dns(model, source).governing_dmarc(dmarc.ENFORCEMENT):
            yield dmarc_finding(
                rule, identity, domain, placed, problem,
                f"the DMARC record governing {display(domain.text())} does not enforce: {problem.message}.",
                f"dmarc/{problem.code}")
