"""A configuration set that publishes no bounces and complaints.

Why: bounce and complaint rates decide whether SES keeps letting you send;
if nobody sees them rise, the account is put under review or paused before
anyone reacts, and the addresses that bounce keep being mailed. A
configuration set needs an enabled event destination (CloudWatch, Kinesis
Firehose, SNS, EventBridge or Pinpoint) matching at least the bounce and
complaint events. Destinations are read from ``aws_ses_event_destination``,
``aws_sesv2_configuration_set_event_destination`` and
``AWS::SES::ConfigurationSetEventDestination``; an event destination is
disabled unless ``enabled`` says otherwise (the API's default). Not
reported when an unknown value decides whether a destination declared in
the same module directory or template covers the set (elsewhere, only a
known name or a reference links a destination to the set).

Example (Terraform):

    resource "aws_ses_configuration_set" "c" {
      name = "transactional"
    }
    resource "aws_ses_event_destination" "d" {
      name                   = "sns"
      configuration_set_name = aws_ses_configuration_set.c.name
      matching_types         = ["send", "delivery"]
      sns_destination { topic_arn = aws_sns_topic.t.arn }
    }

Example (CloudFormation):

    ConfigSet:
      Type: AWS::SES::ConfigurationSet
      Properties:
        Name: transactional

Fix: add an enabled event destination with ``matching_types = ["bounce",
"complaint"]`` (v2: ``["BOUNCE", "COMPLAINT"]``) and alarm on it.
"""

from analyzer.monitoring import feedback
from analyzer.rules import about, place

ID = "SES303"
NAME = "configuration-set-without-event-destination"
SEVERITY = "medium"
TITLE = "Configuration set publishes no bounce and complaint events"
TAGS = ("monitoring", "configuration-set")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses303"
SUMMARY = "a configuration set without an enabled event destination for bounce and complaint events"
FIXES = {
    "destination": ("add an enabled event destination matching bounce and complaint events (CloudWatch, Firehose, "
                    "SNS, EventBridge or Pinpoint)."),
}


def check(model, context):
    rule = context.rule(ID)
    for config_set in model.configuration_sets:
        published = feedback(config_set, model, place)
        if published.publishes is not False:
            continue  # it publishes them, or an unresolved value decides (SES003 names it)
        name = config_set.label
        found = "its event destinations are disabled or miss bounce or complaint events" if published.weighed \
            else "it has no event destination"
        yield rule.finding_on(
            f"{config_set.address}: the configuration set {name} publishes no bounce and complaint events: "
            f"{found}, so rising rates go unnoticed until SES pauses sending.",
            config_set, **about(config_set, "event_destination"),
            fix_title=rule.fix())
