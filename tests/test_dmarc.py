"""DMARC (RFC 7489, RFC 9989): each row is a record and the exact problems
it has, as (rule, severity, code): the facts of analyzer.dns.dmarc with the
judgment of the rules that report them (checks/ses231-233)."""

import pytest

from analyzer.dns import dmarc
from analyzer.dns.dmarc import check, check_name, is_dmarc, parse, policy
from analyzer.dns.spf import Problem
from checks import ses231_dmarc_not_enforced as ses231
from checks import ses232_dmarc_invalid as ses232
from checks import ses233_dmarc_no_reports as ses233

ENFORCE = ("SES231", "medium")
INVALID = ("SES232", "high")
INVALID_LOW = ("SES232", "low")
NOTE = ("SES232", "info")
NO_REPORTS = ("SES233", "low")

RUA = "rua=mailto:d@example.com"


def keys(problems):
    """The problems as a sorted list of (rule, severity, code): a multiset, compared exactly."""
    return sorted(judged(p) for p in problems)


def judged(problem):
    """The rule that reports a problem of this aspect, and its severity."""
    if problem.aspect == dmarc.VALIDITY:
        return (ses232.ID, ses232.severity(problem), problem.code)
    rule = {dmarc.ENFORCEMENT: ses231, dmarc.REPORTING: ses233}[problem.aspect]
    return (rule.ID, rule.SEVERITY, problem.code)


def rows(*codes):
    return sorted(kind + (code,) for kind, code in codes)


