"""A long-lived access key for an IAM user that may send mail.

Why: SES SMTP credentials are an IAM user's access key: they never expire,
end up in application configuration, mail relays and CI variables, and
anyone who finds them can send as your identities until someone rotates
them by hand. Reported for an ``aws_iam_access_key`` (CloudFormation
``AWS::IAM::AccessKey``) whose user is given a send action by a policy in
the scan: its own inline policy, a policy naming it, or a managed policy
attached to it in the same module or template. Group memberships are not
followed. A policy that an unknown key or condition picks from known
documents counts when every document lets the user send.

Example (Terraform):

    resource "aws_iam_user" "smtp" {
      name = "smtp"
    }
    resource "aws_iam_user_policy" "smtp" {
      user   = aws_iam_user.smtp.name
      policy = jsonencode({
        Statement = [{ Effect = "Allow", Action = "ses:SendRawEmail", Resource = "*" }]
      })
    }
    resource "aws_iam_access_key" "smtp" {
      user = aws_iam_user.smtp.name
    }

Example (CloudFormation):

    SmtpKey:
      Type: AWS::IAM::AccessKey
      Properties:
        UserName: !Ref SmtpUser

Fix: send through the SES API with a role (instance profile, task role, IRSA)
and temporary credentials; where SMTP is unavoidable, keep the key in a
secret store and rotate it on a schedule.
"""

from analyzer.iam import send_grants
from analyzer.policy.describe import actions_phrase
from analyzer.rules import about

ID = "SES111"
NAME = "smtp-credentials-long-lived"
SEVERITY = "low"
TITLE = "Long-lived access key for a user that may send"
TAGS = ("iam", "credentials")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses111"
SUMMARY = "an IAM access key (SMTP credentials) for a user that a policy in the scan lets send"
FIXES = {
    "key": ("send through the SES API with a role and temporary credentials; if SMTP is needed, keep the key "
            "in a secret store and rotate it."),
}


def check(model, context):
    rule = context.rule(ID)
    grants = [g for policy in model.iam_policies for g in send_grants(policy)]
    for key in model.access_keys:
        if key.user_name.default:
            continue
        sources = [g for g in grants if any(user == key.user for user in g.policy.users)]
        if not sources:
            continue
        user = key.user_label
        where = ", ".join(dict.fromkeys(f"{g.policy.address} ({actions_phrase(g.actions)})" for g in sources))
        notes = "".join(dict.fromkeys(f" The policy in {g.policy.address} {g.note}." for g in sources if g.note))
        yield rule.finding_on(
            f"{key.address}: a long-lived access key for the IAM user {user}, which may send mail through "
            f"{where}: such keys (SES SMTP credentials) never expire and leak with the configuration they are "
            f"copied into.{notes}",
            key, "user", details={"user": user, "policies": [g.policy.address for g in sources]},
            **about(key, "user"),
            fix_title=rule.fix())
