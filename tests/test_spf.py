"""SPF (RFC 7208): each row is a record and the exact problems it has, as
(rule, severity, code): the facts of analyzer.dns.spf with the judgment of
the rule that reports them (checks/ses221_spf_invalid.py)."""

import pytest

from analyzer.dns.spf import (
    WALK_LIMIT,
    LookupFailed,
    LookupVoid,
    Problem,
    all_qualifier,
    check_name,
    check_obsolete_type,
    check_record,
    check_strings,
    evaluate_live,
    includes,
    is_spf,
    lookup_terms,
)
from checks import ses221_spf_invalid as ses221

CRITICAL = ("SES221", "critical")
HIGH = ("SES221", "high")
MEDIUM = ("SES221", "medium")
LOW = ("SES221", "low")
INFO = ("SES221", "info")


def keys(problems):
    """The problems as a sorted list of (rule, severity, code): a multiset, compared exactly."""
    return sorted(judged(p) for p in problems)


def judged(problem):
    assert not problem.aspect  # SPF problems are all the one rule's
    return (ses221.ID, ses221.severity(problem), problem.code)


def rows(*codes):
    return sorted(kind + (code,) for kind, code in codes)


def includes_of(count, prefix="i"):
    return " ".join(f"include:{prefix}{n}.example.com" for n in range(count))


