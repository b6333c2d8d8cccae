"""Anyone can send email as this SES identity.

Why: a sending-authorization policy whose statement admits any AWS account
(``"*"``, ``{"AWS": "*"}``, a wildcard account in an ARN, a ``NotPrincipal``
in an ``Allow``) and no condition that narrows the callers lets every AWS
customer send mail as your domain or address, signed with your DKIM keys and
passing your SPF and DMARC. Conditions on the message (``ses:FromAddress``,
``ses:Recipients``) or on transport do not narrow who calls; network
conditions (``aws:SourceIp``) limit where from, not who.

Example (Terraform):

    data "aws_iam_policy_document" "p" {
      statement {
        actions   = ["ses:SendEmail", "ses:SendRawEmail"]
        resources = [aws_ses_domain_identity.d.arn]
        principals {
          type        = "AWS"
          identifiers = ["*"]
        }
      }
    }

Example (CloudFormation, with cfn-ses-provider):

    Policy:
      Type: Custom::IdentityPolicy
      Properties:
        Identity: !Ref Identity
        PolicyName: open
        PolicyDocument:
          Statement:
            - Effect: Allow
              Principal: "*"
              Action: ses:SendEmail
              Resource: "*"

Fix: name the accounts or roles that may send (``identifiers =
["arn:aws:iam::111122223333:role/mailer"]``), or keep ``*`` and add a
condition that names them, such as ``StringEquals aws:PrincipalOrgID`` or
``aws:PrincipalAccount``.
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

ID = "SES101"
NAME = "identity-policy-public"
SEVERITY = "critical"
TITLE = "Identity policy lets anyone send as the identity"
TAGS = ("policy",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses101"
SUMMARY = "a statement lets anyone send as the identity (high when only a network condition limits it)"
FIXES = {
    "principals": ("name the trusted accounts or roles as principals, or add a StringEquals aws:PrincipalOrgID / "
                   "aws:PrincipalAccount condition."),
}


def check(model, context):
    rule = context.rule(ID)
    for policy, verdict, grant in context.grants(model):
        if not grant.public:
            continue
        statement = grant.statement
        severity = "high" if grant.network else SEVERITY
        network = ""
        if grant.network:
            names = ", ".join(f"{c.operator} {c.key}" for c in grant.network)
            network = (f" The network condition ({names}) limits where calls come from, "
                       "not who makes them.")
        message = (f"{subject(policy)}: {statement.label} lets {grant.admitted} send "
                   f"{actions_phrase(grant.actions)} as this identity, with no condition that narrows "
                   f"the callers.{network}{ignored_phrase(grant)}{notes_phrase(grant, verdict)}")
        yield rule.finding_on(message, policy, grant_path(statement), severity=severity, fix_title=rule.fix(),
                           details={"statement": statement.sid or statement.index,
                                    "actions": list(grant.actions)},
                           **finding_fields(policy, statement_path(statement) + "/Principal", statement,
                                            grant.elsewhere))
