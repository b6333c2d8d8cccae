"""GitLab's security report format for SAST, schema version 15 (the
Security tab and the merge-request security widget).

One vulnerability per active, unsuppressed finding, its first (primary)
identifier the rule id (type ``sesguard_rule_id``). Its ``id`` is a UUID
made from the finding's fingerprint, so it stays the same across edits
that move lines. Findings that say the scan is incomplete (SES001 input
not analyzed, SES002 rule crashed) are also ``scan.messages`` at level
``warn``.
"""

from __future__ import annotations

import datetime
import json
import pathlib
import uuid

from analyzer import __version__
from analyzer.rules import mandatory_ids
from analyzer.report.common import fix_of
from analyzer.report.gitlab_common import reported, unique_fingerprints

VERSION = "15.0.7"
URL = "https://github.com/sesguard/sesguard"
RULES_DOC = "https://github.com/sesguard/sesguard/blob/main/docs/rules.md"
SEVERITIES = {"critical": "Critical", "high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
TOOL = {"id": "sesguard", "name": "sesguard", "version": __version__, "vendor": {"name": "sesguard"}, "url": URL}


def _time(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _vulnerability(finding, fingerprint: str, rules: dict) -> dict:
    loc = finding.location
    location = {}
    if finding.file:
        location["file"] = pathlib.PurePath(finding.file).as_posix()
    if loc and loc.line > 0:
        location["start_line"] = loc.line
        location["end_line"] = max(loc.end_line, loc.line)
    vulnerability = {
        "id": str(uuid.UUID(hex=fingerprint)),
        "name": finding.name[:255],
        "description": finding.message,  # the fix is its solution
        "severity": SEVERITIES[finding.severity],
        "identifiers": [{"type": "sesguard_rule_id", "name": f"sesguard {finding.rule_id}",
                         "value": finding.rule_id, "url": f"{RULES_DOC}#{finding.rule_id.lower()}"}],
        "location": location,
    }
    fix = fix_of(finding, rules)
    if fix:
        vulnerability["solution"] = fix[:7000]
    return vulnerability


def render(report) -> str:
    rules = {rule.id: rule for rule in report.rules}
    findings = reported(report)
    end = datetime.datetime.now(datetime.timezone.utc)
    document = {
        "version": VERSION,
        "scan": {
            "analyzer": dict(TOOL),
            "scanner": dict(TOOL),
            "type": "sast",
            "start_time": _time(report.started or end),
            "end_time": _time(end),
            "status": "success",
            "messages": [{"level": "warn", "value": f"{f.rule_id}: {f.text}"}
                         for f in report.findings if f.rule_id in mandatory_ids()],
        },
        "vulnerabilities": [_vulnerability(f, fp, rules) for f, fp in zip(findings, unique_fingerprints(findings))],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