RECORD_CASES = [
    # (id, record, expected)
    ("clean-ses", "v=spf1 include:amazonses.com -all", []),
    ("clean-softfail", "v=spf1 include:amazonses.com ~all", []),
    ("clean-upper-case", "V=SPF1 IP4:192.0.2.0/24 INCLUDE:AmazonSES.com -ALL", []),
    ("clean-extra-spaces", "v=spf1  ip4:192.0.2.1   -all ", []),
    ("clean-redirect", "v=spf1 redirect=_spf.example.com", []),
    ("clean-dual-cidr", "v=spf1 a/24//64 mx:example.com/28 a:mail.example.com//48 -all", []),
    ("clean-ip6", "v=spf1 ip6:2001:db8::/32 ip6:::ffff:192.0.2.1 -all", []),
    ("clean-macros", "v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} include:%{d2}.example.com -all", []),
    ("clean-macro-escapes", "v=spf1 exists:a%%b%_c%-d.example.com -all", []),
    ("clean-trailing-dot", "v=spf1 include:amazonses.com. -all", []),
    ("clean-unknown-modifier", "v=spf1 ip4:192.0.2.1 moo=%{c}-%{t} -all", []),
    ("clean-exp", "v=spf1 -all exp=explain.%{d}", []),
    ("plus-all", "v=spf1 include:amazonses.com +all", rows((CRITICAL, "plus-all"))),
    ("bare-all", "v=spf1 all", rows((CRITICAL, "plus-all"))),
    ("neutral-all", "v=spf1 include:amazonses.com ?all", rows((MEDIUM, "neutral-all"))),
    ("no-all", "v=spf1 ip4:192.0.2.1", rows((LOW, "no-all"))),
    ("empty-record", "v=spf1", rows((LOW, "no-all"))),
    ("all-glued-include", "v=spf1 -allinclude:x.example.com", rows((HIGH, "all-glued"))),
    ("all-glued-dot", "v=spf1 include:amazonses.com ~all.", rows((HIGH, "all-glued"))),
    ("all-glued-word", "v=spf1 ip4:192.0.2.1 allow", rows((HIGH, "all-glued"))),
    ("unknown-mechanism", "v=spf1 foo:bar.example.com -all", rows((HIGH, "unknown-mechanism"))),
    ("unknown-qualifier-only", "v=spf1 ip4:192.0.2.1 - -all", rows((HIGH, "unknown-mechanism"))),
    ("mechanism-with-qualifier-as-modifier", "v=spf1 -redirect=x.example.com -all", rows((HIGH, "unknown-mechanism"))),
    ("include-without-domain", "v=spf1 include -all", rows((HIGH, "syntax"))),
    ("include-empty-domain", "v=spf1 include: -all", rows((HIGH, "syntax"))),
    ("exists-without-domain", "v=spf1 exists -all", rows((HIGH, "syntax"))),
    ("a-bad-suffix", "v=spf1 a-foo -all", rows((HIGH, "syntax"))),
    ("ptr-bad-suffix", "v=spf1 ptr/24 -all", rows((HIGH, "syntax"))),
    ("ip4-without-address", "v=spf1 ip4 -all", rows((HIGH, "syntax"))),
    ("ip4-empty-prefix", "v=spf1 ip4:192.0.2.0/ -all", rows((HIGH, "syntax"))),
    ("tab-separator", "v=spf1 ip4:192.0.2.1\t-all", rows((HIGH, "syntax"))),
    ("non-ascii", "v=spf1 include:exämple.com -all", rows((HIGH, "syntax"))),
    ("domain-without-dot", "v=spf1 include:example -all", rows((HIGH, "bad-domain-spec"))),
    ("domain-numeric-toplabel", "v=spf1 a:mail.example.123 -all", rows((HIGH, "bad-domain-spec"))),
    ("domain-spec-address", "v=spf1 a:192.0.2.1 -all", rows((HIGH, "bad-domain-spec"))),
    ("domain-empty-a", "v=spf1 a: -all", rows((HIGH, "bad-domain-spec"))),
    ("redirect-bad-domain", "v=spf1 redirect=example", rows((HIGH, "bad-domain-spec"))),
    ("macro-exp-only-letter", "v=spf1 exists:%{c}.example.com -all", rows((HIGH, "bad-macro"))),
    ("macro-zero-digits", "v=spf1 exists:%{i0}.example.com -all", rows((HIGH, "bad-macro"))),
    ("macro-unknown-letter", "v=spf1 exists:%{x}.example.com -all", rows((HIGH, "bad-macro"))),
    ("macro-lone-percent", "v=spf1 include:50%.example.com -all", rows((HIGH, "bad-macro"))),
    ("macro-unclosed", "v=spf1 exists:%{i.example.com -all", rows((HIGH, "bad-macro"))),
    ("macro-bad-in-unknown-modifier", "v=spf1 -all moo=%x", rows((HIGH, "bad-macro"))),
    ("ip4-prefix-too-long", "v=spf1 ip4:192.0.2.0/33 -all", rows((HIGH, "bad-cidr"))),
    ("ip4-prefix-leading-zero", "v=spf1 ip4:192.0.2.0/024 -all", rows((HIGH, "bad-cidr"))),
    ("ip6-prefix-too-long", "v=spf1 ip6:2001:db8::/129 -all", rows((HIGH, "bad-cidr"))),
    ("a-prefix-too-long", "v=spf1 a/33 -all", rows((HIGH, "bad-cidr"))),
    ("mx-ip6-prefix-too-long", "v=spf1 mx:example.com//129 -all", rows((HIGH, "bad-cidr"))),
    ("ip4-bad-octet", "v=spf1 ip4:192.0.2.256 -all", rows((HIGH, "bad-ip"))),
    ("ip4-short", "v=spf1 ip4:192.0.2 -all", rows((HIGH, "bad-ip"))),
    ("ip4-given-ip6", "v=spf1 ip4:2001:db8::1 -all", rows((HIGH, "bad-ip"))),
    ("ip6-bad", "v=spf1 ip6:2001:db8::g -all", rows((HIGH, "bad-ip"))),
    ("ip6-zone", "v=spf1 ip6:fe80::1%eth0 -all", rows((HIGH, "bad-ip"))),
    ("duplicate-redirect", "v=spf1 redirect=a.example.com redirect=b.example.com", rows((HIGH, "duplicate-modifier"))),
    ("duplicate-exp", "v=spf1 -all exp=a.example.com exp=b.example.com", rows((HIGH, "duplicate-modifier"))),
    ("redirect-with-all", "v=spf1 include:a.example.com -all redirect=b.example.com", rows((HIGH, "redirect-ignored"))),
    ("redirect-before-all", "v=spf1 redirect=b.example.com ~all", rows((HIGH, "redirect-ignored"))),
    ("ptr", "v=spf1 ptr -all", rows((LOW, "ptr"))),
    ("ptr-domain", "v=spf1 ptr:example.com -all", rows((LOW, "ptr"))),
    ("after-all", "v=spf1 -all include:amazonses.com", rows((MEDIUM, "after-all"))),
    ("after-all-twice", "v=spf1 ~all ip4:192.0.2.1 -all", rows((MEDIUM, "after-all"), (MEDIUM, "after-all"))),
    ("plus-all-then-more", "v=spf1 +all -all", rows((CRITICAL, "plus-all"), (MEDIUM, "after-all"))),
    ("mechanism-as-modifier", "v=spf1 include=amazonses.com -all", rows((MEDIUM, "mechanism-as-modifier"))),
    ("mechanism-as-modifier-no-all", "v=spf1 include=amazonses.com", rows((MEDIUM, "mechanism-as-modifier"), (LOW, "no-all"))),
    ("ten-lookups", f"v=spf1 {includes_of(10)} -all", []),
    ("eleven-lookups", f"v=spf1 {includes_of(11)} -all", rows((HIGH, "too-many-lookups"))),
    ("eleven-mixed-lookups", "v=spf1 a mx exists:x.example.com " + includes_of(7) + " redirect=r.example.com",
     rows((HIGH, "too-many-lookups"))),
    ("ptr-counts", f"v=spf1 ptr {includes_of(10)} -all", rows((LOW, "ptr"), (HIGH, "too-many-lookups"))),
    ("after-all-not-counted", f"v=spf1 {includes_of(10)} -all a", rows((MEDIUM, "after-all"))),
    ("ignored-redirect-not-counted", f"v=spf1 {includes_of(10)} -all redirect=r.example.com", rows((HIGH, "redirect-ignored"))),
    ("ip-terms-not-counted", "v=spf1 " + " ".join(f"ip4:192.0.2.{n}" for n in range(20)) + " -all", []),
    ("not-spf-version", "v=spf10 -all", rows((HIGH, "not-spf"))),
    ("not-spf-missing-version", "include:amazonses.com -all", rows((HIGH, "not-spf"))),
    ("not-spf-leading-space", " v=spf1 -all", rows((HIGH, "not-spf"))),
]


