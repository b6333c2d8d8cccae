"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF consumers.

One run. ``tool.driver.rules`` describes every rule; each finding is a
result with its rule, level, location, a stable fingerprint and its
properties (identity, active, inactive_reason, severity, details).

Choices the format leaves open:

* Inactive findings (the resource is not created with the values in use)
  are results at level ``note`` whatever their severity, with
  ``properties.active`` false: kept visible, never counted as errors.
* Suppressed findings are left out (GitHub code scanning ignores SARIF
  suppressions and would open them as alerts) unless asked for
  (``--sarif-include-suppressed``): then they are results carrying
  ``suppressions``.
* Artifact URIs are relative to the repository root (``%SRCROOT%``, given
  in ``originalUriBaseIds``), the current directory outside a repository:
  code scanning finds the files whatever directory the scan ran in.
* ``help.markdown`` is CommonMark, ``help.text`` plain text, and
  ``helpUri`` the rule's anchor in ``docs/rules.md`` (``analyzer.ruledoc``).
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

import functools
import json
import pathlib
from urllib.parse import quote

from analyzer import __version__
from analyzer.repository import relative
from analyzer.ruledoc import help_uri, markdown, plain
from analyzer.rules import mandatory_ids

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/sesguard/sesguard"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "sesguardFingerprint/v1"

LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0", "info": "1.0"}
TAGS = ["security", "amazon-ses"]


def _descriptor(rule) -> dict:
    first_paragraph, text, marked = _described(rule.doc)
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": first_paragraph},
        "help": {"text": text, "markdown": marked},
        "helpUri": help_uri(rule.id),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"security-severity": SECURITY_SEVERITY[rule.severity], "tags": list(TAGS)},
    }


@functools.lru_cache(maxsize=None)
def _described(doc: str) -> tuple:
    """A rule's first paragraph, and its whole text plain and as Markdown:
    the same for every report of a process (the fuzzer renders thousands)."""
    return " ".join(doc.split("\n\n")[0].split()), plain(doc), markdown(doc)


def _region(loc) -> dict:
    region = {"startLine": loc.line, "startColumn": max(loc.column, 1), "endLine": max(loc.end_line, loc.line)}
    if loc.end_line >= loc.line and loc.end_column >= 1:
        region["endColumn"] = loc.end_column
    return region


def _location(finding, root) -> dict:
    location = {}
    if finding.file:
        physical = {"artifactLocation": {"uri": quote(relative(finding.file, root), safe="/"),
                                         "uriBaseId": SRCROOT}}
        if finding.location.line > 0:
            physical["region"] = _region(finding.location)
        location["physicalLocation"] = physical
    if finding.resource:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.resource, "kind": "resource"}]
    return location


def _step_location(step, root) -> dict:
    """A trace step (where the value came from) as a SARIF location."""
    return {"physicalLocation": {"artifactLocation": {"uri": quote(relative(step.file, root), safe="/"),
                                                      "uriBaseId": SRCROOT},
                                 "region": {"startLine": max(step.line, 1), "startColumn": max(step.column, 1)}},
            "message": {"text": step.what}}


def _level(finding) -> str:
    return LEVELS[finding.severity] if finding.active else "note"


def _result(finding, rule_index: dict, root) -> dict:
    result = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    result.update({
        "level": _level(finding),
        "message": {"text": finding.text},
        "locations": [_location(finding, root)],
        "partialFingerprints": {FINGERPRINT: finding.fingerprint},
        "properties": {"identity": finding.identity, "active": finding.active,
                       "inactive_reason": finding.inactive_reason, "severity": finding.severity,
                       "details": finding.details, "deployment": finding.deployment,
                       "conditional": finding.conditional},
    })
    if finding.trace:
        steps = [_step_location(step, root) for step in finding.trace]
        result["relatedLocations"] = [dict(location, id=number) for number, location in enumerate(steps, 1)]
        thread = [{"location": location} for location in steps] + [{"location": _location(finding, root)}]
        result["codeFlows"] = [{"threadFlows": [{"locations": thread}]}]
    fix = getattr(finding, "fix", None)
    if fix is not None and fix.applicable:
        result["fixes"] = [_fix(fix, root)]
    elif fix is not None:
        result["properties"]["fix_refused"] = fix.refused
    suppressed = getattr(finding, "suppressed", None)
    if suppressed is not None:
        result["suppressions"] = [{"kind": suppressed.kind, "justification": suppressed.justification}]
    return result


def _fix(fix, root) -> dict:
    """A SARIF fix: per file, its replacements (an insertion deletes an empty region)."""
    changes: dict = {}
    for edit in fix.edits:
        changes.setdefault(edit.file, []).append({
            "deletedRegion": {"startLine": edit.line, "startColumn": edit.column, "endLine": edit.end_line,
                              "endColumn": edit.end_column},
            "insertedContent": {"text": edit.text}})
    return {"description": {"text": fix.description},
            "artifactChanges": [{"artifactLocation": {"uri": quote(relative(file, root), safe="/"),
                                                      "uriBaseId": SRCROOT}, "replacements": replacements}
                                for file, replacements in changes.items()]}


def _notification(finding, rule_index: dict, root) -> dict:
    notification = {
        "level": "error" if finding.rule_id in mandatory_ids() else _level(finding),
        "message": {"text": finding.text},
        "descriptor": {"id": finding.rule_id},
        "associatedRule": {"id": finding.rule_id},
    }
    if finding.rule_id in rule_index:
        notification["associatedRule"]["index"] = rule_index[finding.rule_id]
    location = _location(finding, root)
    if location:
        notification["locations"] = [location]
    return notification


def _src_root(root) -> str:
    uri = pathlib.Path(root or pathlib.Path.cwd()).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def render(report, include_suppressed: bool = False) -> str:
    root = getattr(report, "root", "") or None
    rule_index = {rule.id: index for index, rule in enumerate(report.rules)}
    notified = [f for f in report.findings if f.rule_id in mandatory_ids() or not f.file]
    run = {
        "tool": {"driver": {"name": "sesguard", "version": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_descriptor(rule) for rule in report.rules]}},
        "invocations": [{"executionSuccessful": not any(f.rule_id in mandatory_ids() for f in notified),
                         "toolExecutionNotifications": [_notification(f, rule_index, root) for f in notified]}],
        "originalUriBaseIds": {SRCROOT: {"uri": _src_root(root)}},
        "results": [_result(f, rule_index, root) for f in report.findings
                    if f.file and (include_suppressed or getattr(f, "suppressed", None) is None)],
        "columnKind": "unicodeCodePoints",
    }
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
