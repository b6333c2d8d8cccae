"""A custom MAIL FROM domain that silently falls back when its MX is missing.

Why: with the default MX failure behaviour (``USE_DEFAULT_VALUE``), SES
keeps sending when it cannot find the MAIL FROM domain's MX record, with
``amazonses.com`` as MAIL FROM: mail still goes out, but SPF no longer
aligns, and nothing tells you. ``REJECT_MESSAGE`` makes a broken MAIL
FROM setup fail loudly instead.

Example (Terraform):

    resource "aws_ses_domain_mail_from" "m" {
      domain           = aws_ses_domain_identity.d.domain
      mail_from_domain = "mail.example.com"
    }

Example (CloudFormation):

    MailFromAttributes:
      MailFromDomain: mail.example.com

Fix: ``behavior_on_mx_failure = "RejectMessage"`` (v1) /
``"REJECT_MESSAGE"`` (v2); ``BehaviorOnMxFailure: REJECT_MESSAGE``.
"""

from analyzer.model import display
from analyzer.rules import about

ID = "SES224"
NAME = "mail-from-fallback"
SEVERITY = "info"
TITLE = "MAIL FROM falls back to amazonses.com when its MX is missing"
TAGS = ("dns", "mail-from")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses224"
SUMMARY = "MX failure behaviour left to fall back to amazonses.com silently"
FIXES = {
    "behaviour": ("reject the message on MX failure: behavior_on_mx_failure = \"RejectMessage\" (Terraform v1) or "
                  "\"REJECT_MESSAGE\" (v2), BehaviorOnMxFailure: REJECT_MESSAGE (CloudFormation)."),
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        mail_from = dns.mail_from(identity)
        behaviour = identity.mx_failure
        if mail_from is None or not behaviour.is_("use_default"):
            continue
        name = display(domain.text())
        said = "is the default" if behaviour.default else "is USE_DEFAULT_VALUE"
        yield rule.finding_on(
            f"{identity.mail_from_address or identity.address}: the MAIL FROM behaviour on MX failure of {name} "
            f"{said}, so if {display(mail_from.text())} loses its MX record SES silently sends from "
            "amazonses.com and SPF stops aligning.",
            identity, "mail_from_mx_failure" if behaviour.explicit else "mail_from_domain",
            identity=name, **about(identity, "mail_from/behavior_on_mx_failure", value=behaviour.written),
            fix_title=rule.fix())
