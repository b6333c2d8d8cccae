"""The GitLab reports: Code Quality (codeclimate) field by field against
GitLab's documented format, and the SAST security report against the
requirements of its version 15 schema (written out below: the schema
itself ships in no package this project can install)."""

import json
import re
import uuid

import jsonschema
import pytest

from analyzer.engine import Report, ScanOptions, scan
from analyzer.findings import Finding
from analyzer.model import Location
from analyzer.report import codeclimate, gitlab_sast
from analyzer.rules import load_rules
from conftest import FIXTURES

RULES = load_rules()
BY_ID = {r.id: r for r in RULES}

_IDENTIFIER = {"type": "object", "required": ["type", "name", "value"],
               "properties": {"type": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                              "value": {"type": "string", "minLength": 1},
                              "url": {"type": "string", "pattern": "^https?://.+"}}}
_TOOL = {"type": "object", "required": ["id", "name", "version", "vendor"],
         "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                        "version": {"type": "string", "minLength": 1},
                        "vendor": {"type": "object", "required": ["name"],
                                   "properties": {"name": {"type": "string", "minLength": 1}}}}}
_TIME = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"}
SAST_V15 = {
    "type": "object", "required": ["scan", "version", "vulnerabilities"],
    "properties": {
        "version": {"type": "string", "pattern": r"^15\.[0-9]+\.[0-9]+$"},
        "scan": {"type": "object", "required": ["analyzer", "end_time", "scanner", "start_time", "status", "type"],
                 "properties": {"analyzer": _TOOL, "scanner": _TOOL, "start_time": _TIME, "end_time": _TIME,
                                "status": {"enum": ["success", "failure"]}, "type": {"enum": ["sast"]},
                                "messages": {"type": "array", "items": {
                                    "type": "object", "required": ["level", "value"],
                                    "properties": {"level": {"enum": ["info", "warn", "fatal"]},
                                                   "value": {"type": "string", "minLength": 1}}}}}},
        "vulnerabilities": {"type": "array", "items": {
            "type": "object", "required": ["id", "identifiers", "location"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "maxLength": 255},
                           "description": {"type": "string", "maxLength": 1048576},
                           "severity": {"enum": ["Info", "Unknown", "Low", "Medium", "High", "Critical"]},
                           "solution": {"type": "string", "maxLength": 7000},
                           "identifiers": {"type": "array", "minItems": 1, "items": _IDENTIFIER},
                           "location": {"type": "object", "properties": {
                               "file": {"type": "string"}, "start_line": {"type": "number"},
                               "end_line": {"type": "number"}}}}}},
    },
}


def _scan(monkeypatch, case):
    monkeypatch.chdir(FIXTURES / case)
    return scan(ScanOptions(paths=["."]))


def _finding(rule_id, file="main.tf", line=3, **kwargs):
    return BY_ID[rule_id].finding(kwargs.pop("message", f"{rule_id} message"), Location(file, line, 1), **kwargs)


def _report(findings):
    return Report(sorted(findings, key=Finding.sort_key), 1, 1, 1, [], RULES)


