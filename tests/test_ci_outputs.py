"""What CI platforms get, through the real CLI: SARIF for code scanning
(valid, repository-relative, no suppressed results unless asked, help
pages that exist), JUnit for GitLab, GitHub annotations within the
platform's limits."""

import json
import os
import pathlib
import re
import shutil
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.engine import Report
from analyzer.findings import Finding
from analyzer.model import Location
from analyzer.report import github
from analyzer.rules import load_rules
from conftest import FIXTURES, REPO

SCHEMA = (pathlib.Path(os.environ.get("SESGUARD_SCHEMAS", REPO / ".." / "shared" / "schemas"))
          / "sarif-schema-2.1.0.json")


@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    monkeypatch.setenv("SESGUARD_DNS", "off")


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    if not SCHEMA.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"the SARIF schema is missing at {SCHEMA}")
        pytest.skip("the shared SARIF schema is not next to this checkout")
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository: a public policy, a suppressed one, an info finding (SES003), in infra/."""
    (tmp_path / ".git").mkdir()
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", tmp_path / "infra" / "public")
    shutil.copytree(FIXTURES / "SES003" / "variable_without_value", tmp_path / "infra" / "unresolved")
    shutil.copytree(FIXTURES / "SES102" / "account", tmp_path / "infra" / "partner")
    main_tf = tmp_path / "infra" / "partner" / "main.tf"
    text = main_tf.read_text()
    main_tf.write_text(text.replace('resource "aws_ses_identity_policy"',
                                    '# sesguard:ignore SES102 the partner account is ours\n'
                                    'resource "aws_ses_identity_policy"', 1))
    monkeypatch.chdir(tmp_path / "infra")
    return tmp_path


def invoke(*args):
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_sarif_is_valid_relative_to_the_repository_and_leaves_suppressed_results_out(repo, validator):
    result = invoke("scan", ".", "-o", "sarif:../out.sarif")
    assert result.exit_code == 1
    log = json.loads((repo / "out.sarif").read_text())
    assert list(validator.iter_errors(log)) == []
    run = log["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.as_uri() + "/"}}
    assert sorted((r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                  for r in run["results"]) == [("SES003", "infra/unresolved/main.tf"),
                                               ("SES101", "infra/public/main.tf")]
    invoke("scan", ".", "-o", "sarif:../all.sarif", "--sarif-include-suppressed")
    run = json.loads((repo / "all.sarif").read_text())["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("SES102", [{"kind": "inSource", "justification": "the partner account is ours"}])]


def test_every_help_uri_resolves_to_an_anchor_of_the_rules_page(repo):
    invoke("scan", ".", "-o", "sarif:../out.sarif")
    page = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', page))
    rules = json.loads((repo / "out.sarif").read_text())["runs"][0]["tool"]["driver"]["rules"]
    assert len(rules) == len([r for r in load_rules() if not (210 <= int(r.id[3:]) < 260)])
    for rule in rules:
        page_url, anchor = rule["helpUri"].split("#")
        assert page_url.endswith("/docs/rules.md")
        assert anchor in anchors, rule["id"]


def test_junit_parses_back_with_a_file_on_every_testcase_and_failures_at_fail_on(repo):
    invoke("scan", ".", "-o", "junit:../report.xml")
    suite = ET.parse(repo / "report.xml").getroot().find("testsuite")
    cases = list(suite.iter("testcase"))
    assert cases and all(case.get("file") for case in cases)
    failed = [(c.get("classname"), c.get("file"), c.get("line")) for c in cases if c.find("failure") is not None]
    assert failed == [("SES101", "infra/public/main.tf", "13")]  # SES003 (info) is below the default low
    unresolved = next(c for c in cases if c.get("classname") == "SES003" and c.get("name") != "no findings")
    assert unresolved.get("file") == "infra/unresolved/main.tf" and unresolved.find("system-out") is not None
    assert suite.get("failures") == "1"
    invoke("scan", ".", "-o", "junit:../report.xml", "--fail-on", "info")
    suite = ET.parse(repo / "report.xml").getroot().find("testsuite")
    assert sorted(c.get("classname") for c in suite.iter("testcase") if c.find("failure") is not None) == [
        "SES003", "SES101"]
    invoke("scan", ".", "-o", "junit:../report.xml", "--fail-on", "critical", "--exit-zero")
    suite = ET.parse(repo / "report.xml").getroot().find("testsuite")
    assert suite.get("failures") == "1"


def _thirty():
    rules = {r.id: r for r in load_rules()}
    findings = []
    for number in range(30):
        severity = ("info", "low", "medium", "high", "critical")[number % 5]
        findings.append(rules["SES101"].finding(f"finding {number}", Location("main.tf", number + 1, 1),
                                                severity=severity, resource=f"r{number}"))
    return Report(sorted(findings, key=Finding.sort_key), 1, 1, 1, [], list(rules.values()))


def test_github_prints_the_most_severe_first_within_the_platform_limits():
    lines = github.render(_thirty()).splitlines()
    kinds = [line.split(" ", 1)[0].split("::")[1] for line in lines[:-1]]
    assert kinds == ["error"] * 10 + ["warning"] * 6 + ["notice"] * 9
    assert [line.split("::")[-1] for line in lines[:3]] == ["finding 4", "finding 9", "finding 14"]  # critical first
    assert lines[-1] == ("::notice::sesguard: 30 finding(s): 6 critical, 6 high, 6 medium, 6 low, 6 info; 0 inactive; "
                         "0 suppressed; 1 file(s) found, 1 parsed, 0 failed, 0 skipped by the pre-filter, 0 variable "
                         "file(s). Not shown (2 error, 3 notice annotation(s)): GitHub shows 10 of each kind per step; "
                         "every finding is in the other reports.")
    assert sum(kind == "notice" for kind in kinds) + 1 <= 10 and len(lines) <= 31
