"""An IAM policy lets its principals send as any identity of the account.

Why: a role, user or group whose identity-based policy allows
``ses:SendEmail`` (or another send action) on ``Resource: "*"`` or on
``arn:aws:ses:*:*:identity/*`` can send as every verified domain and
address of the account, with its DKIM keys, when it needs one or two. A
compromised application key then becomes a phishing tool that passes SPF,
DKIM and DMARC for all your domains. A ``ses:FromAddress`` condition limits
the addresses instead. Reads ``aws_iam_policy``, ``aws_iam_role_policy``,
``aws_iam_user_policy``, ``aws_iam_group_policy``, the ``inline_policy`` of
``aws_iam_role``, CloudFormation ``AWS::IAM::Policy``,
``AWS::IAM::ManagedPolicy`` and the ``Policies`` of roles, users and
groups, the ``Policies`` of SAM functions (inline and SAM policy
templates), the ``provider.iam.role.statements`` of a Serverless Framework
service, and the same IAM resources in Pulumi YAML. Statements whose
action, or the identity part of whose resource, depends on an unknown value
are not reported; an unknown Region or account
(``arn:aws:ses:${AWS::Region}:${AWS::AccountId}:identity/*``) still spans
every identity. A policy that an unknown key or condition picks from known
documents (``local.policies[var.mode]``, an ``Fn::If`` on a parameter
without a value) is reported when every document has such a statement.

Example (Terraform):

    resource "aws_iam_role_policy" "mailer" {
      role = aws_iam_role.app.id
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "ses:SendEmail", Resource = "*" }]
      })
    }

Example (CloudFormation):

    MailerPolicy:
      Type: AWS::IAM::Policy
      Properties:
        PolicyName: mailer
        Roles: [!Ref AppRole]
        PolicyDocument:
          Statement:
            - Effect: Allow
              Action: ses:SendEmail
              Resource: "*"

Fix: name the identities (``Resource = aws_ses_domain_identity.d.arn``), or
add a ``StringLike ses:FromAddress`` condition listing the sending addresses.
"""

from analyzer.iam import any_identity_resource, limits_from_address, opening_entries, send_grants
from analyzer.policy.describe import actions_phrase
from analyzer.rules import about

ID = "SES110"
NAME = "iam-send-as-any-identity"
SEVERITY = "medium"
TITLE = "IAM policy allows sending as any identity"
TAGS = ("iam",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses110"
SUMMARY = ('an identity-based IAM policy allows a send action on every identity (`Resource: "*"`, `identity/*`) '
           'without a `ses:FromAddress` condition')
FIXES = {
    "resource": ("list the identity ARNs the principal sends as in Resource, or add a StringLike ses:FromAddress "
                 "condition."),
}


def check(model, context):
    rule = context.rule(ID)
    for policy in model.iam_policies:
        for grant in send_grants(policy, _opens_every_identity):
            statement = grant.statement
            resource = any_identity_resource(statement)
            scope = "every resource but the ones NotResource lists" if resource == "NotResource" \
                else f"Resource {resource!r}"
            note = f" The policy {grant.note}." if grant.note else ""
            yield rule.finding_on(
                f"{policy.address}: {statement.label} allows {actions_phrase(grant.actions)} on {scope}, so "
                f"whoever holds this policy can send as every identity of the account, with its DKIM keys.{note}",
                policy, f"policy/{statement.path}", fix_title=rule.fix(),
                details={"statement": statement.sid or statement.index, "actions": list(grant.actions)},
                **about(policy, f"policy/Statement[{statement.sid or statement.index}]/Resource",
                        values=[entry for st in (statement, *grant.elsewhere) for entry in opening_entries(st)]))


def _opens_every_identity(statement) -> bool:
    return any_identity_resource(statement) is not None and not limits_from_address(statement)
