"""A configuration set that delivers mail without requiring TLS.

Why: with the TLS policy ``Optional`` (the default), SES falls back to
plain text when the receiving server does not offer TLS, or when an attacker
on the path strips STARTTLS: the message crosses the internet readable and
changeable. ``Require`` makes SES retry and then bounce rather than deliver
in clear. The v1 API writes ``Require``/``Optional``, v2 and CloudFormation
``REQUIRE``/``OPTIONAL``; both are compared ignoring case. A policy that
depends on an unknown value is not reported.

Example (Terraform):

    resource "aws_ses_configuration_set" "c" {
      name = "transactional"
      delivery_options {
        tls_policy = "Optional"
      }
    }

Example (CloudFormation):

    ConfigSet:
      Type: AWS::SES::ConfigurationSet
      Properties:
        Name: transactional
        DeliveryOptions:
          TlsPolicy: OPTIONAL

Fix: set ``delivery_options { tls_policy = "Require" }`` (v1),
``tls_policy = "REQUIRE"`` (v2) or ``DeliveryOptions: {TlsPolicy: REQUIRE}``.
"""

from analyzer.rules import about

ID = "SES301"
NAME = "configuration-set-tls-optional"
SEVERITY = "medium"
TITLE = "Configuration set does not require TLS for delivery"
TAGS = ("tls", "configuration-set")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses301"
SUMMARY = "a configuration set whose delivery TLS policy is missing or `Optional`"
FIXES = {
    "tls": "set the delivery TLS policy to Require (REQUIRE in SESv2 and CloudFormation).",
}


def check(model, context):
    rule = context.rule(ID)
    for config_set in model.configuration_sets:
        tls = config_set.tls
        if tls.default:
            problem = "sets no delivery TLS policy, so the default Optional applies"
        elif tls.is_("optional"):
            problem = f"sets the delivery TLS policy {tls.shown()}"
        else:
            continue
        name = config_set.label
        yield rule.finding_on(
            f"{config_set.address}: the configuration set {name} {problem}: SES delivers in plain text when the "
            "receiving server offers no TLS or an attacker strips it.",
            config_set, "tls_policy",
            **about(config_set, "delivery_options/tls_policy", value=config_set.tls_policy),
            fix_title=rule.fix())
