"""The email-authentication rules over hand-built models: no parser involved.

Each row builds identities, zones and records as the loaders would, runs
every DNS rule, and compares the exact set of (rule, resource, severity).
The fixtures (fixtures/SES2xx) cover the same rules through the loaders."""

import pytest

from analyzer.dns.link import link
from analyzer.findings import Finding
from analyzer.model import (
    AFTER_APPLY,
    VARIABLE,
    DnsRecord,
    DnsZone,
    Identity,
    IdentitySetting,
    Location,
    Model,
    Unknown,
    embed,
)
from analyzer.policy.verdict import Trust
from analyzer.rules import RuleContext, needs_dns, load_rules

RULES = [r for r in load_rules() if needs_dns(r.id)]
CTX = "/repo/root"
DOMAIN = Unknown("var.domain", VARIABLE)


def _at(line):
    return dict(loc=Location("main.tf", line), file="main.tf", context=CTX)


def identity(name="example.com", address="aws_sesv2_email_identity.d", type_="aws_sesv2_email_identity",
             line=1, **fields):
    return Identity(address=address, type=type_, name=name, kind="domain",
                    api="v2" if type_ == "aws_sesv2_email_identity" else "v1", **_at(line), **fields)


def zone(name="example.com", private=False, address="aws_route53_zone.z", line=2):
    return DnsZone(address=address, type="aws_route53_zone", name=name, private=private, **_at(line))


def record(name, rtype, values, address, line, zone_address="aws_route53_zone.z", active=True):
    return DnsRecord(address=address, type="aws_route53_record", name=name, rtype=rtype, values=values,
                     zone=f"{CTX}:{zone_address}" if zone_address else "", active=active, **_at(line))


def token(i, identity_address="aws_sesv2_email_identity.d"):
    return embed(Unknown(f"{identity_address}.dkim_signing_attributes[0].tokens[{i}]", AFTER_APPLY))


def dkim(i, line, target=None, rtype="CNAME", address=None):
    target = target if target is not None else f"{token(i)}.dkim.amazonses.com."
    return record(f"{token(i)}._domainkey", rtype, [target] if rtype != "TXT" else [(target,)],
                  address or f"aws_route53_record.dkim[{i}]", line)


ALL_DKIM = [dkim(0, 10), dkim(1, 11), dkim(2, 12)]
MAIL_FROM = [record("mail", "MX", ["10 feedback-smtp.us-east-1.amazonses.com."], "aws_route53_record.mx", 20),
             record("mail", "TXT", [("v=spf1 include:amazonses.com -all",)], "aws_route53_record.spf", 21)]
DMARC = record("_dmarc", "TXT", [("v=DMARC1; p=reject; rua=mailto:d@example.com",)], "aws_route53_record.dmarc", 30)
GOOD = dict(mail_from_domain="mail.example.com", mail_from_mx_failure="REJECT_MESSAGE")


def run(*items) -> set:
    model = Model()
    for item in items:
        collection = {Identity: model.identities, DnsZone: model.dns_zones, DnsRecord: model.dns_records,
                      IdentitySetting: model.identity_settings}[type(item)]
        collection.append(item)
    link(model)
    context = RuleContext(Trust(), {r.id: r for r in load_rules()})
    findings = [f for rule in RULES for f in rule.check(model, context)]
    assert all(isinstance(f, Finding) for f in findings)
    return {(f.rule_id, f.resource, f.severity) for f in findings}


