"""A rule raised an error; its verdict on this scan is missing.

Why: a crashed check must never look like a clean result. The engine runs
every other rule, and reports the crash with the rule id and the error so
it can be reported upstream; a loader that crashes on one file (a template,
a plan, a zone file, a module) is reported on that file, and the other
files are still read. The traceback is in the finding's details (JSON
``details.traceback``).

Example: an internal error in a rule on an unusual policy shape, or in the
CloudFormation loader on an unusual template.

Fix: report it with the message and the input that triggers it; until it is
fixed, review the resources that rule covers by hand.
"""

ID = "SES002"
NAME = "rule-crashed"
SEVERITY = "high"
TITLE = "A rule crashed"
TAGS = ("internal",)
NEEDS_DNS = None
MANDATORY = True
ANCHOR = "ses002"
SUMMARY = "a rule raised an error; the other rules still ran"

from analyzer.errors import InternalError
from analyzer.model import Location


def check(model, context):
    """The loaders' crashes, recorded on the file they were reading; the
    rules' crashes are reported by the engine, which runs the rules."""
    rule = context.rule(ID)
    for problem in model.problems:
        if isinstance(problem, InternalError):
            yield rule.finding(f"{problem.file}: {problem.message}", Location(problem.file, problem.line,
                                                                             problem.column),
                               resource=problem.file, logical_path="loader", details={"traceback": problem.traceback})
