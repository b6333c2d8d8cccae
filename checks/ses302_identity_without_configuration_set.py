"""An identity without a default configuration set.

Why: sending events (bounces, complaints, deliveries) are only published
for mail sent with a configuration set. Without a default one on the
identity, every sender must remember to pass one on every call, and mail
that does not is invisible to your monitoring. Reported for
``aws_sesv2_email_identity`` (``configuration_set_name``) and
CloudFormation ``AWS::SES::EmailIdentity`` (``ConfigurationSetAttributes``),
and only when the Terraform module directory or the template that declares
the identity also declares a configuration set: code that declares none
next to its identities does not manage them, and a finding on every
identity there would be noise.

Example (Terraform):

    resource "aws_sesv2_configuration_set" "c" {
      configuration_set_name = "transactional"
    }
    resource "aws_sesv2_email_identity" "d" {
      email_identity = "example.com"
    }

Example (CloudFormation):

    Identity:
      Type: AWS::SES::EmailIdentity
      Properties:
        EmailIdentity: example.com

Fix: set ``configuration_set_name = aws_sesv2_configuration_set.c.configuration_set_name``
(``ConfigurationSetAttributes: {ConfigurationSetName: !Ref ConfigSet}``).
"""

from analyzer.rules import about, place

ID = "SES302"
NAME = "identity-without-configuration-set"
SEVERITY = "low"
TITLE = "Identity has no default configuration set"
TAGS = ("monitoring", "configuration-set")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses302"
SUMMARY = "a v2 identity without a default configuration set, where configuration sets are declared next to it"
FIXES = {
    "default_set": "set configuration_set_name (ConfigurationSetAttributes) to one of your configuration sets.",
}



def check(model, context):
    rule = context.rule(ID)
    places = {place(c) for c in model.configuration_sets}
    for identity in model.identities:
        if identity.api != "v2" or not identity.default_configuration_set.default or place(identity) not in places:
            continue
        name = identity.label
        yield rule.finding_on(
            f"{identity.address}: the identity {name} has no default configuration set, so its sending events "
            "are only published when a sender passes a configuration set on each call.",
            identity, identity=name, **about(identity, "configuration_set_name"),
            fix_title=rule.fix())
