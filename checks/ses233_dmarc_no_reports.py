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
from analyzer.rules import about
from checks._published import dmarc_findings

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
    yield from dmarc_findings(rule, context, dmarc.REPORTING)
    for _, domain, placed, _ in context.dns(model).governing_dmarc(dmarc.REPORTING):
        record = placed.record
        name = display(domain.text())
        yield rule.finding(
            f"{record.address}: the DMARC record governing {name} has no rua tag, so no aggregate reports "
            "are sent and forged mail goes unseen.",
            record.where("values"), identity=name, **about(record, "dmarc/rua", value=record.values),
            fix_title=rule.fix())