@pytest.mark.parametrize("record, expected", [c[1:] for c in RECORD_CASES], ids=[c[0] for c in RECORD_CASES])
def test_check_record(record, expected):
    problems = check_record(record)
    assert keys(problems) == expected
    assert all(isinstance(p, Problem) and p.message for p in problems)


def test_messages_name_the_term():
    (glued,) = check_record("v=spf1 -allinclude:x.example.com")
    assert "-allinclude:x.example.com" in glued.message
    (plus,) = check_record("v=spf1 +all")
    assert plus.message == "the SPF record ends with +all: any server may send mail as this domain"
    (no_all,) = check_record("v=spf1 ip4:192.0.2.1")
    assert no_all.message == "the SPF record ends without all: receivers treat unmatched senders as neutral"


def test_offline_lookup_count_says_it_is_a_lower_bound():
    (problem,) = check_record(f"v=spf1 {includes_of(11)} -all")
    assert "11" in problem.message and "lower bound" in problem.message and "includes are not expanded" in problem.message


IS_SPF_CASES = [
    ("v=spf1", True),
    ("v=spf1 -all", True),
    ("V=SPF1 -all", True),
    ("v=spf1 ", True),
    ("v=spf10 -all", False),
    ("v=spf1-all", False),
    ("v=spf1\t-all", False),
    ("v=spf1\n", False),
    (" v=spf1 -all", False),
    ("v=DMARC1; p=none", False),
    ("", False),
]


@pytest.mark.parametrize("text, expected", IS_SPF_CASES)
def test_is_spf(text, expected):
    assert is_spf(text) is expected


ALL_QUALIFIER_CASES = [
    ("v=spf1 -all", "-"),
    ("v=spf1 ~all", "~"),
    ("v=spf1 ?all", "?"),
    ("v=spf1 +all", "+"),
    ("v=spf1 all", "+"),
    ("v=spf1 ~ALL", "~"),
    ("v=spf1 ~all -all", "~"),
    ("v=spf1 include:amazonses.com", None),
    ("v=spf1 redirect=_spf.example.com", None),
    ("v=spf1 -allinclude:x.example.com", None),
    ("v=spf1 ~all.", None),
    ("not spf -all", None),
]


@pytest.mark.parametrize("text, expected", ALL_QUALIFIER_CASES)
def test_all_qualifier(text, expected):
    assert all_qualifier(text) == expected


