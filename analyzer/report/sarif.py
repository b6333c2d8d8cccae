"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers.

One run. ``tool.driver.rules`` describes every rule; each finding is a
result with its rule, level, location, a stable fingerprint and its
properties (identity, active, inactive_reason, severity, details).

Choices the format leaves open:

* Inactive findings (the resource is not created with the values in use)
  are results at level ``note`` whatever their severity, with
  ``properties.active`` false: kept visible, never counted as errors.
* Suppressed findings are results carrying ``suppressions``.
* Every SES001/SES002 finding (input not analyzed, rule crashed), even a
  suppressed one, is also a tool execution notification at level
  ``error`` and makes ``executionSuccessful`` false: the scan is incomplete.
* A finding without a file (an engine-reported rule crash) is a
  notification only: GitHub rejects results without a physical location.
  Its notification level is its result level, ``error`` for SES001/SES002.
* Regions use the finding's end when it is known; without an end column
  the region runs to the end of its end line (the start line when the end
  is unknown). A line of 0 (unknown) gives no region; columns are >= 1.
"""

from __future__ import annotations

import json
import pathlib
from urllib.parse import quote

from analyzer import __version__
from analyzer.rules import mandatory_ids

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/sesguard/sesguard"
RULES_DOC = "https://github.com/sesguard/sesguard/blob/main/docs/rules.md"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "sesguardFingerprint/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
TAGS = ["security", "amazon-ses"]


def _descriptor(rule) -> dict:
    first_paragraph = " ".join(rule.doc.split("\n\n")[0].split())
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": first_paragraph},
        "help": {"text": rule.doc, "markdown": rule.doc},
        "helpUri": f"{RULES_DOC}#{rule.id.lower()}",
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[rule.severity], "tags": list(TAGS)},
    }


def _region(loc) -> dict:
    region = {"startLine": loc.line, "startColumn": max(loc.column, 1), "endLine": max(loc.end_line, loc.line)}
    if loc.end_line >= loc.line and loc.end_column >= 1:
        region["endColumn"] = loc.end_column
    return region


def _location(finding) -> dict:
    location = {}
    if finding.file:
        physical = {"artifactLocation": {"uri": quote(pathlib.PurePath(finding.file).as_posix(), safe="/"),
                                         "uriBaseId": SRCROOT}}
        if finding.location.line > 0:
            physical["region"] = _region(finding.location)
        location["physicalLocation"] = physical
    if finding.resource:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
    return location


def _level(finding) -> str:
    return LEVELS[finding.severity] if finding.active else "note"


def _result(finding, rule_index: dict) -> dict:
    result = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    result.update({
        "level": _level(finding),
        "message": {"text": finding.text},
        "locations": [_location(finding)],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {"identity": finding.identity, "active": finding.active,
                       "inactive_reason": finding.inactive_reason, "severity": finding.severity,
                       "details": finding.details},
    })
    suppressed = getattr(finding, "suppressed", None)
    if suppressed is not None:
        result["suppressions"] = [{"kind": suppressed.kind, "justification": suppressed.justification}]
    return result


def _notification(finding, rule_index: dict) -> dict:
    notification = {
        "level": "error" if finding.rule_id in mandatory_ids() else _level(finding),
        "message": {"text": finding.text},
        "descriptor": {"id": finding.rule_id},
        "associatedRule": {"id": finding.rule_id},
    }
    if finding.rule_id in rule_index:
        notification["associatedRule"]["index"] = rule_index[finding.rule_id]
    location = _location(finding)
    if location:
        notification["locations"] = [location]
    return notification


def _src_root() -> str:
    uri = pathlib.Path.cwd().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(report) -> str:
    rule_index = {rule.id: index for index, rule in enumerate(report.rules)}
    notified = [f for f in report.findings if f.rule_id in mandatory_ids() or not f.file]
    run = {
        "tool": {"driver": {"name": "sesguard", "version": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_descriptor(rule) for rule in report.rules]}},
        "invocations": [{"executionSuccessful": not any(f.rule_id in mandatory_ids() for f in notified),
                         "toolExecutionNotifications": [_notification(f, rule_index) for f in notified]}],
        "originalUriBaseIds": {SRCROOT: {"uri": _src_root()}},
        "results": [_result(f, rule_index) for f in report.findings if f.file],
        "columnKind": "unicodeCodePoints",
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