def test_codeclimate_examples_field_by_field(monkeypatch):
    report = _scan(monkeypatch, "examples")
    issues = json.loads(codeclimate.render(report))
    assert isinstance(issues, list) and len(issues) == 6
    for issue, finding in zip(issues, report.findings):
        assert set(issue) == {"type", "description", "check_name", "fingerprint", "severity", "categories",
                              "location"}
        assert issue["type"] == "issue" and issue["categories"] == ["Security"]
        assert issue["description"] == f"{finding.rule_id} {finding.message}"
        assert issue["check_name"] == finding.rule_id
        assert issue["fingerprint"] == finding.fingerprint and re.fullmatch(r"[0-9a-f]{32}", issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"] == {"path": finding.file, "lines": {"begin": finding.location.line}}
    assert [(i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"])
            for i in issues] == [
        ("SES103", "major", "main.tf", 33), ("SES219", "info", "modules/ses-domain/main.tf", 10),
        ("SES219", "info", "modules/ses-domain/main.tf", 10), ("SES222", "minor", "modules/ses-domain/main.tf", 10),
        ("SES222", "minor", "modules/ses-domain/main.tf", 10), ("SES101", "blocker", "modules/ses-domain/main.tf", 25)]


def test_codeclimate_choices():
    same = [_finding("SES102", line=3, resource="r"), _finding("SES102", line=9, resource="r")]
    findings = same + [
        _finding("SES301", severity="high", line=0),
        _finding("SES002", file="", line=0),
        _finding("SES222", severity="low", active=False, inactive_reason="count = 0"),
    ]
    issues = json.loads(codeclimate.render(_report(findings)))
    assert [i["check_name"] for i in issues] == ["SES002", "SES301", "SES102", "SES102"]  # the inactive one is left out
    crash, no_line, first, second = issues
    assert crash["location"] == {"path": ".", "lines": {"begin": 1}} and crash["description"].endswith(
        "(not tied to a file)")
    assert no_line["location"]["lines"]["begin"] == 1 and "no line is known" in no_line["description"]
    assert no_line["severity"] == "critical"
    assert first["fingerprint"] == same[0].fingerprint and second["fingerprint"] != first["fingerprint"]


def test_gitlab_sast_v15(monkeypatch):
    report = _scan(monkeypatch, "examples")
    document = json.loads(gitlab_sast.render(report))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in jsonschema.Draft7Validator(SAST_V15).iter_errors(document)]
    assert errors == []
    assert document["version"] == "15.0.7"
    assert document["scan"]["type"] == "sast" and document["scan"]["status"] == "success"
    assert document["scan"]["start_time"] <= document["scan"]["end_time"]
    vulnerabilities = document["vulnerabilities"]
    assert [(v["identifiers"][0]["value"], v["severity"], v["location"]) for v in vulnerabilities] == [
        ("SES103", "Medium", {"file": "main.tf", "start_line": 33, "end_line": 33}),
        ("SES219", "Info", {"file": "modules/ses-domain/main.tf", "start_line": 10, "end_line": 12}),
        ("SES219", "Info", {"file": "modules/ses-domain/main.tf", "start_line": 10, "end_line": 12}),
        ("SES222", "Low", {"file": "modules/ses-domain/main.tf", "start_line": 10, "end_line": 12}),
        ("SES222", "Low", {"file": "modules/ses-domain/main.tf", "start_line": 10, "end_line": 12}),
        ("SES101", "Critical", {"file": "modules/ses-domain/main.tf", "start_line": 25, "end_line": 25}),
    ]
    ids = [v["id"] for v in vulnerabilities]
    assert len(set(ids)) == 6 and all(str(uuid.UUID(i)) == i for i in ids)
    assert ids[0] == str(uuid.UUID(hex=report.findings[0].fingerprint))
    assert all(v["identifiers"][0]["type"] == "sesguard_rule_id" for v in vulnerabilities)
    assert vulnerabilities[0]["solution"].startswith("add a StringEquals aws:SourceAccount condition")
    assert vulnerabilities[1]["solution"].startswith("none needed")


def test_gitlab_sast_incomplete_scan_is_said():
    findings = [_finding("SES001", message="main.tf: cannot parse"), _finding("SES101")]
    document = json.loads(gitlab_sast.render(_report(findings)))
    assert jsonschema.Draft7Validator(SAST_V15).is_valid(document)
    assert document["scan"]["messages"] == [{"level": "warn", "value": "SES001: main.tf: cannot parse"}]
    assert [v["identifiers"][0]["value"] for v in document["vulnerabilities"]] == ["SES001", "SES101"]


def test_the_schema_check_can_fail():
    document = json.loads(gitlab_sast.render(_report([_finding("SES101")])))
    del document["vulnerabilities"][0]["identifiers"]
    document["scan"]["start_time"] = "2026-01-01 00:00:00"
    messages = sorted(e.message for e in jsonschema.Draft7Validator(SAST_V15).iter_errors(document))
    assert messages == ["'2026-01-01 00:00:00' does not match '^\\\\d{4}-\\\\d{2}-\\\\d{2}T\\\\d{2}:\\\\d{2}:\\\\d{2}$'",
                        "'identifiers' is a required property"]


@pytest.mark.parametrize("fmt", ["codeclimate", "gitlab-sast"])
def test_cli_writes_them(monkeypatch, tmp_path, fmt):
    from click.testing import CliRunner

    from analyzer.cli import main

    monkeypatch.chdir(FIXTURES / "examples")
    out = tmp_path / "report.json"
    result = CliRunner().invoke(main, ["scan", ".", "--no-cache", "-o", f"{fmt}:{out}"])
    assert result.exit_code == 1, result.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert len(document if fmt == "codeclimate" else document["vulnerabilities"]) == 6
