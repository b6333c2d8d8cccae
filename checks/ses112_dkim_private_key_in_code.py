"""A BYODKIM private key written in the code.

Why: with Bring Your Own DKIM, the private key signs every message of the
domain. Written in the code (as a literal, a variable default, a tfvars
value, or read with ``file()`` from the repository) it is in every clone,
fork, CI log and backup of the repository, and whoever reads it can sign
mail as your domain from anywhere. A value from a secret store (a data
source, a variable without a value, a CloudFormation dynamic reference
``{{resolve:secretsmanager:...}}``) is not reported. In a Terraform plan
only a constant in the configuration counts as written in the code. The key
itself is never printed.

Example (Terraform):

    resource "aws_sesv2_email_identity" "d" {
      email_identity = "example.com"
      dkim_signing_attributes {
        domain_signing_private_key = file("${path.module}/dkim.key")
        domain_signing_selector    = "s1"
      }
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com
        DkimSigningAttributes:
          DomainSigningPrivateKey: MIIEvQIBADANBg...
          DomainSigningSelector: s1

Fix: keep the key in a secret store and reference it
(``data.aws_secretsmanager_secret_version.dkim.secret_string``,
``{{resolve:secretsmanager:dkim:SecretString:key}}``); remove it from the
repository's history and rotate it.
"""

from analyzer.rules import about

ID = "SES112"
NAME = "dkim-private-key-in-code"
SEVERITY = "high"
TITLE = "BYODKIM private key written in the code"
TAGS = ("dkim", "secrets")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses112"
SUMMARY = "a BYODKIM private key written in the code or read from a file in the repository (never printed)"
FIXES = {
    "key": "keep the key in a secret store, reference it from there, and rotate this one.",
}


def check(model, context):
    rule = context.rule(ID)
    for identity in model.identities:
        if not identity.private_key_written.is_(True):
            continue
        name = identity.label
        yield rule.finding_on(
            f"{identity.address}: the BYODKIM private key of {name} is written in the code (or read from a "
            "file in the repository), so everyone with the repository can sign mail as the domain.",
            identity, "private_key_written", identity=name,
            **about(identity, "dkim_signing_attributes/domain_signing_private_key"),
            fix_title=rule.fix())
