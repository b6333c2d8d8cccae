"""A verdict depends on a value that could not be resolved statically.

Why: sesguard never guesses. When who-can-send depends on a variable without
a value, an attribute known only after apply or a module that was not
downloaded, it cannot say the identity is safe or exposed, and says so here
instead of staying silent.

Example (Terraform):

    principals {
      type        = "AWS"
      identifiers = var.sender_accounts   # no default, no tfvars
    }

Example (CloudFormation): a principal from a parameter without a default
(``Principal: {AWS: !Ref SenderAccount}``), or from ``Fn::ImportValue``.

Fix: supply the value (``--var sender_accounts='["111122223333"]'``, a
``--var-file``, a default; ``--cfn-parameter SenderAccount=111122223333``
for CloudFormation) or run ``terraform init`` so downloaded modules can be
read, then scan again.
"""

from analyzer.model import ERROR, display
from analyzer.policy.describe import finding_fields, policy_unknowns, subject

ID = "SES003"
NAME = "unresolved-value"
SEVERITY = "info"
TITLE = "A verdict depends on a value that could not be resolved"
TAGS = ("input", "policy")
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses003"
SUMMARY = "a verdict depends on a value that could not be resolved statically"


def check(model, context):
    rule = context.rule(ID)
    for policy in model.identity_policies:
        verdict = context.verdict(policy) if policy.document is not None else None
        for unknowns, location, path, statement in policy_unknowns(policy, verdict):
            unresolved = [u for u in unknowns if u.kind != ERROR]
            if not unresolved or len(unresolved) < len(unknowns):
                continue  # an expression that failed is SES001's
            needs = "; ".join(dict.fromkeys(u.describe() for u in unresolved))
            refs = ", ".join(dict.fromkeys("${" + u.ref + "}" for u in unresolved))
            what = f"who may send through {statement.label}" if statement else "who may send as this identity"
            yield rule.finding(
                f"{subject(policy)}: {what} depends on {refs}, which could not be resolved: {needs}.",
                location, details={"unresolved": [u.ref for u in unresolved]},
                **finding_fields(policy, path))
    for call in model.not_analyzed:
        if not call.ses_related:
            continue
        yield rule.finding(
            f"{call.address} (source {display(call.source)}) may declare SES identities or policies but was "
            f"not analyzed: {call.reason}.",
            call.loc, resource=call.address, logical_path="module")
