"""The SARIF, JUnit and GitHub Actions reporters, on real scans of the
fixtures and on hand-built findings for the cases scans rarely produce
(escaping, unknown positions, suppressions, crashes)."""

import json
import os
import pathlib
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest

from analyzer.engine import Report, ScanOptions, scan
from analyzer.findings import Finding
from analyzer.model import Location
from analyzer.report import github, junit, sarif
from analyzer.ruledoc import markdown, plain
from analyzer.rules import load_rules, needs_dns
from conftest import FIXTURES, REPO

# the shared schemas next to the checkout, or where SESGUARD_SCHEMAS says (a worktree elsewhere)
SCHEMA = (pathlib.Path(os.environ.get("SESGUARD_SCHEMAS", REPO / ".." / "shared" / "schemas"))
          / "sarif-schema-2.1.0.json").resolve()
RULES = load_rules()
RULE_IDS = [rule.id for rule in RULES]


RULES_PAGE = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def validator():
    import jsonschema  # a test dependency: a missing one must fail, not skip, these tests

    if not SCHEMA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the SARIF schema is missing at {SCHEMA}")
        pytest.skip("the shared SARIF schema is not next to this checkout")
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def _scan(monkeypatch, case):
    monkeypatch.chdir(FIXTURES / case)
    return scan(ScanOptions(paths=["."], dns="off"))


def _finding(rule_id="SES101", severity=None, message="m", location=None, suppressed=None, **kwargs):
    rule = next(r for r in RULES if r.id == rule_id)
    location = Location("main.tf", 13, 7, 13, 32) if location is None else location
    finding = rule.finding(message, location, severity=severity or rule.severity, **kwargs)
    if suppressed:
        finding.suppressed = SimpleNamespace(kind=suppressed[0], justification=suppressed[1])
    return finding


def _report(*findings, files=3, files_parsed=2):
    return Report(sorted(findings, key=Finding.sort_key), files, files_parsed, 1, [], RULES)


def _sarif(report, validator, **options):
    log = json.loads(sarif.render(report, **options))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(log)]
    assert errors == []
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    return log["runs"][0]


# --------------------------------------------------------------------------- SARIF

RULE_LEVELS = {  # id: (defaultConfiguration.level, security-severity, fullDescription)
    "SES001": ("error", "8.0", "A file, module or policy document could not be analyzed."),
    "SES002": ("error", "8.0", "A rule raised an error; its verdict on this scan is missing."),
    "SES003": ("note", "1.0", "A verdict depends on a value that could not be resolved statically."),
    "SES101": ("error", "9.5", "Anyone can send email as this SES identity."),
    "SES102": ("error", "8.0",
               "An account or organization you have not declared trusted can send as this identity."),
    "SES103": ("warning", "5.5",
               "A service principal can send as this identity on behalf of any of its customers."),
}


def test_sarif_driver_describes_every_rule(validator):
    run = _sarif(_report(), validator)
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["informationUri"]) == ("sesguard", "https://github.com/sesguard/sesguard")
    assert [d["id"] for d in driver["rules"]] == RULE_IDS
    for rule, descriptor in zip(RULES, driver["rules"]):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"] == {"text": rule.title}
        assert descriptor["help"] == {"text": plain(rule.doc), "markdown": markdown(rule.doc)}
        prose = [line for line in descriptor["help"]["markdown"].splitlines() if not line.startswith("```")]
        assert "``" not in descriptor["help"]["text"] + "\n".join(prose)  # no reStructuredText code spans
        page, anchor = descriptor["helpUri"].split("#")
        assert page == "https://github.com/sesguard/sesguard/blob/main/docs/rules.md"
        assert f'<a id="{anchor}"></a>\n\n## {rule.id} {rule.name}\n' in RULES_PAGE
        assert descriptor["properties"]["tags"][0] == "security"
    for rule_id, (level, security_severity, description) in RULE_LEVELS.items():
        descriptor = driver["rules"][RULE_IDS.index(rule_id)]
        assert descriptor["defaultConfiguration"] == {"level": level}
        assert descriptor["properties"]["security-severity"] == security_severity
        assert descriptor["fullDescription"] == {"text": description}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]


