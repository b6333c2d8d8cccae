"""Open and click tracking through a custom domain without HTTPS.

Why: with a custom redirect domain, every tracked link in your mail points
at that domain. With the HTTPS policy ``OPTIONAL``, links and the open
pixel go over plain HTTP: anyone on the recipient's network sees which
messages they read and which links they follow, and can rewrite the
redirect to a phishing page under your domain's name. An HTTPS policy that
depends on an unknown value is not reported.

Example (Terraform):

    resource "aws_sesv2_configuration_set" "c" {
      configuration_set_name = "marketing"
      tracking_options {
        custom_redirect_domain = "track.example.com"
        https_policy           = "OPTIONAL"
      }
    }

Example (CloudFormation):

    ConfigSet:
      Type: AWS::SES::ConfigurationSet
      Properties:
        TrackingOptions:
          CustomRedirectDomain: track.example.com
          HttpsPolicy: OPTIONAL

Fix: serve the tracking domain over HTTPS (a certificate on the
CloudFront distribution in front of it) and set ``https_policy`` to
``REQUIRE``.
"""

from analyzer.rules import about

ID = "SES307"
NAME = "tracking-without-https"
SEVERITY = "low"
TITLE = "Tracking domain allows plain HTTP"
TAGS = ("tls", "tracking")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses307"
SUMMARY = "a configuration set with a custom tracking domain whose HTTPS policy is `OPTIONAL`"
FIXES = {
    "https": "serve the domain over HTTPS and set https_policy (HttpsPolicy) to REQUIRE.",
}


def check(model, context):
    rule = context.rule(ID)
    for config_set in model.configuration_sets:
        domain, policy = config_set.redirect_domain, config_set.https
        if domain.default or not (policy.explicit and policy.value == "optional"):
            continue
        name = config_set.label
        yield rule.finding_on(
            f"{config_set.address}: the configuration set {name} tracks opens and clicks through "
            f"{domain.text_or('a custom domain')} with the HTTPS policy "
            f"{policy.shown()}: links and the open pixel may go over plain HTTP, readable and rewritable on the way.",
            config_set, "https_policy",
            **about(config_set, "tracking_options/https_policy", value=config_set.https_policy),
            fix_title=rule.fix())
