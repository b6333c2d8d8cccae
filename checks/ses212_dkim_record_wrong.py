"""A DKIM record of an identity that SES will not accept, or that will not resolve.

Why: a record at a DKIM name that has the wrong type, points at the wrong
token or at another DKIM domain than the identity's Region uses, never
lets SES verify DKIM. Records in a private hosted zone are invisible to
the receivers that must read them. A CNAME cannot share its name with any
other data (RFC 1034 §3.6.2); DNS providers reject or shadow one of them.

The DKIM domain is ``dkim.amazonses.com`` in most Regions and
``dkim.<region>.amazonses.com`` in those listed in ``analyzer.dns.ses_dns``
(from the SES Developer Guide). With the identity's Region unknown, either
form passes; a domain that is no SES DKIM domain never does.

Example (Terraform):

    resource "aws_route53_record" "dkim" {
      count   = 3
      zone_id = aws_route53_zone.private.zone_id  # a zone with a vpc block
      name    = "${aws_ses_domain_dkim.d.dkim_tokens[count.index]}._domainkey"
      type    = "TXT"
      ttl     = 600
      records = ["${aws_ses_domain_dkim.d.dkim_tokens[count.index]}.dkim.amazonses.com"]
    }

Example (CloudFormation):

    Dkim1:
      Type: AWS::Route53::RecordSet
      Properties:
        HostedZoneId: !Ref Zone
        Name: !GetAtt Identity.DkimDNSTokenName1
        Type: CNAME
        ResourceRecords: [!GetAtt Identity.DkimDNSTokenValue2]

Fix: one CNAME per token, ``<token>._domainkey.<domain>`` →
``<token>.<DKIM domain of the identity's Region>``, in the public zone.
"""

from analyzer.dns import names, ses_dns
from analyzer.model import display
from analyzer.rules import about

ID = "SES212"
NAME = "dkim-record-wrong"
SEVERITY = "high"
TITLE = "DKIM record has the wrong type, target or zone"
TAGS = ("dns", "dkim")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses212"
SUMMARY = ("a DKIM record of the wrong type or target, a DKIM domain that does not fit the Region, a private "
           "zone, other data at the CNAME's name")
FIXES = {
    "record": ("a CNAME <token>._domainkey.{name} → <token>.<DKIM domain of the identity's Region> in the "
               "domain's public zone."),
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    seen = set()
    for identity, domain in dns.domain_identities():
        if not dns.signs_with_easy_dkim(identity):
            continue
        name = display(domain.text())
        for index in range(ses_dns.EASY_DKIM_TOKENS):
            for placed in dns.dkim_records(identity, index):
                key = (id(placed.record), index)
                if key in seen:
                    continue
                seen.add(key)
                public_copy = any(p.record.private is not True for p in dns.dkim_records(identity, index))
                for path, problem in _problems(dns, identity, index, placed, public_copy):
                    record = placed.record
                    yield rule.finding_on(
                        f"{record.address}: DKIM record {index + 1} of {name} {problem}",
                        record, path.split("/")[0], identity=name, **about(record, f"{path}/token{index + 1}"),
                        fix_title=rule.fix(name=name))


def _problems(dns, identity, index, placed, public_copy: bool):
    record = placed.record
    if record.kind.explicit and record.kind.value != "CNAME":
        yield "type", f"is a {record.kind.value} record, not a CNAME, so SES never finds its token."
        return
    if record.private is True and not public_copy:  # a split horizon: receivers read the public copy
        yield "zone", ("sits in a private hosted zone, invisible to receivers and to SES, so DKIM never "
                       "verifies and signatures cannot be checked.")
    if record.data.explicit:
        for value in record.data.value:
            target = names.parse(value)
            reason = dns.expected_dkim_target(identity, index, target, record) if target is not None else None
            if reason:
                yield "values", f"points at {display(value)}: {reason}."
    others = [p.record for p in dns.at_name(placed.name, record.context)
              if p.record is not record and p.record.context == record.context and p.record.zone == record.zone]
    if others:
        yield "name", (f"shares its name with {others[0].address} ({display(others[0].rtype)}); a CNAME cannot "
                       "share its name with other data (RFC 1034 §3.6.2).")
