"""A file, module or policy document could not be analyzed.

Why: an input sesguard cannot read is not a clean input. A syntax error,
a bad encoding, a file too large to read safely or a policy that is not
valid JSON would hide exactly the problems this tool looks for, so it is
reported rather than skipped.

Example: a ``.tf`` file with an unclosed block, a policy heredoc that is
not valid JSON, a template file outside the scanned directory.

Fix: correct the input (the message gives the line and column), or exclude
the path from the scan if it is not infrastructure code.
"""

from analyzer.errors import InternalError
from analyzer.model import ERROR, Location
from analyzer.policy.describe import finding_fields, policy_unknowns, subject

ID = "SES001"
NAME = "input-not-analyzed"
SEVERITY = "high"
TITLE = "Input could not be analyzed"
TAGS = ("input",)
NEEDS_DNS = None
MANDATORY = True
ANCHOR = "ses001"
SUMMARY = "a file, module or policy document that could not be parsed or evaluated"


def check(model, context):
    rule = context.rule(ID)
    for problem in model.problems:
        if isinstance(problem, InternalError):
            continue  # sesguard's bug, not the input's: SES002
        yield rule.finding(f"{problem.file}: {problem.message}",
                           Location(problem.file, problem.line, problem.column),
                           resource=problem.address or problem.file, logical_path=problem.message)
    for policy in model.identity_policies:
        document = policy.document
        if document is None:
            continue
        problems = [(p, "policy/") for p in document.problems]
        for statement in document.statements:
            problems += [(f"{statement.label}: {p}", f"policy/{statement.path}") for p in statement.problems]
        for message, where in problems:
            yield rule.finding_on(f"{subject(policy)}: the policy could not be fully analyzed: {message}",
                                  policy, where, **finding_fields(policy, "policy/" + message))
    for policy in model.identity_policies:
        verdict = context.verdict(policy)
        for unknowns, where, path, _ in policy_unknowns(policy, verdict):
            errors = [u for u in unknowns if u.kind == ERROR]
            if errors:
                yield rule.finding_on(
                    f"{subject(policy)}: the policy could not be evaluated: "
                    + "; ".join(dict.fromkeys(u.describe() for u in errors)),
                    policy, where, **finding_fields(policy, path))
