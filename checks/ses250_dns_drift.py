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

from analyzer.dns.published import said, show, status
from analyzer.rules import about

ID = "SES250"
NAME = "dns-drift"
SEVERITY = "high"
TITLE = "Public DNS differs from the declared or required records"
TAGS = ("dns", "live")
NEEDS_DNS = "live"
MANDATORY = False
ANCHOR = "ses250"
SUMMARY = "with `--dns live`: public DNS differs from the declared records or from what SES needs"
FIXES = {
    "drift": "apply the change, or update the code to what is intended.",
}


def check(model, context):
    rule = context.rule(ID)
    live = context.live
    if live is None:
        return
    for fact in live.drift:
        record, answer = fact.record, fact.answer
        what = "the name does not exist" if answer.status == "nxdomain" else (
            "there is no such record" if answer.status == "nodata" else f"public DNS serves {show(fact.served)}")
        yield rule.finding(
            f"{record.address}: declares {fact.rtype} {show(fact.declared)} at {fact.name}, but {what} "
            f"({said(answer)}).",
            record.where("values"), **about(record, f"live/drift/{fact.rtype}"),
            fix_title=rule.fix())
    for fact in live.dkim:
        identity = fact.identity
        yield rule.finding(
            f"{identity.address}: DKIM record {fact.number} of {fact.domain} ({fact.name}) does not point at "
            f"{fact.token}.<SES DKIM domain> in public DNS: it {status(fact.answer)} ({said(fact.answer)}), so SES "
            "cannot verify DKIM.", identity.loc, identity=fact.domain, **about(identity, f"live/dkim/{fact.number}"))
    for fact in live.mx:
        identity = fact.identity
        yield rule.finding(
            f"{identity.address}: the MAIL FROM domain {fact.mail_from} of {fact.domain} has no MX "
            f"feedback-smtp.<region>.amazonses.com in public DNS: it {status(fact.answer)} ({said(fact.answer)}), "
            "so SES falls back to amazonses.com.", identity.where("mail_from_domain"), identity=fact.domain,
            **about(identity, "live/mail_from/mx"))
    for fact in live.spf:
        if not fact.includes_ses:
            identity = fact.identity
            yield rule.finding(
                f"{identity.address}: {fact.describe()} does not include amazonses.com, so SPF fails for mail SES "
                "sends.", identity.where("mail_from_domain"), identity=fact.domain,
                **about(identity, "live/mail_from/spf"))
