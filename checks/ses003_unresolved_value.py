"""A verdict depends on a value that could not be resolved statically.

Why: sesguard never guesses. When who-can-send depends on a variable without
a value, an attribute known only after apply or a module that was not
downloaded, it cannot say the identity is safe or exposed, and says so here
instead of staying silent.

Example:

    principals {
      type        = "AWS"
      identifiers = var.sender_accounts   # no default, no tfvars
    }

Fix: supply the value (``--var sender_accounts='["111122223333"]'``, a
``--var-file``, a default) or run ``terraform init`` so downloaded modules
can be read, then scan again.
"""

from analyzer.model import display
from analyzer.policy.describe import finding_fields, grant_location, statement_path, subject

ID = "SES003"
NAME = "unresolved-value"
SEVERITY = "info"
TITLE = "A verdict depends on a value that could not be resolved"


def _needs(unknowns) -> str:
    seen = {}
    for unknown in unknowns:
        seen.setdefault(unknown.ref, unknown.describe())
    return "; ".join(seen.values())


def check(model, context):
    rule = context.rule(ID)
    for policy in model.identity_policies:
        who = subject(policy)
        if policy.document_unknown is not None:
            yield rule.finding(
                f"{who}: the policy of {policy.address} cannot be resolved, so who may send as this "
                f"identity is not known: {policy.document_unknown.describe()}.",
                policy.policy_loc or policy.loc, **finding_fields(policy, "policy"))
            continue
        if policy.document is None:
            continue
        verdict = context.verdict(policy)
        if verdict.unknowns:
            yield rule.finding(
                f"{who}: the statements of {policy.address} cannot be resolved: {_needs(verdict.unknowns)}.",
                policy.document.loc or policy.policy_loc or policy.loc, **finding_fields(policy, "policy/Statement"))
        for grant in verdict.grants:
            if not grant.unknowns or grant.public:
                continue
            statement = grant.statement
            refs = ", ".join(dict.fromkeys("${" + u.ref + "}" for u in grant.unknowns))
            yield rule.finding(
                f"{who}: who may send through {statement.label} depends on {refs}, which could not be "
                f"resolved: {_needs(grant.unknowns)}.",
                grant_location(policy, statement),
                details={"statement": statement.sid or statement.index,
                         "unresolved": [u.ref for u in grant.unknowns]},
                **finding_fields(policy, statement_path(statement)))
    for call in model.not_analyzed:
        if not call.ses_related:
            continue
        yield rule.finding(
            f"{call.address} (source {display(call.source)}) may declare SES identities or policies but was "
            f"not analyzed: {call.reason}.",
            call.loc, resource=call.address, logical_path="module")