CHECK_CASES = [
    # (id, record, keyword arguments, expected)
    ("clean-reject", f"v=DMARC1; p=reject; {RUA}", {}, []),
    ("clean-quarantine", f"v=DMARC1; p=quarantine; {RUA}; ruf=mailto:f@example.com; fo=1", {}, []),
    ("clean-spaces-and-case", "V = DMARC1 ; P = Reject ; RUA = mailto:d@example.com ;", {}, []),
    ("clean-tabs", f"v=DMARC1;\tp=reject;\t{RUA}", {}, []),
    ("clean-alignment", f"v=DMARC1; p=reject; adkim=s; aspf=r; {RUA}", {}, []),
    ("clean-two-rua", "v=DMARC1; p=reject; rua=mailto:a@example.com, mailto:b@example.net", {}, []),
    ("clean-encoded-address", "v=DMARC1; p=reject; rua=mailto:d%2Bdmarc@example.com", {}, []),
    ("clean-fo-list", f"v=DMARC1; p=reject; {RUA}; ruf=mailto:f@example.com; fo=1 : d:S", {}, []),
    ("p-none", f"v=DMARC1; p=none; {RUA}", {}, rows((ENFORCE, "p-none"))),
    ("p-none-upper", f"v=DMARC1; p=NONE; {RUA}", {}, rows((ENFORCE, "p-none"))),
    ("no-rua", "v=DMARC1; p=reject", {}, rows((NO_REPORTS, "no-rua"))),
    ("no-rua-only-ruf", "v=DMARC1; p=reject; ruf=mailto:f@example.com", {}, rows((NO_REPORTS, "no-rua"))),
    ("bad-version-case", f"v=dmarc1; p=reject; {RUA}", {}, rows((INVALID, "bad-version"))),
    ("bad-version-number", f"v=DMARC2; p=reject; {RUA}", {}, rows((INVALID, "bad-version"))),
    ("version-not-first", f"p=reject; v=DMARC1; {RUA}", {}, rows((INVALID, "version-not-first"))),
    ("version-missing", f"p=reject; {RUA}", {}, rows((INVALID, "version-not-first"))),
    ("spf-record", "v=spf1 -all", {},
     rows((INVALID, "bad-version"), (INVALID, "missing-p"), (ENFORCE, "p-none"), (NO_REPORTS, "no-rua"))),
    ("bad-p", f"v=DMARC1; p=block; {RUA}", {}, rows((INVALID, "bad-p"), (ENFORCE, "p-none"))),
    ("bad-sp-voids-policy", f"v=DMARC1; p=reject; sp=maybe; {RUA}", {}, rows((INVALID, "bad-sp"), (ENFORCE, "p-none"))),
    ("bad-np-voids-policy", f"v=DMARC1; p=reject; np=maybe; {RUA}", {},
     rows((INVALID, "bad-np"), (NOTE, "added-in-rfc9989"), (ENFORCE, "p-none"))),
    ("missing-p-with-rua", f"v=DMARC1; {RUA}", {}, rows((INVALID, "missing-p"), (ENFORCE, "p-none"))),
    ("missing-p-without-rua", "v=DMARC1", {}, rows((INVALID, "missing-p"), (ENFORCE, "p-none"), (NO_REPORTS, "no-rua"))),
    ("missing-p-bad-rua", "v=DMARC1; rua=nobody", {}, rows((INVALID, "missing-p"), (INVALID, "bad-rua"), (ENFORCE, "p-none"))),
    ("bad-adkim", f"v=DMARC1; p=reject; adkim=x; {RUA}", {}, rows((INVALID, "bad-adkim"))),
    ("bad-aspf", f"v=DMARC1; p=reject; aspf=relaxed; {RUA}", {}, rows((INVALID, "bad-aspf"))),
    ("pct-100", f"v=DMARC1; p=reject; pct=100; {RUA}", {}, rows((NOTE, "removed-in-rfc9989"))),
    ("pct-50", f"v=DMARC1; p=reject; pct=50; {RUA}", {}, rows((ENFORCE, "pct-partial"), (NOTE, "removed-in-rfc9989"))),
    ("pct-0", f"v=DMARC1; p=quarantine; pct=0; {RUA}", {}, rows((ENFORCE, "pct-partial"), (NOTE, "removed-in-rfc9989"))),
    ("pct-with-p-none", f"v=DMARC1; p=none; pct=50; {RUA}", {}, rows((ENFORCE, "p-none"), (NOTE, "removed-in-rfc9989"))),
    ("pct-101", f"v=DMARC1; p=reject; pct=101; {RUA}", {}, rows((INVALID, "bad-pct"), (NOTE, "removed-in-rfc9989"))),
    ("pct-not-integer", f"v=DMARC1; p=reject; pct=50%; {RUA}", {}, rows((INVALID, "bad-pct"), (NOTE, "removed-in-rfc9989"))),
    ("pct-negative", f"v=DMARC1; p=reject; pct=-1; {RUA}", {}, rows((INVALID, "bad-pct"), (NOTE, "removed-in-rfc9989"))),
    ("fo-bad", f"v=DMARC1; p=reject; {RUA}; fo=2", {}, rows((INVALID, "bad-fo"))),
    ("fo-comma", f"v=DMARC1; p=reject; {RUA}; fo=0,1", {}, rows((INVALID, "bad-fo"))),
    ("rf-afrf", f"v=DMARC1; p=reject; {RUA}; rf=afrf", {}, rows((NOTE, "removed-in-rfc9989"))),
    ("rf-iodef", f"v=DMARC1; p=reject; {RUA}; rf=iodef", {}, rows((INVALID, "bad-rf"), (NOTE, "removed-in-rfc9989"))),
    ("ri-day", f"v=DMARC1; p=reject; {RUA}; ri=86400", {}, rows((NOTE, "removed-in-rfc9989"))),
    ("ri-units", f"v=DMARC1; p=reject; {RUA}; ri=1d", {}, rows((INVALID, "bad-ri"), (NOTE, "removed-in-rfc9989"))),
    ("ri-over-32-bits", f"v=DMARC1; p=reject; {RUA}; ri=4294967296", {}, rows((INVALID, "bad-ri"), (NOTE, "removed-in-rfc9989"))),
    ("all-removed-tags", f"v=DMARC1; p=reject; {RUA}; pct=100; rf=afrf; ri=3600", {},
     rows((NOTE, "removed-in-rfc9989"), (NOTE, "removed-in-rfc9989"), (NOTE, "removed-in-rfc9989"))),
    ("rua-no-scheme", "v=DMARC1; p=reject; rua=d@example.com", {}, rows((INVALID, "bad-rua"))),
    ("rua-not-address", "v=DMARC1; p=reject; rua=mailto:dmarc-reports", {}, rows((INVALID, "bad-rua"))),
    ("rua-no-domain-dot", "v=DMARC1; p=reject; rua=mailto:d@localhost", {}, rows((INVALID, "bad-rua"))),
    ("rua-space-inside", "v=DMARC1; p=reject; rua=mailto:d @example.com", {}, rows((INVALID, "bad-rua"))),
    ("rua-one-bad-of-two", "v=DMARC1; p=reject; rua=mailto:a@example.com,mailto:b@", {}, rows((INVALID, "bad-rua"))),
    ("rua-empty-item", "v=DMARC1; p=reject; rua=mailto:a@example.com,", {}, rows((INVALID, "bad-rua"))),
    ("rua-size", "v=DMARC1; p=reject; rua=mailto:d@example.com!10m", {}, rows((NOTE, "size-limit-obsolete"))),
    ("rua-size-plain", "v=DMARC1; p=reject; rua=mailto:d@example.com!50000", {}, rows((NOTE, "size-limit-obsolete"))),
    ("rua-size-bad-unit", "v=DMARC1; p=reject; rua=mailto:d@example.com!10x", {}, rows((INVALID, "bad-rua"))),
    ("rua-size-over-64-bits", "v=DMARC1; p=reject; rua=mailto:d@example.com!18446744073709551616", {}, rows((INVALID, "bad-rua"))),
    ("rua-https", "v=DMARC1; p=reject; rua=https://example.com/dmarc", {}, rows((NOTE, "uri-scheme"))),
    ("rua-empty", "v=DMARC1; p=reject; rua=", {}, rows((INVALID, "syntax"), (NO_REPORTS, "no-rua"))),
    ("ruf-bad", f"v=DMARC1; p=reject; {RUA}; ruf=mailto:@example.com", {}, rows((INVALID, "bad-ruf"))),
    ("duplicate-tag", f"v=DMARC1; p=reject; p=none; {RUA}", {}, rows((INVALID, "duplicate-tag"))),
    ("duplicate-version", f"v=DMARC1; p=reject; {RUA}; v=DMARC1", {}, rows((INVALID, "duplicate-tag"))),
    ("not-a-tag", f"v=DMARC1; p=reject; {RUA}; reject", {}, rows((INVALID, "syntax"))),
    ("tag-name-not-alpha", f"v=DMARC1; p=reject; {RUA}; x-y=1", {}, rows((INVALID, "syntax"))),
    ("non-ascii-value", f"v=DMARC1; p=réject; {RUA}", {}, rows((INVALID, "syntax"), (INVALID, "missing-p"), (ENFORCE, "p-none"))),
    ("empty-tag", f"v=DMARC1; p=reject;; {RUA}", {}, rows((INVALID_LOW, "empty-tag"))),
    ("unknown-tag", f"v=DMARC1; p=reject; {RUA}; foo=bar", {}, rows((NOTE, "unknown-tag"))),
    ("strict-spf-custom-mail-from", f"v=DMARC1; p=reject; aspf=s; {RUA}", {"custom_mail_from": True},
     rows((INVALID, "strict-spf-alignment"))),
    ("strict-spf-upper-custom-mail-from", f"v=DMARC1; p=reject; aspf=S; {RUA}", {"custom_mail_from": True},
     rows((INVALID, "strict-spf-alignment"))),
    ("strict-spf-default-mail-from", f"v=DMARC1; p=reject; aspf=s; {RUA}", {}, []),
    ("relaxed-spf-custom-mail-from", f"v=DMARC1; p=reject; aspf=r; {RUA}", {"custom_mail_from": True}, []),
    ("strict-dkim-custom-mail-from", f"v=DMARC1; p=reject; adkim=s; {RUA}", {"custom_mail_from": True}, []),
    ("subdomain-sp-none", f"v=DMARC1; p=reject; sp=none; {RUA}", {"subdomain": True}, rows((ENFORCE, "sp-none"))),
    ("subdomain-inherits-p-none", f"v=DMARC1; p=none; {RUA}", {"subdomain": True}, rows((ENFORCE, "sp-none"))),
    ("subdomain-sp-reject-over-p-none", f"v=DMARC1; p=none; sp=reject; {RUA}", {"subdomain": True}, []),
    ("subdomain-inherits-p-reject", f"v=DMARC1; p=reject; {RUA}", {"subdomain": True}, []),
    ("subdomain-invalid-sp", f"v=DMARC1; p=reject; sp=nope; {RUA}", {"subdomain": True},
     rows((INVALID, "bad-sp"), (ENFORCE, "sp-none"))),
    ("domain-sp-none-not-applicable", f"v=DMARC1; p=reject; sp=none; {RUA}", {}, []),
    ("subdomain-np-none", f"v=DMARC1; p=reject; np=none; {RUA}", {"subdomain": True},
     rows((ENFORCE, "np-none"), (NOTE, "added-in-rfc9989"))),
    ("subdomain-np-reject", f"v=DMARC1; p=reject; np=reject; {RUA}", {"subdomain": True}, rows((NOTE, "added-in-rfc9989"))),
    ("domain-np-none-not-applicable", f"v=DMARC1; p=reject; np=none; {RUA}", {}, rows((NOTE, "added-in-rfc9989"))),
    ("testing-reject", f"v=DMARC1; p=reject; t=y; {RUA}", {}, rows((ENFORCE, "testing"), (NOTE, "added-in-rfc9989"))),
    ("testing-off", f"v=DMARC1; p=reject; t=n; {RUA}", {}, rows((NOTE, "added-in-rfc9989"))),
    ("testing-with-p-none", f"v=DMARC1; p=none; t=y; {RUA}", {}, rows((ENFORCE, "p-none"), (NOTE, "added-in-rfc9989"))),
    ("testing-subdomain", f"v=DMARC1; p=none; sp=quarantine; t=y; {RUA}", {"subdomain": True},
     rows((ENFORCE, "testing"), (NOTE, "added-in-rfc9989"))),
    ("testing-bad", f"v=DMARC1; p=reject; t=maybe; {RUA}", {}, rows((INVALID, "bad-t"), (NOTE, "added-in-rfc9989"))),
    ("psd", f"v=DMARC1; p=reject; psd=n; {RUA}", {}, rows((NOTE, "added-in-rfc9989"))),
    ("psd-bad", f"v=DMARC1; p=reject; psd=x; {RUA}", {}, rows((INVALID, "bad-psd"), (NOTE, "added-in-rfc9989"))),
    ("cross-version", f"v=DMARC1; p=reject; sp=reject; np=reject; pct=100; t=n; psd=n; {RUA}", {},
     rows((NOTE, "removed-in-rfc9989"), (NOTE, "added-in-rfc9989"), (NOTE, "added-in-rfc9989"), (NOTE, "added-in-rfc9989"))),
]


