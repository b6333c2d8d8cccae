"""The JSON report: a stable format other tools read (``version`` 1)."""

from __future__ import annotations

import json
from collections import Counter

from analyzer import __version__
from analyzer.rules import mandatory_ids


def _finding(f) -> dict:
    loc = f.location
    return {
        "rule_id": f.rule_id,
        "name": f.name,
        "severity": f.severity,
        "message": f.message,
        "fix_title": f.fix_title,
        "file": f.file,
        "line": loc.line if loc else 0,
        "column": loc.column if loc else 0,
        "end_line": (loc.end_line or loc.line) if loc else 0,
        "end_column": (loc.end_column or loc.column) if loc else 0,
        "resource": f.resource,
        "deployment": f.deployment,
        "trace": [{"file": step.file, "line": step.line, "column": step.column, "what": step.what}
                  for step in f.trace],
        "conditional": f.conditional,
        "identity": f.identity,
        "active": f.active,
        "inactive_reason": f.inactive_reason,
        "fingerprint": f.fingerprint,
        "details": f.details,
        "fix": _fix(f.fix),
        "suppressed": f.suppressed is not None,
        "suppression": None if f.suppressed is None else {
            "kind": f.suppressed.kind, "justification": f.suppressed.justification,
            "file": f.suppressed.location.file, "line": f.suppressed.location.line},
    }


def _fix(fix):
    """``null`` for a rule without fixes; else the edits, or why there are none."""
    if fix is None:
        return None
    return {"description": fix.description, "refused": fix.refused,
            "edits": [{"file": e.file, "line": e.line, "column": e.column, "end_line": e.end_line,
                       "end_column": e.end_column, "text": e.text} for e in fix.edits]}


def render(report) -> str:
    findings = [_finding(f) for f in report.findings]
    errors = [item for item in findings if item["rule_id"] in mandatory_ids()]
    active = [f for f in report.findings if f.active and not f.suppressed]
    document = {
        "version": 1,
        "tool": {"name": "sesguard", "version": __version__},
        "findings": findings,
        "errors": errors,
        "not_analyzed": [{"module": m.address, "source": m.source, "reason": m.reason,
                          "file": m.loc.file if m.loc else "", "line": m.loc.line if m.loc else 0}
                         for m in report.not_analyzed],
        "summary": {
            "files": report.files,
            "files_parsed": report.files_parsed,
            "files_failed": report.files_failed,
            "files_skipped": report.files_skipped,
            "variable_files": report.variable_files,
            "modules_skipped": len(report.skipped),
            "modules": report.modules,
            "findings": len(report.findings),
            "active": len(active),
            "inactive": sum(1 for f in report.findings if not f.active and not f.suppressed),
            "suppressed": sum(1 for f in report.findings if f.suppressed),
            "baselined": report.baselined,
            "by_severity": dict(sorted(Counter(f.severity for f in active).items())),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
