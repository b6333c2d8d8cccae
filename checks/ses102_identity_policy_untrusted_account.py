"""An account or organization you have not declared trusted can send as this identity.

Why: a sending-authorization grant to another account lets everyone with
send permission in that account mail as your domain. That is the purpose of
cross-account sending, but only for accounts you meant: a typo in an account
id, a grant left behind after a vendor was replaced, or an organization
condition naming someone else's organization all hand your domain's
reputation to a stranger.

Example (Terraform):

    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }

Example (CloudFormation, in a Custom::IdentityPolicy PolicyDocument):

    Statement:
      - Effect: Allow
        Principal: {AWS: "arn:aws:iam::444455556666:root"}
        Action: ses:SendRawEmail
        Resource: "*"

Fix: if the account is yours or a partner's you trust, declare it with
``--trusted-account 444455556666`` (or ``--trusted-org o-...`` for an
organization); otherwise remove it from the policy.
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

ID = "SES102"
NAME = "identity-policy-untrusted-account"
SEVERITY = "high"
TITLE = "Identity policy lets an untrusted account or organization send as the identity"
TAGS = ("policy",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses102"
SUMMARY = ("a statement lets an account or organization that is not trusted send (medium when no trusted account"
           " was configured)")
FIXES = {
    "untrusted": "remove them from the policy, or declare them with --trusted-account / --trusted-org.",
    "no_trust": "declare your accounts with --trusted-account ID (or --trusted-org o-...) if this grant is intended.",
}


def check(model, context):
    rule = context.rule(ID)
    configured = context.trust.configured
    for policy, verdict, grant in context.grants(model):
        if grant.public or not grant.untrusted:
            continue
        statement = grant.statement
        entities = ", ".join(grant.untrusted)
        unconfigured = "" if configured else (" No trusted account was configured, so every account but the owner "
                                               "counts as untrusted.")
        message = (f"{subject(policy)}: {statement.label} lets {entities} send "
                   f"{actions_phrase(grant.actions)} as this identity.{ignored_phrase(grant)}"
                   f"{notes_phrase(grant, verdict)}{unconfigured}")
        yield rule.finding_on(message, policy, grant_path(statement),
                           fix_title=rule.fix("untrusted" if configured else "no_trust"),
                           severity=SEVERITY if configured else "medium",
                           details={"statement": statement.sid or statement.index,
                                    "untrusted": list(grant.untrusted)},
                           **finding_fields(policy, statement_path(statement) + "/Principal", statement))
