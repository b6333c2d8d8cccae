"""A DKIM key shorter than 2048 bits.

Why: 1024-bit RSA keys are within reach of well-funded attackers and
RFC 8301 asks signers to use at least 1024 and preferably 2048 bits; SES
signs with 2048-bit keys unless told otherwise. Reported for
``RSA_1024_BIT`` chosen as the next signing key length, and for a
BYODKIM public key published in the scan (``<selector>._domainkey``, the
``p=`` tag) shorter than 2048 bits.

Example (Terraform):

    resource "aws_sesv2_email_identity" "d" {
      email_identity = "example.com"
      dkim_signing_attributes {
        next_signing_key_length = "RSA_1024_BIT"
      }
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com
        DkimSigningAttributes:
          NextSigningKeyLength: RSA_1024_BIT

Fix: ``RSA_2048_BIT``; for BYODKIM, a 2048-bit key pair.
"""

from analyzer.dns import dkim
from analyzer.model import display
from analyzer.rules import about

ID = "SES213"
NAME = "dkim-weak-key"
SEVERITY = "low"
TITLE = "DKIM key shorter than 2048 bits"
TAGS = ("dns", "dkim")
NEEDS_DNS = "static"
MANDATORY = False
ANCHOR = "ses213"
SUMMARY = "`RSA_1024_BIT` as next signing key, or a BYODKIM public key under 2048 bits"
FIXES = {
    "next_key": "RSA_2048_BIT.",
    "byodkim": "a 2048-bit key pair.",
}


def check(model, context):
    rule = context.rule(ID)
    dns = context.dns(model)
    for identity, domain in dns.domain_identities():
        name = display(domain.text())
        if identity.next_key_length.is_("RSA_1024_BIT"):
            yield rule.finding_on(
                f"{identity.address}: the next DKIM signing key of {name} is RSA_1024_BIT.",
                identity, "dkim_key_length", identity=name,
                **about(identity, "dkim_key_length", value=identity.dkim_key_length),
                fix_title=rule.fix("next_key"))
        if not identity.selector.explicit or identity.selector.value is None \
                or identity.private_key_written.default:
            continue
        selector = identity.selector.value
        for placed, text in dns.txt_at(dns.at(domain, selector, "_domainkey", context=identity.context), dkim.is_key_record):
            bits = dkim.rsa_key_bits(text)
            if bits is not None and bits < 2048:
                record = placed.record
                yield rule.finding_on(
                    f"{record.address}: the BYODKIM public key of {name} (selector {selector}) is {bits}-bit RSA.",
                    record, "values", identity=name, **about(record, "p"),
                    fix_title=rule.fix("byodkim"))
