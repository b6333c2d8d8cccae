"""A suppression gives no reason, suppresses nothing, or has expired.

Why: a suppression is a reviewed decision; without a reason nobody can
review it again, one that matches nothing hides the next real finding that
lands on its line, and an expired one (``until=``) means the exception it
granted is over: the finding is reported again.

Example:

    # sesguard:ignore SES101
    resource "aws_ses_identity_policy" "open" { ... }

Fix: write why after the rule id (``# sesguard:ignore SES101 partners send
through their own accounts until the migration``), remove suppressions that
no longer match, and renew or remove expired ones.
"""

ID = "SES004"
NAME = "invalid-suppression"
SEVERITY = "low"
TITLE = "Suppression without a reason, unused, or expired"
TAGS = ("suppression",)
NEEDS_DNS = None
MANDATORY = False
ANCHOR = "ses004"
SUMMARY = "a suppression without a reason, one that suppresses nothing, or an expired one"


def check(model, context):
    """Suppressions are matched with the findings by the engine (``analyzer.suppress``), which reports them."""
    return ()
