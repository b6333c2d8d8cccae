"""No DMARC record for the identity's domain in its declared DNS.

Why: DMARC tells receivers what to do with mail that fails DKIM and SPF
alignment. Without a ``_dmarc`` record for the domain, or for a parent
domain up to the organizational domain (RFC 7489 §6.6.3), receivers
decide for themselves, and most deliver forged mail. Reported when the
scan declares the domain's zone or records, so it manages its DNS.
Without the public suffix list, the walk up stops at two labels.

Example (Terraform): an ``aws_sesv2_email_identity`` for ``example.com``
with its DKIM records in ``aws_route53_zone.z`` and no
``_dmarc.example.com`` TXT record.

Example (CloudFormation): an ``AWS::SES::EmailIdentity`` and a hosted zone
for its domain without a ``_dmarc`` record set.

Fix: a TXT record at ``_dmarc.<domain>``:
``v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@example.com``.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES230"
NAME = "dmarc-missing"
SEVERITY = "medium"
TITLE = "No DMARC record for the identity's domain"
TAGS = ("dns", "dmarc")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses230"
SUMMARY = "no `_dmarc` record for the identity's domain or a parent, in its declared DNS"
FIXES = {
    "record": "a TXT record \"v=DMARC1; p=quarantine; rua=mailto:...\" at _dmarc.{name}",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    reported = set()
    for identity, domain in dns.domain_identities():
        key = dns.domain_key(domain, identity.context)
        if key in reported or not dns.managed(domain, identity.context, identity):
            continue
        records, _, _ = dns.dmarc_for(domain, identity.context)
        if records or dns.dmarc_undecided(domain, identity.context):
            continue  # a DMARC record, or a record of a type not known statically that may be it (SES003)
        reported.add(key)
        name = display(domain.text())
        yield rule.finding_on(
            f"{identity.address}: the declared DNS has no DMARC record for {name} (_dmarc.{name}) or a parent "
            "domain, so receivers decide alone what to do with mail forged as it.",
            identity, identity=name, **about(identity, "dmarc"),
            fix_title=rule.fix(name=name))