CASES = [
    ("a domain set up as SES wants it", [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM, DMARC], set()),
    ("no DNS declared: one info, MAIL FROM and nothing else",
     [identity()], {("SES219", "aws_sesv2_email_identity.d", "info"),
                    ("SES222", "aws_sesv2_email_identity.d", "low")}),
    ("two identities of one domain: SES219 once",
     [identity(**GOOD), identity(address="aws_sesv2_email_identity.e", **GOOD)],
     {("SES219", "aws_sesv2_email_identity.d", "info")}),
    ("v1 without aws_ses_domain_dkim",
     [identity(type_="aws_ses_domain_identity", address="aws_ses_domain_identity.d", **GOOD), zone(), *MAIL_FROM,
      DMARC], {("SES210", "aws_ses_domain_identity.d", "high")}),
    ("v1 with aws_ses_domain_dkim and its three records",
     [identity(type_="aws_ses_domain_identity", address="aws_ses_domain_identity.d", **GOOD),
      IdentitySetting(address="aws_ses_domain_dkim.d", type="aws_ses_domain_dkim", identity="example.com",
                      kind="easy_dkim", **_at(3)),
      zone(), *[record(f"{embed(Unknown(f'aws_ses_domain_dkim.d.dkim_tokens[{i}]', AFTER_APPLY))}._domainkey",
                       "CNAME", [f"{embed(Unknown(f'aws_ses_domain_dkim.d.dkim_tokens[{i}]', AFTER_APPLY))}"
                                 ".dkim.amazonses.com"], f"aws_route53_record.dkim[{i}]", 10 + i) for i in range(3)],
      *MAIL_FROM, DMARC], set()),
    ("CloudFormation SigningEnabled false",
     [identity(dkim_signing=False, **GOOD), zone(), *MAIL_FROM, DMARC],
     {("SES210", "aws_sesv2_email_identity.d", "high")}),
    ("two of three DKIM records",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11), *MAIL_FROM, DMARC],
     {("SES211", "aws_sesv2_email_identity.d", "high")}),
    ("the third DKIM record switched off",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11),
      record(f"{token(2)}._domainkey", "CNAME", [f"{token(2)}.dkim.amazonses.com."], "aws_route53_record.x", 12,
             active=False), *MAIL_FROM, DMARC],
     {("SES211", "aws_sesv2_email_identity.d", "high")}),
    ("a DKIM record of type TXT",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11), dkim(2, 12, rtype="TXT"), *MAIL_FROM, DMARC],
     {("SES212", "aws_route53_record.dkim[2]", "high")}),
    ("a DKIM record pointing at another token",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11, target=f"{token(0)}.dkim.amazonses.com."), dkim(2, 12),
      *MAIL_FROM, DMARC], {("SES212", "aws_route53_record.dkim[1]", "high")}),
    ("a DKIM record outside SES's DKIM domains",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11), dkim(2, 12, target=f"{token(2)}.dkim.example.net."),
      *MAIL_FROM, DMARC], {("SES212", "aws_route53_record.dkim[2]", "high")}),
    ("a regional DKIM domain that does not fit the identity's Region",
     [identity(region="us-east-1", **GOOD), zone(), dkim(0, 10), dkim(1, 11),
      dkim(2, 12, target=f"{token(2)}.dkim.eu-south-1.amazonses.com."), *MAIL_FROM, DMARC],
     {("SES212", "aws_route53_record.dkim[2]", "high")}),
    ("a regional DKIM domain with the Region unknown passes",
     [identity(**GOOD), zone(), dkim(0, 10), dkim(1, 11),
      dkim(2, 12, target=f"{token(2)}.dkim.eu-south-1.amazonses.com."), *MAIL_FROM, DMARC], set()),
    ("the identity's zone is private",
     [identity(**GOOD), zone(private=True), *ALL_DKIM, *MAIL_FROM, DMARC],
     {("SES212", f"aws_route53_record.dkim[{i}]", "high") for i in range(3)}),
    ("a TXT record beside a DKIM CNAME",
     [identity(**GOOD), zone(), *ALL_DKIM, record(f"{token(0)}._domainkey", "TXT", [("x",)], "aws_route53_record.t", 13),
      *MAIL_FROM, DMARC], {("SES212", "aws_route53_record.dkim[0]", "high"),  # shares its name
                           ("SES212", "aws_route53_record.t", "high")}),  # a DKIM name with a TXT
    ("records in a zone given by a variable, names relative to it",
     [identity(**GOOD), *[record(f"{token(i)}._domainkey", "CNAME", [f"{token(i)}.dkim.amazonses.com"],
                                 f"aws_route53_record.dkim[{i}]", 10 + i, zone_address="") for i in range(3)]],
     {("SES230", "aws_sesv2_email_identity.d", "medium")}),
    ("a 1024-bit next signing key",
     [identity(dkim_key_length="RSA_1024_BIT", **GOOD), zone(), *ALL_DKIM, *MAIL_FROM, DMARC],
     {("SES213", "aws_sesv2_email_identity.d", "low")}),
    ("MAIL FROM without SPF",
     [identity(**GOOD), zone(), *ALL_DKIM, MAIL_FROM[0], DMARC],
     {("SES220", "aws_sesv2_email_identity.d", "medium")}),
    ("MAIL FROM outside the identity's domain",
     [identity(mail_from_domain="mail.other.org", mail_from_mx_failure="REJECT_MESSAGE"), zone(), *ALL_DKIM,
      DMARC], {("SES223", "aws_sesv2_email_identity.d", "high")}),
    ("MAIL FROM with SES's inbound MX",
     [identity(**GOOD), zone(), *ALL_DKIM, DMARC, MAIL_FROM[1],
      record("mail", "MX", ["10 inbound-smtp.us-east-1.amazonaws.com."], "aws_route53_record.mx", 20)],
     {("SES223", "aws_route53_record.mx", "high")}),
    ("MAIL FROM MX in another Region than the identity",
     [identity(region="eu-west-1", **GOOD), zone(), *ALL_DKIM, *MAIL_FROM, DMARC],
     {("SES223", "aws_route53_record.mx", "medium")}),
    ("MAIL FROM MX Region unknown: passes",
     [identity(**GOOD), zone(), *ALL_DKIM, DMARC, MAIL_FROM[1],
      record("mail", "MX", [f"10 feedback-smtp.{embed(Unknown('data.aws_region.current.name', 'data'))}"
                            ".amazonses.com."], "aws_route53_record.mx", 20)], set()),
    ("MAIL FROM SPF without amazonses.com",
     [identity(**GOOD), zone(), *ALL_DKIM, DMARC, MAIL_FROM[0],
      record("mail", "TXT", [("v=spf1 include:_spf.example.net -all",)], "aws_route53_record.spf", 21)],
     {("SES223", "aws_route53_record.spf", "high")}),
    ("MX failure left to the default",
     [identity(mail_from_domain="mail.example.com"), zone(), *ALL_DKIM, *MAIL_FROM, DMARC],
     {("SES224", "aws_sesv2_email_identity.d", "info")}),
    ("+all at the MAIL FROM domain",
     [identity(**GOOD), zone(), *ALL_DKIM, DMARC, MAIL_FROM[0],
      record("mail", "TXT", [("v=spf1 include:amazonses.com +all",)], "aws_route53_record.spf", 21)],
     {("SES221", "aws_route53_record.spf", "critical")}),
    ("two SPF records at one name",
     [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM, DMARC,
      record("mail", "TXT", [("v=spf1 include:amazonses.com ~all",)], "aws_route53_record.spf2", 22)],
     {("SES221", "aws_route53_record.spf2", "high")}),
    ("an SPF term with an unknown value is not judged",
     [identity(**GOOD), zone(), *ALL_DKIM, DMARC, MAIL_FROM[0],
      record("mail", "TXT", [(f"v=spf1 include:amazonses.com {embed(Unknown('var.extra', VARIABLE))}",)],
             "aws_route53_record.spf", 21)], set()),
    ("no DMARC anywhere", [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM],
     {("SES230", "aws_sesv2_email_identity.d", "medium")}),
    ("DMARC at the parent governs a subdomain identity",
     [identity(name="news.example.com", mail_from_domain="mail.news.example.com",
               mail_from_mx_failure="REJECT_MESSAGE"), zone(),
      *[record(f"{token(i)}._domainkey.news", "CNAME", [f"{token(i)}.dkim.amazonses.com."],
               f"aws_route53_record.dkim[{i}]", 10 + i) for i in range(3)],
      record("mail.news", "MX", ["10 feedback-smtp.us-east-1.amazonses.com."], "aws_route53_record.mx", 20),
      record("mail.news", "TXT", [("v=spf1 include:amazonses.com -all",)], "aws_route53_record.spf", 21),
      record("_dmarc", "TXT", [("v=DMARC1; p=reject; sp=none; rua=mailto:d@example.com",)],
             "aws_route53_record.dmarc", 30)],
     {("SES231", "aws_route53_record.dmarc", "medium")}),
    ("p=none and no rua",
     [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM,
      record("_dmarc", "TXT", [("v=DMARC1; p=none",)], "aws_route53_record.dmarc", 30)],
     {("SES231", "aws_route53_record.dmarc", "medium"), ("SES233", "aws_route53_record.dmarc", "low")}),
    ("an unknown policy is not judged, an unknown rua not missed",
     [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM,
      record("_dmarc", "TXT", [(f"v=DMARC1; p={embed(Unknown('var.p', VARIABLE))}; "
                                f"rua=mailto:{embed(Unknown('var.rua', VARIABLE))}",)], "aws_route53_record.dmarc", 30)],
     set()),
    ("v=DMARC1 not first",
     [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM,
      record("_dmarc", "TXT", [("p=reject; v=DMARC1; rua=mailto:d@example.com",)], "aws_route53_record.dmarc", 30)],
     {("SES232", "aws_route53_record.dmarc", "high"), ("SES230", "aws_sesv2_email_identity.d", "medium")}),
    ("strict SPF alignment with a custom MAIL FROM",
     [identity(**GOOD), zone(), *ALL_DKIM, *MAIL_FROM,
      record("_dmarc", "TXT", [("v=DMARC1; p=reject; aspf=s; rua=mailto:d@example.com",)], "aws_route53_record.dmarc",
             30)], {("SES232", "aws_route53_record.dmarc", "high")}),
    ("a verification waiting for a record nobody declares",
     [identity(verification="aws_ses_domain_identity_verification.v", **GOOD), zone(), *ALL_DKIM, *MAIL_FROM, DMARC],
     {("SES240", "aws_sesv2_email_identity.d", "low")}),
    ("the same unknown domain in another root module is another domain",
     [identity(name=DOMAIN, **{**GOOD, "mail_from_domain": f"mail.{embed(DOMAIN)}"}),
      DnsRecord(address="aws_route53_record.dmarc", type="aws_route53_record", name=f"_dmarc.{embed(DOMAIN)}",
                rtype="TXT", values=[("v=DMARC1; p=none",)], loc=Location("other.tf", 5), file="other.tf",
                context="/repo/other")],
     {("SES219", "aws_sesv2_email_identity.d", "info")}),
]


@pytest.mark.parametrize("items,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_dns_rules(items, expected):
    assert run(*items) == expected