SCANS = [  # case, [(ruleId, level, uri, region, fingerprint, active)], executionSuccessful
    ("SES101/jsonencode",
     [("SES101", "error", "main.tf", {"startLine": 13, "startColumn": 7, "endLine": 13, "endColumn": 32},
       "1693184f55ed2b81fb2299f1be6a5008", True)], True),
    ("SES101/inactive",
     [("SES101", "note", "main.tf", {"startLine": 17, "startColumn": 7, "endLine": 17, "endColumn": 34},
       "4e201cae5ebb184f9127f22df0f34100", False)], True),
    ("SES001/parse_error",
     [("SES001", "error", "remote-state.tf", {"startLine": 7, "startColumn": 92, "endLine": 7},
       "54fcb524b19eeca489e2d70e5279800d", True)], False),
    ("examples",
     [("SES103", "warning", "main.tf", {"startLine": 33, "startColumn": 7, "endLine": 33, "endColumn": 57},
       "f1254c9af6adf55f67cd45dade852abf", True),
      ("SES101", "error", "modules/ses-domain/main.tf",
       {"startLine": 25, "startColumn": 7, "endLine": 25, "endColumn": 32},
       "86e5795a935824a25b1de1d01bb38218", True)], True),
]


@pytest.mark.parametrize("case,expected,successful", SCANS, ids=[s[0] for s in SCANS])
def test_sarif_scan(case, expected, successful, monkeypatch, validator):
    report = _scan(monkeypatch, case)
    run = _sarif(report, validator)
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"], r["partialFingerprints"]["sesguardFingerprint/v1"],
            r["properties"]["active"]) for r in run["results"]]
    assert got == expected
    for result, finding in zip(run["results"], report.findings):
        assert RULE_IDS[result["ruleIndex"]] == result["ruleId"]
        assert result["message"] == {"text": finding.text}
        location = result["locations"][0]
        assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["logicalLocations"] == [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
        assert result["properties"] == {"identity": finding.identity, "active": finding.active,
                                        "inactive_reason": finding.inactive_reason,
                                        "severity": finding.severity, "details": finding.details,
                                        "deployment": finding.deployment, "conditional": finding.conditional}
        assert "suppressions" not in result
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": pathlib.Path.cwd().as_uri() + "/"}}
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is successful
    failed = [r for r in run["results"] if r["ruleId"] in ("SES001", "SES002")]
    assert [(n["level"], n["descriptor"], n["message"], n["locations"])
            for n in invocation["toolExecutionNotifications"]] == [
        ("error", {"id": r["ruleId"]}, r["message"], r["locations"]) for r in failed]


def test_sarif_trace_is_related_locations_and_one_code_flow(monkeypatch, validator):
    """The bundled example's SES101: "*" written in terraform.tfvars reaches the module through
    module.marketing's senders argument."""
    run = _sarif(_scan(monkeypatch, "examples"), validator)
    result = next(r for r in run["results"] if r["ruleId"] == "SES101")
    assert result["properties"]["deployment"] == "."
    related = [(r["id"], r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"],
                r["message"]["text"]) for r in result["relatedLocations"]]
    assert related == [
        (1, "terraform.tfvars", {"startLine": 2, "startColumn": 22}, "value written"),
        (2, "main.tf", {"startLine": 7, "startColumn": 3}, "module.marketing argument senders")]
    flow = [step["location"]["physicalLocation"]["artifactLocation"]["uri"]
            for step in result["codeFlows"][0]["threadFlows"][0]["locations"]]
    assert flow == ["terraform.tfvars", "main.tf", "modules/ses-domain/main.tf"]


def test_sarif_inactive_reason(monkeypatch, validator):
    run = _sarif(_scan(monkeypatch, "SES101/inactive"), validator)
    assert run["results"][0]["properties"]["inactive_reason"] == "count = 0 while var.enable_policy = false"


def _location(run, index=0):
    return run["results"][index]["locations"][0]


REGIONS = [  # Location, expected region (None: no region)
    (Location("main.tf", 13, 7, 13, 32), {"startLine": 13, "startColumn": 7, "endLine": 13, "endColumn": 32}),
    (Location("main.tf", 3, 5, 9, 2), {"startLine": 3, "startColumn": 5, "endLine": 9, "endColumn": 2}),
    (Location("main.tf", 7, 92), {"startLine": 7, "startColumn": 92, "endLine": 7}),
    (Location("main.tf", 4, 0), {"startLine": 4, "startColumn": 1, "endLine": 4}),
    (Location("main.tf", 4, 0, 4, 9), {"startLine": 4, "startColumn": 1, "endLine": 4, "endColumn": 9}),
    (Location("main.tf", 5, 0, 6, 0), {"startLine": 5, "startColumn": 1, "endLine": 6}),
    (Location("main.tf", 0, 0), None),
]


@pytest.mark.parametrize("location,region", REGIONS, ids=[str(r[0]) for r in REGIONS])
def test_sarif_region(location, region, validator):
    physical = _location(_sarif(_report(_finding(location=location)), validator))["physicalLocation"]
    assert physical.get("region") == region
    assert physical["artifactLocation"] == {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}


URIS = [
    ("main.tf", "main.tf"),
    ("modules/ses-domain/main.tf", "modules/ses-domain/main.tf"),
    ("../shared/a b,c:d%.tf", "../shared/a%20b%2Cc%3Ad%25.tf"),
    ("dir#1/é.tf", "dir%231/%C3%A9.tf"),
]


@pytest.mark.parametrize("path,uri", URIS, ids=[u[0] for u in URIS])
def test_sarif_uri(path, uri, validator):
    run = _sarif(_report(_finding(location=Location(path, 1, 1))), validator)
    assert _location(run)["physicalLocation"]["artifactLocation"]["uri"] == uri


LEVELS = [  # rule, finding severity, active, level
    ("SES101", "critical", True, "error"),
    ("SES101", "high", True, "error"),
    ("SES102", "medium", True, "warning"),
    ("SES103", "low", True, "note"),
    ("SES003", "info", True, "note"),
    ("SES101", "critical", False, "note"),
]


@pytest.mark.parametrize("rule_id,severity,active,level", LEVELS)
def test_sarif_level_follows_the_finding(rule_id, severity, active, level, validator):
    run = _sarif(_report(_finding(rule_id, severity, active=active)), validator)
    result = run["results"][0]
    assert (result["ruleId"], result["level"], result["properties"]["severity"]) == (rule_id, level, severity)
    assert result["properties"]["active"] is active


SUPPRESSIONS = [("inSource", "owned by the mail team"), ("external", "")]


@pytest.mark.parametrize("kind,justification", SUPPRESSIONS)
def test_sarif_suppressed_result_is_carried_only_when_asked(kind, justification, validator):
    report = _report(_finding(suppressed=(kind, justification)),
                     _finding("SES103", location=Location("other.tf", 2, 1)))
    assert [r["ruleId"] for r in _sarif(report, validator)["results"]] == ["SES103"]
    run = _sarif(report, validator, include_suppressed=True)
    assert [r["ruleId"] for r in run["results"]] == ["SES101", "SES103"]
    assert run["results"][0]["suppressions"] == [{"kind": kind, "justification": justification}]
    assert "suppressions" not in run["results"][1]
    assert run["invocations"][0]["executionSuccessful"] is True


CRASH = dict(rule_id="SES002", message="rule SES101 (identity-policy-public) crashed with KeyError: 'x' (at a.py:3)",
             location=Location("", 0, 0), resource="SES101", logical_path="SES101/KeyError")


def test_sarif_crash_is_a_notification(validator):
    run = _sarif(_report(_finding(**CRASH), _finding()), validator)
    assert [r["ruleId"] for r in run["results"]] == ["SES101"]
    assert run["invocations"] == [{"executionSuccessful": False, "toolExecutionNotifications": [{
        "level": "error",
        "message": {"text": CRASH["message"]},
        "descriptor": {"id": "SES002"},
        "associatedRule": {"id": "SES002", "index": RULE_IDS.index("SES002")},
        "locations": [{"logicalLocations": [{"fullyQualifiedName": "SES101", "kind": "resource"}]}],
    }]}]


def test_sarif_input_problems_are_notifications_even_when_suppressed(validator):
    report = _report(_finding("SES001", message="a.tf: cannot parse", location=Location("a.tf", 2, 3),
                              resource="a.tf"),
                     _finding("SES001", message="b.tf: cannot parse", location=Location("b.tf", 0, 0),
                              resource="b.tf", suppressed=("external", "vendored")))
    run = _sarif(report, validator)
    assert [(r["level"], r.get("suppressions")) for r in run["results"]] == [("error", None)]
    invocation = run["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [(n["message"]["text"], n["locations"][0]["physicalLocation"]) for n in
            invocation["toolExecutionNotifications"]] == [
        ("a.tf: cannot parse", {"artifactLocation": {"uri": "a.tf", "uriBaseId": "%SRCROOT%"},
                                "region": {"startLine": 2, "startColumn": 3, "endLine": 2}}),
        ("b.tf: cannot parse", {"artifactLocation": {"uri": "b.tf", "uriBaseId": "%SRCROOT%"}}),
    ]


def test_sarif_fingerprint_and_details(validator):
    finding = _finding(resource="aws_ses_identity_policy.p", identity="example.com",
                       logical_path="policy/Statement[0]/Principal", details={"statement": 0, "actions": ["ses:*"]})
    result = _sarif(_report(finding), validator)["results"][0]
    assert result["partialFingerprints"] == {"sesguardFingerprint/v1": finding.fingerprint}
    assert result["properties"] == {"identity": "example.com", "active": True, "inactive_reason": "",
                                    "severity": "critical", "details": {"statement": 0, "actions": ["ses:*"]},
                                    "deployment": "", "conditional": ""}


def test_sarif_without_resource_has_no_logical_location(validator):
    assert "logicalLocations" not in _location(_sarif(_report(_finding()), validator))


def test_the_schema_check_is_not_vacuous(validator):
    log = json.loads(sarif.render(_report(_finding())))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startColumn"] = 0
    assert list(validator.iter_errors(log))


# --------------------------------------------------------------------------- JUnit


def _junit(report):
    root = ET.fromstring(junit.render(report).encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = root
    assert suite.tag == "testsuite" and suite.get("name") == "sesguard"
    counts = {key: int(suite.get(key)) for key in ("tests", "failures", "errors", "skipped")}
    assert {key: int(root.get(key)) for key in counts} == counts
    assert counts["tests"] == len(suite)
    cases = [(case.get("classname"), case.get("name"),
              [(child.tag, child.get("type"), child.get("message"), child.text) for child in case])
             for case in suite]
    return counts, cases


RAN = [rule_id for rule_id in RULE_IDS if not needs_dns(rule_id)]  # these scans run with dns="off"


def _passing(*except_rules, ids=RULE_IDS):
    return [(rule_id, "no findings", []) for rule_id in ids if rule_id not in except_rules]


def _with_passing(cases, ids=RULE_IDS):
    """The expected testcases in rule order, the rules (``ids``) without findings passing."""
    return sorted(cases + _passing(*{c[0] for c in cases}, ids=ids), key=lambda c: RULE_IDS.index(c[0]))


JUNIT_SCANS = [  # case, [(rule, testcase name, child tag, type, location line)], counts but tests
    ("SES101/jsonencode", [("SES101", "aws_ses_identity_policy.open", "failure", "critical", "at main.tf:13:7")],
     {"failures": 1, "errors": 0, "skipped": 0}),
    ("SES001/parse_error", [("SES001", "remote-state.tf", "error", "high", "at remote-state.tf:7:92")],
     {"failures": 0, "errors": 1, "skipped": 0}),
    ("examples", [("SES101", "module.marketing.aws_ses_identity_policy.senders", "failure", "critical",
                   "at modules/ses-domain/main.tf:25:7"),
                  ("SES103", "aws_sesv2_email_identity_policy.pinpoint", "failure", "medium", "at main.tf:33:7")],
     {"failures": 2, "errors": 0, "skipped": 0}),
]


@pytest.mark.parametrize("case,expected,counts", JUNIT_SCANS, ids=[s[0] for s in JUNIT_SCANS])
def test_junit_scan(case, expected, counts, monkeypatch):
    report = _scan(monkeypatch, case)
    messages = {f.rule_id: f.text for f in report.findings}
    got_counts, cases = _junit(report)
    assert got_counts == {"tests": len(RAN), **counts}
    assert cases == _with_passing([
        (rule_id, name, [(tag, severity, messages[rule_id][:200], f"{messages[rule_id]}\n{where}")])
        for rule_id, name, tag, severity, where in expected], ids=RAN)


def test_junit_inactive_is_skipped(monkeypatch):
    report = _scan(monkeypatch, "SES101/inactive")
    (finding,) = report.findings
    counts, cases = _junit(report)
    assert counts == {"tests": len(RAN), "failures": 0, "errors": 0, "skipped": 1}
    reason = "inactive: count = 0 while var.enable_policy = false"
    assert cases == _with_passing([("SES101", "aws_ses_identity_policy.p[0]", [
        ("skipped", None, reason, f"{finding.text}\nat main.tf:17:7\n{reason}")])], ids=RAN)


LONG = "x" * 199 + "é" + "tail"


def test_junit_hand_built():
    report = _report(
        _finding(message="first", resource="r.a", location=Location("a.tf", 3, 5)),
        _finding(message="second", resource="r.a", location=Location("a.tf", 9, 5)),
        _finding(message=LONG, resource="r.b", location=Location("b.tf", 0, 0)),
        _finding(message="gone", resource="r.b", location=Location("b.tf", 4, 1), active=False,
                 inactive_reason="count = 0"),
        _finding("SES102", "medium", message="<a & \"b\">\n\x07bell", resource="r.c",
                 location=Location("c.tf", 1, 1), suppressed=("inSource", "partner, see TICKET-1")),
        _finding("SES103", message="no\nresource", location=Location("d.tf", 2, 2)),
        _finding(**CRASH),
        _finding("SES001", message="e.tf: cannot parse", resource="e.tf", location=Location("e.tf", 1, 1),
                 suppressed=("external", "vendored")),
    )
    counts, cases = _junit(report)
    rules_with_findings, testcases = 5, 6
    assert counts == {"tests": len(RULE_IDS) - rules_with_findings + testcases,
                      "failures": 3, "errors": 2, "skipped": 1}
    assert cases == _with_passing([
        ("SES001", "e.tf", [("error", "high", "e.tf: cannot parse", "e.tf: cannot parse\nat e.tf:1:1")]),
        ("SES002", "SES101", [("error", "high", CRASH["message"], CRASH["message"])]),
        ("SES101", "r.a", [("failure", "critical", "first", "first\nat a.tf:3:5"),
                           ("failure", "critical", "second", "second\nat a.tf:9:5")]),
        ("SES101", "r.b", [("failure", "critical", LONG[:200], LONG + "\nat b.tf"),
                           ("system-out", None, None, "gone\nat b.tf:4:1\ninactive: count = 0")]),
        ("SES102", "r.c", [("skipped", None, "suppressed (inSource): partner, see TICKET-1",
                            "<a & \"b\">\n\ufffdbell\nat c.tf:1:1\nsuppressed (inSource): partner, see TICKET-1")]),
        ("SES103", "d.tf", [("failure", "medium", "no\nresource", "no\nresource\nat d.tf:2:2")]),
    ])


def test_junit_skipped_reasons_are_combined():
    report = _report(*(_finding(message=f"m{i}", resource="r", location=Location("a.tf", i, 1), active=False,
                                inactive_reason=reason)
                       for i, reason in ((1, "count = 0"), (2, "count = 0"), (3, "for_each = {}"))))
    counts, cases = _junit(report)
    assert counts == {"tests": len(RULE_IDS), "failures": 0, "errors": 0, "skipped": 1}
    assert cases[RULE_IDS.index("SES101")] == ("SES101", "r", [(
        "skipped", None, "inactive: count = 0; inactive: for_each = {}",
        "m1\nat a.tf:1:1\ninactive: count = 0\n\nm2\nat a.tf:2:1\ninactive: count = 0\n\n"
        "m3\nat a.tf:3:1\ninactive: for_each = {}")])


def test_junit_without_findings_lists_every_rule():
    assert _junit(_report()) == ({"tests": len(RULE_IDS), "failures": 0, "errors": 0, "skipped": 0}, _passing())


# --------------------------------------------------------------------------- GitHub Actions

TITLE = "title=SES101 identity-policy-public"
GITHUB = [  # finding arguments, expected line
    ({}, f"::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{TITLE}::m"),
    ({"message": "100% open\r\nnext: a, b"},
     f"::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{TITLE}::100%25 open%0D%0Anext: a, b"),
    ({"message": "%0A is not a newline"},
     f"::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{TITLE}::%250A is not a newline"),
    ({"location": Location("dir,x/a:b%.tf", 2, 3, 4, 5)},
     f"::error file=dir%2Cx/a%3Ab%25.tf,line=2,col=3,endLine=4,endColumn=5,{TITLE}::m"),
    ({"location": Location("we\nird\r.tf", 1, 1, 1, 2)},
     f"::error file=we%0Aird%0D.tf,line=1,col=1,endLine=1,endColumn=2,{TITLE}::m"),
    ({"location": Location("main.tf", 0, 0)}, f"::error file=main.tf,{TITLE}::m"),
    ({"location": Location("main.tf", 5, 3)}, f"::error file=main.tf,line=5,col=3,{TITLE}::m"),
    ({"location": Location("main.tf", 5, 0, 6, 0)}, f"::error file=main.tf,line=5,endLine=6,{TITLE}::m"),
    ({"severity": "high"}, f"::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{TITLE}::m"),
    ({"rule_id": "SES102", "severity": "medium"},
     "::warning file=main.tf,line=13,col=7,endLine=13,endColumn=32,"
     "title=SES102 identity-policy-untrusted-account::m"),
    ({"rule_id": "SES103", "severity": "low"},
     "::notice file=main.tf,line=13,col=7,endLine=13,endColumn=32,"
     "title=SES103 identity-policy-service-without-source::m"),
    ({"rule_id": "SES003"},
     "::notice file=main.tf,line=13,col=7,endLine=13,endColumn=32,title=SES003 unresolved-value::m"),
    (CRASH, f"::error title=SES002 rule-crashed::{CRASH['message']}"),
]


@pytest.mark.parametrize("arguments,line", GITHUB, ids=[f"github-{i}" for i in range(len(GITHUB))])
def test_github_line(arguments, line):
    lines = github.render(_report(_finding(**arguments))).splitlines()
    assert lines[0] == line
    assert len(lines) == 2 and lines[1].startswith("::notice::sesguard: 1 finding(s)")


def test_github_title_is_escaped_as_a_property():
    finding = _finding()
    finding.name = "odd:name,here"
    assert github.render(_report(finding)).splitlines()[0] == (
        "::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,title=SES101 odd%3Aname%2Chere::m")


def test_github_only_active_unsuppressed_findings_and_a_summary():
    report = _report(_finding(message="shown"),
                     _finding("SES103", message="also shown", location=Location("a.tf", 1, 1)),
                     _finding(message="inactive", active=False, inactive_reason="count = 0"),
                     _finding(message="suppressed", suppressed=("inSource", "fine")))
    assert github.render(report) == (
        f"::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{TITLE}::shown\n"  # the most severe first
        "::warning file=a.tf,line=1,col=1,title=SES103 identity-policy-service-without-source::also shown\n"
        "::notice::sesguard: 2 finding(s): 1 critical, 1 medium; 1 inactive; 1 suppressed; "
        "3 file(s) found, 2 parsed, 0 failed, 0 skipped by the pre-filter, 0 variable file(s).\n")


def test_github_summary_without_findings():
    assert github.render(_report(files=0, files_parsed=0)) == (
        "::notice::sesguard: 0 finding(s): no findings; 0 inactive; 0 suppressed; 0 file(s) found, 0 parsed, 0 failed, 0 skipped by the pre-filter, 0 variable file(s).\n")


@pytest.mark.parametrize("case,expected", [
    ("SES101/jsonencode", ["::error file=main.tf,line=13,col=7,endLine=13,endColumn=32,{title}::{message}",
                           "::notice::sesguard: 1 finding(s): 1 critical; 0 inactive; 0 suppressed; "
                           "1 file(s) found, 1 parsed, 0 failed, 0 skipped by the pre-filter, 0 variable file(s)."]),
    ("SES101/inactive", ["::notice::sesguard: 0 finding(s): no findings; 1 inactive; 0 suppressed; "
                         "1 file(s) found, 1 parsed, 0 failed, 0 skipped by the pre-filter, 0 variable file(s)."]),
])
def test_github_scan(case, expected, monkeypatch):
    report = _scan(monkeypatch, case)
    first = report.findings[0]
    assert "%" not in first.text and "\n" not in first.text
    title = f"title={first.rule_id} {first.name}"
    assert github.render(report).splitlines() == [e.format(title=title, message=first.text) for e in expected]