@pytest.mark.parametrize("record, options, expected", [c[1:] for c in CHECK_CASES], ids=[c[0] for c in CHECK_CASES])
def test_check(record, options, expected):
    problems = check(record, **options)
    assert keys(problems) == expected
    assert all(isinstance(p, Problem) and p.message for p in problems)


def test_messages_name_the_tag():
    by_code = {p.code: p.message for p in check("v=DMARC1; p=reject; pct=20; rua=mailto:nobody; t=y")}
    assert "pct=20" in by_code["pct-partial"]
    assert "mailto:nobody" in by_code["bad-rua"]
    assert "'pct'" in by_code["removed-in-rfc9989"] and "RFC 9989" in by_code["removed-in-rfc9989"]
    assert "'t'" in by_code["added-in-rfc9989"] and "RFC 7489" in by_code["added-in-rfc9989"]


IS_DMARC_CASES = [
    ("v=DMARC1; p=none", True),
    ("v=DMARC1", True),
    ("v=DMARC1;", True),
    ("V=DMARC1; p=none", True),
    ("v = DMARC1 ; p=none", True),
    ("v=\tDMARC1;p=none", True),
    ("v=dmarc1; p=none", False),
    ("v=DMARC10; p=none", False),
    ("v=DMARC1 p=none", False),
    ("p=none; v=DMARC1", False),
    (" v=DMARC1; p=none", False),
    ("v=spf1 -all", False),
    ("", False),
]


