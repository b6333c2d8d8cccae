"""A rule raised an error; its verdict on this scan is missing.

Why: a crashed check must never look like a clean result. The engine runs
every other rule, and reports the crash with the rule id and the error so
it can be reported upstream.

Example: an internal error in a rule on an unusual policy shape.

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
ANCHOR = "ses002-rule-crashed"
SUMMARY = "a rule raised an error; the other rules still ran"


def check(model, context):
    """Crashes are reported by the engine (``analyzer.engine``), which runs the rules."""
    return ()