INCLUDES_CASES = [
    ("v=spf1 include:amazonses.com -all", "amazonses.com", True),
    ("v=spf1 include:AmazonSES.com. -all", "amazonses.com", True),
    ("v=spf1 include:amazonses.com -all", "AMAZONSES.COM.", True),
    ("v=spf1 ~include:amazonses.com -all", "amazonses.com", True),
    ("v=spf1 include:mail.amazonses.com -all", "amazonses.com", False),
    ("v=spf1 include=amazonses.com -all", "amazonses.com", False),
    ("v=spf1 redirect=amazonses.com", "amazonses.com", False),
    ("v=spf1 a:amazonses.com -all", "amazonses.com", False),
    ("v=spf1 -all", "amazonses.com", False),
]


@pytest.mark.parametrize("text, domain, expected", INCLUDES_CASES)
def test_includes(text, domain, expected):
    assert includes(text, domain) is expected


LOOKUP_TERMS_CASES = [
    ("v=spf1 -all", 0),
    ("v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all exp=x.example.com", 0),
    ("v=spf1 include:a.example.com a mx ptr exists:x.example.com -all", 5),
    ("v=spf1 include:a.example.com redirect=b.example.com", 2),
    ("v=spf1 include:a.example.com -all redirect=b.example.com", 1),
    ("v=spf1 include:a.example.com -all include:b.example.com", 1),
    (f"v=spf1 {includes_of(12)} -all", 12),
    ("v=spf1 include:a.example.com foo:bar -all", 1),
]


@pytest.mark.parametrize("text, expected", LOOKUP_TERMS_CASES)
def test_lookup_terms(text, expected):
    assert lookup_terms(text) == expected


STRINGS_CASES = [
    ("one-short", ("v=spf1 -all",), []),
    ("255-octets", ("v=spf1 " + "a" * 248,), []),
    ("256-octets", ("v=spf1 " + "a" * 249,), rows((MEDIUM, "string-too-long"))),
    ("utf8-octets", ("v=spf1 " + "é" * 125,), rows((MEDIUM, "string-too-long"))),
    ("450-octets", ("a" * 250, "b" * 200), []),
    ("451-octets", ("a" * 250, "b" * 201), rows((MEDIUM, "record-too-long"))),
    ("both", ("a" * 256, "b" * 250), rows((MEDIUM, "string-too-long"), (MEDIUM, "record-too-long"))),
    ("none", (), []),
]


@pytest.mark.parametrize("strings, expected", [c[1:] for c in STRINGS_CASES], ids=[c[0] for c in STRINGS_CASES])
def test_check_strings(strings, expected):
    assert keys(check_strings(strings)) == expected


NAME_CASES = [
    ("none", [], []),
    ("one", ["v=spf1 -all"], []),
    ("one-among-others", ["v=spf1 -all", "google-site-verification=abc", "v=DMARC1; p=none"], []),
    ("two", ["v=spf1 -all", "V=SPF1 include:amazonses.com ~all"], rows((HIGH, "multiple-records"))),
    ("not-quite-spf", ["v=spf1 -all", "v=spf10 -all"], []),
]


@pytest.mark.parametrize("records, expected", [c[1:] for c in NAME_CASES], ids=[c[0] for c in NAME_CASES])
def test_check_name(records, expected):
    assert keys(check_name(records)) == expected


def test_check_obsolete_type():
    problem = check_obsolete_type()
    assert judged(problem) == ("SES221", "low", "spf-rr-type")


# Live evaluation, over a fake DNS: (name, type) -> answers, or an exception to raise


def fake_dns(zone, calls=None):
    def lookup(name, rdtype):
        key = (name.rstrip(".").lower(), rdtype)
        if calls is not None:
            calls.append(key)
        answer = zone.get(key)
        if answer is None:
            raise LookupVoid(name)
        if isinstance(answer, Exception):
            raise answer
        return answer
    return lookup


LEAF = "v=spf1 ip4:192.0.2.0/24 -all"


def tree(branches, leaves_each):
    """example.com includes b0..b{branches-1}, each including its own leaves."""
    zone = {("example.com", "TXT"): ["v=spf1 " + includes_of(branches, "b") + " -all"]}
    for b in range(branches):
        zone[(f"b{b}.example.com", "TXT")] = ["v=spf1 " + includes_of(leaves_each, f"l{b}-") + " ~all"]
        for leaf in range(leaves_each):
            zone[(f"l{b}-{leaf}.example.com", "TXT")] = [LEAF]
    return zone


