"""Public DNS differs from what the code declares or SES needs (``--dns live``).

Why: the code is only the intent. A record that was never applied, was
changed by hand, or lives in another account leaves the identity
spoofable or unverified while the code looks right. With ``--dns live``,
sesguard asks public DNS (or ``--nameserver``) for every declared TXT,
CNAME and MX record with known name and values, and for the names SES
reads: the DKIM CNAMEs of identities whose tokens are known (a plan of a
deployed identity), and the MAIL FROM domain's MX and SPF. Each finding
names the nameserver that answered and when; a name that could not be
resolved is reported as SES001, never as missing.

Example (Terraform): ``records = ["v=DMARC1; p=reject"]`` at
``_dmarc.example.com`` while public DNS serves ``v=DMARC1; p=none``.

Example (CloudFormation): a ``MailFromAttributes.MailFromDomain`` whose MX
in public DNS is missing.

Fix: apply the code (or correct it to what is intended), then re-run
``sesguard scan --dns live``.
"""

from analyzer.dns import published

ID = "SES250"
NAME = "dns-drift"
SEVERITY = "high"
TITLE = "Public DNS differs from the declared or required records"
TAGS = ("dns", "live")
NEEDS_DNS = "live"
MANDATORY = False
ANCHOR = "ses250"
SUMMARY = "with `--dns live`: public DNS differs from the declared records or from what SES needs"


def check(model, context):
    yield from published.findings(context.rule(ID), context, ID)
