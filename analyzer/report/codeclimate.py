"""The Code Quality report GitLab's merge-request widget reads (a subset of
the Code Climate issue format): a JSON array of issues with
``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location.path`` / ``location.lines.begin``.

Choices the format leaves open:

* Only active, unsuppressed findings are issues (inactive ones are not
  deployed with the values in use; suppressed ones were accepted).
* Severities: critical → blocker, high → critical, medium → major,
  low → minor, info → info.
* A finding with no known line (0) is reported at line 1, and one with no
  file (a rule crash reported by the engine) at path ``.``: GitLab needs
  both, and the description says where it really is.
"""

from __future__ import annotations

import json
import pathlib

from analyzer.report.gitlab_common import reported, unique_fingerprints

SEVERITIES = {"critical": "blocker", "high": "critical", "medium": "major", "low": "minor", "info": "info"}


def _issue(finding, fingerprint: str) -> dict:
    line = finding.location.line if finding.location else 0
    description = f"{finding.rule_id} {finding.message}"
    if not finding.file:
        description += " (not tied to a file)"
    elif line <= 0:
        description += " (no line is known: reported at line 1)"
    return {
        "type": "issue",
        "description": description,
        "check_name": finding.rule_id,
        "categories": ["Security"],
        "fingerprint": fingerprint,
        "severity": SEVERITIES[finding.severity],
        "location": {"path": pathlib.PurePath(finding.file).as_posix() if finding.file else ".",
                     "lines": {"begin": max(line, 1)}},
    }


def render(report) -> str:
    findings = reported(report)
    issues = [_issue(f, fp) for f, fp in zip(findings, unique_fingerprints(findings))]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