LIVE_CASES = [
    # (id, zone, expected problems, lookups, void lookups)
    ("ses-include", {
        ("example.com", "TXT"): ["v=spf1 include:amazonses.com -all", "google-site-verification=x"],
        ("amazonses.com", "TXT"): ["v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 -all"],
    }, [], 1, 0),
    ("exactly-ten", tree(2, 4), [], 10, 0),
    ("eleven", tree(2, 4) | {("example.com", "TXT"): ["v=spf1 " + includes_of(2, "b") + " a -all"],
                             ("example.com", "A"): ["192.0.2.1"]},
     rows((HIGH, "too-many-lookups")), 11, 0),
    ("nested-over-limit", tree(3, 4), rows((HIGH, "too-many-lookups")), 15, 0),
    ("diamond-counts-twice", {
        ("example.com", "TXT"): ["v=spf1 include:a.example.com include:b.example.com -all"],
        ("a.example.com", "TXT"): ["v=spf1 include:c.example.com ~all"],
        ("b.example.com", "TXT"): ["v=spf1 include:c.example.com ~all"],
        ("c.example.com", "TXT"): [LEAF],
    }, [], 4, 0),
    ("include-loop", {
        ("example.com", "TXT"): ["v=spf1 include:a.example.com -all"],
        ("a.example.com", "TXT"): ["v=spf1 include:example.com ~all"],
    }, rows((HIGH, "loop")), 2, 0),
    ("redirect-loop", {
        ("example.com", "TXT"): ["v=spf1 redirect=example.com"],
    }, rows((HIGH, "loop")), 1, 0),
    ("two-void-lookups", {
        ("example.com", "TXT"): ["v=spf1 a:v1.example.com mx:v2.example.com -all"],
    }, [], 2, 2),
    ("three-void-lookups", {
        ("example.com", "TXT"): ["v=spf1 a:v1.example.com mx:v2.example.com exists:v3.example.com -all"],
    }, rows((HIGH, "too-many-void-lookups")), 3, 3),
    ("void-include-is-missing-spf", {
        ("example.com", "TXT"): ["v=spf1 include:gone.example.com -all"],
    }, rows((HIGH, "include-no-spf")), 1, 1),
    ("include-without-spf", {
        ("example.com", "TXT"): ["v=spf1 include:other.example.com -all"],
        ("other.example.com", "TXT"): ["google-site-verification=abc"],
    }, rows((HIGH, "include-no-spf")), 1, 0),
    ("failed-lookup", {
        ("example.com", "TXT"): ["v=spf1 include:down.example.com -all"],
        ("down.example.com", "TXT"): LookupFailed("timeout after 5 s"),
    }, rows((MEDIUM, "lookup-failed")), 1, 0),
    ("failed-a-lookup", {
        ("example.com", "TXT"): ["v=spf1 a:down.example.com -all"],
        ("down.example.com", "A"): LookupFailed("SERVFAIL"),
    }, rows((MEDIUM, "lookup-failed")), 1, 0),
    ("a-with-aaaa-only-is-not-void", {
        ("example.com", "TXT"): ["v=spf1 a -all"],
        ("example.com", "AAAA"): ["2001:db8::1"],
    }, [], 1, 0),
    ("redirect", {
        ("example.com", "TXT"): ["v=spf1 redirect=_spf.example.com"],
        ("_spf.example.com", "TXT"): [LEAF],
    }, [], 1, 0),
    ("redirect-without-spf", {
        ("example.com", "TXT"): ["v=spf1 redirect=_spf.example.com"],
    }, rows((HIGH, "redirect-no-spf")), 1, 1),
    ("redirect-ignored-not-followed", {
        ("example.com", "TXT"): ["v=spf1 -all redirect=_spf.example.com"],
    }, rows((HIGH, "redirect-ignored")), 0, 0),
    ("redirect-target-without-all", {
        ("example.com", "TXT"): ["v=spf1 redirect=_spf.example.com"],
        ("_spf.example.com", "TXT"): ["v=spf1 ip4:192.0.2.1"],
    }, rows((LOW, "no-all")), 1, 0),
    ("include-target-without-all-is-fine", {
        ("example.com", "TXT"): ["v=spf1 include:_spf.example.com -all"],
        ("_spf.example.com", "TXT"): ["v=spf1 ip4:192.0.2.1"],
    }, [], 1, 0),
    ("problems-in-included-record", {
        ("example.com", "TXT"): ["v=spf1 include:bad.example.com -all"],
        ("bad.example.com", "TXT"): ["v=spf1 ptr +all"],
    }, rows((CRITICAL, "plus-all"), (LOW, "ptr")), 2, 0),
    ("macros-counted-not-looked-up", {
        ("example.com", "TXT"): ["v=spf1 exists:%{i}._spf.example.com include:%{d}.x.example.com -all"],
    }, rows((INFO, "macro-not-expanded"), (INFO, "macro-not-expanded")), 2, 0),
    ("ptr-counted-not-looked-up", {
        ("example.com", "TXT"): ["v=spf1 ptr -all"],
    }, rows((LOW, "ptr")), 1, 0),
    ("after-all-not-evaluated", {
        ("example.com", "TXT"): ["v=spf1 -all include:gone.example.com"],
    }, rows((MEDIUM, "after-all")), 0, 0),
    ("multiple-records-at-include", {
        ("example.com", "TXT"): ["v=spf1 include:two.example.com -all"],
        ("two.example.com", "TXT"): ["v=spf1 -all", "v=spf1 ~all"],
    }, rows((HIGH, "multiple-records")), 1, 0),
    ("mx-with-eleven-exchangers", {
        ("example.com", "TXT"): ["v=spf1 mx -all"],
        ("example.com", "MX"): [f"10 mx{n}.example.com." for n in range(11)],
    }, rows((HIGH, "mx-too-many-records")), 1, 0),
    ("mx-with-ten-exchangers", {
        ("example.com", "TXT"): ["v=spf1 mx -all"],
        ("example.com", "MX"): [f"10 mx{n}.example.com." for n in range(10)],
    }, [], 1, 0),
    ("no-record", {("example.com", "TXT"): ["google-site-verification=abc"]}, rows((MEDIUM, "no-record")), 0, 0),
    ("no-name", {}, rows((MEDIUM, "no-record")), 0, 0),
    ("top-lookup-failed", {("example.com", "TXT"): LookupFailed("SERVFAIL")}, rows((MEDIUM, "lookup-failed")), 0, 0),
    ("top-multiple-records", {("example.com", "TXT"): ["v=spf1 -all", "v=spf1 ~all"]}, rows((HIGH, "multiple-records")), 0, 0),
    ("one-exact-lookup-problem", {
        ("example.com", "TXT"): [f"v=spf1 {includes_of(11)} -all"],
        **{(f"i{n}.example.com", "TXT"): [LEAF] for n in range(11)},
    }, rows((HIGH, "too-many-lookups")), 11, 0),
]


