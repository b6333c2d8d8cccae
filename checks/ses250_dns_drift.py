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

from analyzer.dns import names, ses_dns, spf
from analyzer.dns.names import Name
from analyzer.dns.records import joined, normalized
from analyzer.dns.view import comparable
from analyzer.model import PUBLISHED
from analyzer.rules import about
from checks._published import said, served, show, spf_described, status

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
    published = context.dns(model, PUBLISHED)
    yield from _drift(rule, context.dns(model), published)
    for identity, domain in published.domain_identities():
        if domain.known:
            yield from _dkim(rule, published, identity, domain)
            yield from _mail_from(rule, published, identity, domain)


def _drift(rule, declared, published):
    """The declared records against the published ones of the same name and
    type. Several resources may declare one name and type (Cloudflare writes
    one record per resource): together they must be what is served; each is
    reported for the values it declares that are not served."""
    declared_at: dict = {}
    for placed in declared.placed:
        if comparable(placed):
            declared_at.setdefault((placed.name.labels, placed.record.rtype), []).append(placed)
    for (_, rtype), group in declared_at.items():
        answered = served(published.records(group[0].name, rtype, group[0].record.context))
        if not answered:
            continue  # not resolved: an input problem, never drift
        found = answered[0].record
        values = {normalized(rtype, v) for v in found.values}
        if {normalized(rtype, v) for p in group for v in p.record.values} == values:
            continue
        for placed in group:
            record = placed.record
            mine = sorted(normalized(rtype, v) for v in record.values)
            if len(group) > 1 and set(mine) <= values:
                continue  # this resource's values are served; the difference is another's
            what = "the name does not exist" if found.answer.status == "nxdomain" else (
                "there is no such record" if found.answer.status == "nodata"
                else f"public DNS serves {show(sorted(values))}")
            yield rule.finding_on(
                f"{record.address}: declares {rtype} {show(mine)} at {found.name}, but {what} ({said(found)}).",
                record, "values", **about(record, f"live/drift/{rtype}"), fix_title=rule.fix())


def _dkim(rule, published, identity, domain):
    """Each DKIM CNAME SES reads, where the identity's tokens are known, pointing at SES."""
    for number, token in identity.known_tokens:
        for placed in served(published.records(domain.child(token, "_domainkey"), "CNAME", identity.context)):
            record = placed.record
            targets = [names.parse(value) for value in record.values]
            if any(t and t.labels and t.labels[0] == (token.lower(),)
                   and ses_dns.dkim_domain_regions(Name(t.labels[1:], False).text()) for t in targets):
                continue
            yield rule.finding_on(
                f"{identity.address}: DKIM record {number} of {domain.text()} ({record.name}) does not point at "
                f"{token}.<SES DKIM domain> in public DNS: it {status(record)} ({said(record)}), so SES cannot "
                "verify DKIM.", identity, identity=domain.text(), **about(identity, f"live/dkim/{number}"))


def _mail_from(rule, published, identity, domain):
    """The MAIL FROM domain's MX to SES's feedback endpoint, and its SPF including SES."""
    mail_from = published.mail_from(identity)
    if mail_from is None or not mail_from.known:
        return
    for placed in served(published.records(mail_from, "MX", identity.context)):
        if not any(_feedback(value) for value in placed.record.values):
            yield rule.finding_on(
                f"{identity.address}: the MAIL FROM domain {mail_from.text()} of {domain.text()} has no MX "
                f"feedback-smtp.<region>.amazonses.com in public DNS: it {status(placed.record)} "
                f"({said(placed.record)}), so SES falls back to amazonses.com.", identity, "mail_from_domain",
                identity=domain.text(), **about(identity, "live/mail_from/mx"))
    for placed in published.records(mail_from, "TXT", identity.context):
        record = placed.record
        if record.walk is not None and record.values and not any(
                spf.includes(joined(value), ses_dns.SPF_INCLUDE) for value in record.values):
            yield rule.finding_on(
                f"{identity.address}: {spf_described(record, mail_from)} does not include amazonses.com, so SPF "
                "fails for mail SES sends.", identity, "mail_from_domain", identity=domain.text(),
                **about(identity, "live/mail_from/spf"))


def _feedback(record: str) -> bool:
    _, _, host = record.partition(" ")
    return ses_dns.feedback_region(host.strip()) is not None
