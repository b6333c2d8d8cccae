"""The rendered message and fix of every fixture finding, held in
tests/snapshots/messages.txt: a change to what a rule says shows in the
diff of that file. Regenerate with ``python -m analyzer.devtools.messages``."""

from analyzer.devtools import messages
from analyzer.findings import Finding
from conftest import FIXTURES, REPO

SNAPSHOT = REPO / "tests" / "snapshots" / "messages.txt"


def test_messages_match_the_reviewed_snapshot():
    assert SNAPSHOT.read_text(encoding="utf-8") == messages.render(FIXTURES), \
        f"a message changed: run {messages.COMMAND} and review the diff of {SNAPSHOT.name}"


def test_the_fix_is_a_field_of_its_own_and_rendered_after_the_message():
    finding = Finding("SES301", "configuration-set-tls-optional", "medium", "the set does not require TLS.", None,
                      fix_title="set the delivery TLS policy to Require.")
    assert finding.text == "the set does not require TLS. Fix: set the delivery TLS policy to Require."
    assert Finding("SES301", "x-y", "medium", "no fix known.", None).text == "no fix known."


def test_converted_rules_keep_the_fix_out_of_the_message():
    lines = SNAPSHOT.read_text(encoding="utf-8").splitlines()
    pasted = {lines[number - 1].split()[0] for number, line in enumerate(lines)
              if line.startswith("  message: ") and " Fix: " in line}
    assert pasted == set(), pasted
    assert any(line.startswith("  fix: ") for line in lines)
