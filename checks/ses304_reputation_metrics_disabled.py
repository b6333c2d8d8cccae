"""A configuration set without reputation metrics.

Why: reputation metrics publish the bounce and complaint rates of the mail
sent with a configuration set to CloudWatch, where you can alarm on them
before SES reviews or pauses the account. They are off unless enabled.
Not reported when the setting depends on an unknown value.

Example (Terraform):

    resource "aws_ses_configuration_set" "c" {
      name                       = "transactional"
      reputation_metrics_enabled = false
    }

Example (CloudFormation):

    ConfigSet:
      Type: AWS::SES::ConfigurationSet
      Properties:
        ReputationOptions:
          ReputationMetricsEnabled: false

Fix: ``reputation_metrics_enabled = true`` (v1),
``reputation_options { reputation_metrics_enabled = true }`` (v2),
``ReputationOptions: {ReputationMetricsEnabled: true}``.
"""

from analyzer.rules import about

ID = "SES304"
NAME = "reputation-metrics-disabled"
SEVERITY = "low"
TITLE = "Configuration set has reputation metrics off"
TAGS = ("monitoring", "configuration-set")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses304"
SUMMARY = "a configuration set with reputation metrics off"
FIXES = {
    "metrics": ("enable reputation metrics (reputation_metrics_enabled, "
                "ReputationOptions.ReputationMetricsEnabled)."),
}


def check(model, context):
    rule = context.rule(ID)
    for config_set in model.configuration_sets:
        enabled = config_set.metrics_enabled
        if enabled.default:
            written = "does not enable reputation metrics (they are off by default)"
        elif enabled.is_(False):
            written = "turns reputation metrics off"
        else:
            continue
        name = config_set.label
        yield rule.finding_on(
            f"{config_set.address}: the configuration set {name} {written}, so its bounce and complaint rates "
            "reach no CloudWatch alarm.",
            config_set, "reputation_metrics", **about(config_set, "reputation_metrics_enabled"),
            fix_title=rule.fix())
