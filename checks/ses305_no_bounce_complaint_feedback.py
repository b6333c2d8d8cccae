"""A v1 identity whose bounces and complaints go nowhere.

Why: unless bounce and complaint notifications reach a topic, or an event
destination of a configuration set publishes them, they only arrive as
emails to the sender address (or nowhere, with feedback forwarding off), so
nobody removes bouncing addresses and SES pauses the account when the rates
climb. Reported for ``aws_ses_domain_identity`` and
``aws_ses_email_identity`` without an ``aws_ses_identity_notification_topic``
for ``Bounce`` and for ``Complaint``, when no enabled event destination in
the scan publishes both events. Only reported when the Terraform module
directory that declares the identity also declares a configuration set, an
event destination or a notification topic: code that declares none leaves
monitoring to another place, and a finding on every identity there would
be noise.

Example (Terraform):

    resource "aws_ses_domain_identity" "d" {
      domain = "example.com"
    }
    resource "aws_ses_identity_notification_topic" "bounce" {
      identity          = aws_ses_domain_identity.d.domain
      notification_type = "Bounce"
      topic_arn         = aws_sns_topic.feedback.arn
    }

Fix: add an ``aws_ses_identity_notification_topic`` for ``Complaint`` (and
``Bounce``), or publish both events through a configuration set's event
destination.
"""

from analyzer.monitoring import FEEDBACK_EVENTS, names, publishes_feedback
from analyzer.rules import about, place

ID = "SES305"
NAME = "no-bounce-complaint-feedback"
SEVERITY = "low"
TITLE = "Identity sends bounces and complaints nowhere"
TAGS = ("monitoring",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses305"
SUMMARY = ("a v1 identity without notification topics for bounces and complaints, where monitoring is declared "
           "next to it")
FIXES = {
    "topics": ("add an aws_ses_identity_notification_topic for {kinds}, or an event destination for bounce and "
               "complaint events."),
}



def check(model, context):
    if any(publishes_feedback(d) is not False for d in model.event_destinations):
        return
    rule = context.rule(ID)
    places = {place(r) for r in model.configuration_sets + model.event_destinations + model.notification_topics}
    for identity in model.identities:
        if identity.api != "v1" or place(identity) not in places:
            continue
        covered, undecided = set(), False
        for topic in model.notification_topics:
            if topic.identity_address:
                named = topic.identity_address == identity.address
            else:
                named = names(topic.identity, identity, identity.name, model.identities)
            kind = topic.kind
            if named is None or not kind.explicit:
                undecided = undecided or named is not False
                continue
            if named:
                covered.add(kind.value)
        missing = [e for e in FEEDBACK_EVENTS if e not in covered]
        if undecided or not missing:
            continue
        name = identity.label
        kinds = " and ".join(m.capitalize() for m in missing)
        yield rule.finding_on(
            f"{identity.address}: the identity {name} has no notification topic for {kinds}, and no event "
            "destination publishes bounces and complaints, so nobody sees them until SES pauses sending.",
            identity, identity=name, details={"missing": missing}, **about(identity, "notification_topic"),
            fix_title=rule.fix(kinds=kinds))
