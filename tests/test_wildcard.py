"""IAM wildcard matching: only ``*`` and ``?`` are special, case is ignored."""

import pytest

from analyzer.policy.wildcard import SEND_ACTIONS, iam_match

CASES = [
    # (id, pattern, text, expected)
    ("exact", "ses:SendEmail", "ses:SendEmail", True),
    ("exact-other", "ses:SendEmail", "ses:SendRawEmail", False),
    ("case-upper-pattern", "SES:SENDEMAIL", "ses:SendEmail", True),
    ("case-lower-pattern", "ses:sendemail", "ses:SendEmail", True),
    ("case-mixed-star", "SeS:sEnD*", "ses:SendBulkEmail", True),
    ("star-alone", "*", "ses:SendEmail", True),
    ("star-empty-text", "*", "", True),
    ("star-matches-empty", "ses:SendEmail*", "ses:SendEmail", True),
    ("star-prefix", "ses:Send*", "ses:SendRawEmail", True),
    ("star-prefix-miss", "ses:Send*", "ses:GetSendQuota", False),
    ("star-service", "ses:*", "ses:SendTemplatedEmail", True),
    ("star-other-service", "ec2:*", "ses:SendEmail", False),
    ("star-middle", "ses:Send*Email", "ses:SendBulkTemplatedEmail", True),
    ("star-middle-miss", "ses:Send*Quota", "ses:SendEmail", False),
    ("star-leading", "*Email", "ses:SendRawEmail", True),
    ("stars-adjacent", "ses:**Email", "ses:SendEmail", True),
    ("stars-overlap", "a*a", "a", False),
    ("stars-overlap-ok", "a*a", "aa", True),
    ("stars-backtrack", "*ab*ab", "abxabab", True),
    ("stars-order", "*b*a", "ab", False),
    ("question-one", "ses:Send?mail", "ses:SendEmail", True),
    ("question-not-zero", "ses:SendEmail?", "ses:SendEmail", False),
    ("question-not-two", "ses:Send?mail", "ses:SendRawEmail", False),
    ("question-all", "???", "abc", True),
    ("question-middle-piece", "*a?c*", "xxabcxx", True),
    ("question-middle-piece-miss", "*a?c*", "xxacxx", False),
    ("question-in-suffix", "*E?ail", "ses:SendEmail", True),
    ("brackets-literal", "ses:Send[E]mail", "ses:SendEmail", False),
    ("brackets-literal-match", "ses:Send[E]mail", "ses:Send[e]mail", True),
    ("dot-literal", "ses.Send*", "sesxSendEmail", False),
    ("plus-literal", "a+", "aa", False),
    ("empty-pattern", "", "", True),
    ("empty-pattern-text", "", "a", False),
    ("newline-question", "a?b", "a\nb", True),
    ("prefix-suffix-overlap", "ab*ba", "aba", False),
]


@pytest.mark.parametrize("pattern,text,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_iam_match(pattern, text, expected):
    assert iam_match(pattern, text) is expected


HOSTILE = [
    ("many-stars", "a*" * 5000 + "b", "a" * 5000, False),
    ("many-stars-match", "a*" * 5000 + "b", "a" * 5000 + "b", True),
    ("long-piece-after-star", "*" + "a" * 2500 + "b", "a" * 5000, False),
    ("question-pieces", "*" + "?a" * 2500 + "b", "a" * 5000, False),
    ("many-question-stars", "*?" * 3000 + "b", "a" * 5000 + "b", True),
    ("many-question-stars-miss", "*?" * 6000, "a" * 5000, False),
]


@pytest.mark.parametrize("pattern,text,expected", [c[1:] for c in HOSTILE], ids=[c[0] for c in HOSTILE])
def test_hostile_patterns_finish(pattern, text, expected):
    assert iam_match(pattern, text) is expected


def test_send_actions():
    assert SEND_ACTIONS == ("ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail",
                            "ses:SendBulkTemplatedEmail", "ses:SendBulkEmail")
