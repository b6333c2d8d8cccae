"""A service principal can send as this identity on behalf of any of its customers.

Why: when a policy grants an AWS service (``pinpoint.amazonaws.com``,
``cognito-idp.amazonaws.com``...) without an ``aws:SourceAccount``,
``aws:SourceArn`` or ``aws:SourceOrgID`` condition, the service will send as
your identity when *any* of its customers asks it to: the confused deputy
problem.

Example (Terraform, inside jsonencode):

    Principal = { Service = "pinpoint.amazonaws.com" }
    Action    = "ses:SendEmail"

Example (CloudFormation, in a Custom::IdentityPolicy PolicyDocument):

    Principal: {Service: pinpoint.amazonaws.com}
    Action: ses:SendEmail

Fix: add ``StringEquals aws:SourceAccount = <your account>`` and, where the
service supports it, ``ArnLike aws:SourceArn`` naming your resource.
"""

from analyzer.policy.describe import (
    actions_phrase,
    finding_fields,
    grant_path,
    subject,
    ignored_phrase,
    notes_phrase,
    statement_path,
)

ID = "SES103"
NAME = "identity-policy-service-without-source"
SEVERITY = "medium"
TITLE = "Service principal may send without a source account or ARN condition"
TAGS = ("policy",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses103"
SUMMARY = ("a service principal may send without `aws:SourceAccount` / `aws:SourceArn` / `aws:SourceOrgID` "
           "(confused deputy)")
FIXES = {
    "source": ("add a StringEquals aws:SourceAccount condition with your account, or ArnLike aws:SourceArn "
               "naming your resource."),
}


def check(model, context):
    rule = context.rule(ID)
    for policy, verdict, grant in context.grants(model):
        if grant.public or not grant.services_without_source:
            continue
        statement = grant.statement
        services = ", ".join(grant.services_without_source)
        message = (f"{subject(policy)}: {statement.label} lets the service {services} send "
                   f"{actions_phrase(grant.actions)} as this identity for any of its customers "
                   f"(confused deputy).{ignored_phrase(grant)}{notes_phrase(grant, verdict)}")
        yield rule.finding_on(message, policy, grant_path(statement), fix_title=rule.fix(),
                           details={"statement": statement.sid or statement.index,
                                    "services": list(grant.services_without_source)},
                           **finding_fields(policy, statement_path(statement) + "/Principal", statement,
                                            grant.elsewhere))