@pytest.mark.parametrize("text, expected", IS_DMARC_CASES)
def test_is_dmarc(text, expected):
    assert is_dmarc(text) is expected


POLICY_CASES = [
    # (record, subdomain, expected)
    ("v=DMARC1; p=reject", False, "reject"),
    ("v=DMARC1; P=Quarantine", False, "quarantine"),
    ("v=DMARC1; p=none", False, "none"),
    ("v=DMARC1; p=reject; sp=none", False, "reject"),
    ("v=DMARC1; p=reject; sp=none", True, "none"),
    ("v=DMARC1; p=none; sp=reject", True, "reject"),
    ("v=DMARC1; p=quarantine", True, "quarantine"),
    ("v=DMARC1; p=reject; np=none", True, "reject"),
    ("v=DMARC1; rua=mailto:d@example.com", False, "none"),
    ("v=DMARC1; p=block", False, "none"),
    ("v=DMARC1; p=reject; sp=bogus", False, "none"),
    ("v=DMARC1; p=reject; np=bogus", True, "none"),
    ("v=dmarc1; p=reject", False, None),
    ("p=reject; v=DMARC1", False, None),
    ("v=spf1 -all", True, None),
]


@pytest.mark.parametrize("record, subdomain, expected", POLICY_CASES)
def test_policy(record, subdomain, expected):
    assert policy(record, subdomain) == expected


NAME_CASES = [
    ("none", [], []),
    ("one", ["v=DMARC1; p=reject"], []),
    ("one-among-others", ["v=DMARC1; p=reject", "v=spf1 -all", "v=dmarc1; p=none"], []),
    ("two", ["v=DMARC1; p=reject", "v=DMARC1; p=none"], rows((INVALID, "multiple-records"))),
]


@pytest.mark.parametrize("records, expected", [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_check_name(records, expected):
    assert keys(check_name(records)) == expected


def test_parse_keeps_values_and_lower_cases_names():
    record = parse("V=DMARC1; P = Reject ; RUA=mailto:D@Example.com; p=none;")
    assert record.tags == {"v": "DMARC1", "p": "Reject", "rua": "mailto:D@Example.com"}
    assert keys(record.problems) == rows((INVALID, "duplicate-tag"))


def test_parse_reports_only_validity():
    record = parse("v=DMARC1; p=none")
    assert record.tags == {"v": "DMARC1", "p": "none"}
    assert record.problems == []
