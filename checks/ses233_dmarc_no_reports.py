"""The DMARC record asks for no aggregate reports.

Why: without ``rua``, nobody learns which servers send as the domain, so
forged mail and broken DKIM or SPF go unnoticed, and the policy can never
be tightened with confidence.

Example (Terraform):

    records = ["v=DMARC1; p=reject"]

Example (CloudFormation):

    ResourceRecords: ['"v=DMARC1; p=reject"']

Fix: ``rua=mailto:dmarc-reports@example.com``.
"""

from analyzer.dns import dmarc
from analyzer.model import display
from checks._published import SOURCES, dmarc_finding

ID = "SES233"
NAME = "dmarc-no-reports"
SEVERITY = "low"
TITLE = "DMARC record has no rua"
TAGS = ("dns", "dmarc")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses233"
SUMMARY = "a DMARC record without `rua`"
FIXES = {
    "rua": "add rua=mailto:<address>.",
}


def check(model, context):
    rule = context.rule(ID)
    for source in SOURCES:
        for identity, domain, placed, problem in context.dns(model, source).governing_dmarc(dmarc.REPORTING):
            yield dmarc_finding(
                rule, identity, domain, placed, problem,
                f"the DMARC record governing {display(domain.text())} has no rua tag, so no aggregate reports "
                "are sent and forged mail goes unseen.", "dmarc/rua")