@pytest.mark.parametrize("zone, expected, lookups, voids", [c[1:] for c in LIVE_CASES], ids=[c[0] for c in LIVE_CASES])
def test_evaluate_live(zone, expected, lookups, voids):
    result = evaluate_live("example.com", fake_dns(zone))
    assert keys(result.problems) == expected
    assert (result.lookups, result.void_lookups) == (lookups, voids)


def test_live_records_and_problem_domains():
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:Bad.Example.com. -all"],
        ("bad.example.com", "TXT"): ["v=spf1 +all"],
    }
    result = evaluate_live("Example.com", fake_dns(zone))
    assert result.records == {"example.com": "v=spf1 include:Bad.Example.com. -all", "bad.example.com": "v=spf1 +all"}
    (problem,) = result.problems
    assert problem.message.startswith("bad.example.com: ")


def test_live_failed_lookup_is_not_missing():
    zone = {("example.com", "TXT"): ["v=spf1 include:down.example.com -all"],
            ("down.example.com", "TXT"): LookupFailed("timeout after 5 s")}
    (problem,) = evaluate_live("example.com", fake_dns(zone)).problems
    assert problem.code == "lookup-failed" and "timeout after 5 s" in problem.message


def test_live_asks_each_name_once():
    calls = []
    zone = {
        ("example.com", "TXT"): ["v=spf1 include:a.example.com include:b.example.com -all"],
        ("a.example.com", "TXT"): ["v=spf1 include:c.example.com ~all"],
        ("b.example.com", "TXT"): ["v=spf1 include:c.example.com ~all"],
        ("c.example.com", "TXT"): [LEAF],
    }
    evaluate_live("example.com", fake_dns(zone, calls))
    assert sorted(calls) == sorted(set(calls))


def test_live_stops_walking_far_over_the_limit():
    result = evaluate_live("example.com", fake_dns(tree(10, 10)))
    assert result.lookups == WALK_LIMIT + 1
    assert keys(result.problems) == rows((HIGH, "too-many-lookups"))
