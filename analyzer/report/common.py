"""What the reports people read (Markdown, HTML) share: where a finding
belongs, how a place is linked, the fix a rule documents, the verdict of
the scan against ``--fail-on``."""

from __future__ import annotations

import os
import pathlib
import re
from collections import Counter
from dataclasses import dataclass
from urllib.parse import quote

from analyzer.findings import SEVERITIES
from analyzer.rules import fails_the_run


def deployment_of(finding) -> str:
    """The deployment a finding belongs to; without one, its file's directory."""
    if finding.deployment:
        return finding.deployment
    return _directory(finding.file)


def policy_deployment(policy) -> str:
    """The deployment of an ``analyzer.senders.PolicySenders``, likewise."""
    return policy.deployment or _directory(policy.file)


def _directory(file: str) -> str:
    if not file:
        return "(scan)"
    return pathlib.PurePath(os.path.dirname(file) or ".").as_posix()


def posix(path: str) -> str:
    return pathlib.PurePath(path).as_posix() if path else ""


def link(file: str, line: int, link_base: str = "") -> str:
    """The URL of ``file`` at ``line``: under ``link_base`` when given, else
    the path relative to the scanned directory (the repository root when
    sesguard runs there)."""
    path = quote(posix(file), safe="/")
    anchor = f"#L{line}" if line > 0 else ""
    if link_base:
        return f"{link_base.rstrip('/')}/{path}{anchor}"
    return f"{path}{anchor}"


def where(file: str, line: int) -> str:
    return f"{posix(file)}:{line}" if line > 0 else (posix(file) or "<scan>")


_FIX = re.compile(r"(?:^|\n)Fix:\s*(.*?)(?:\n\n|\Z)", re.S)


def fix_of(finding, rules: dict) -> str:
    """The fix to show with a finding: its own fix title; none when its
    message already says one; else the Fix paragraph of its rule's documentation."""
    if finding.fix_title:
        return finding.fix_title
    if "Fix:" in finding.message:
        return ""
    rule = rules.get(finding.rule_id)
    match = _FIX.search(rule.doc) if rule is not None else None
    return " ".join(match.group(1).split()) if match else ""


def trace_steps(finding) -> list:
    """``(where, what)`` for each step of a finding's trace, the origin first."""
    return [(where(step.file, step.line), step.what) for step in finding.trace]


@dataclass
class Summary:
    active: list  # findings counted: active and not suppressed
    inactive: list
    suppressed: int
    by_severity: Counter
    failed: bool
    fail_on: str

    @property
    def counts(self) -> str:
        return ", ".join(f"{self.by_severity[s]} {s}" for s in SEVERITIES if self.by_severity[s]) or "none"


def summarize(report, fail_on: str = "low", include_inactive: bool = False) -> Summary:
    active = [f for f in report.findings if f.active and not f.suppressed]
    inactive = [f for f in report.findings if not f.active and not f.suppressed]
    return Summary(active=active, inactive=inactive,
                   suppressed=sum(1 for f in report.findings if f.suppressed),
                   by_severity=Counter(f.severity for f in active),
                   failed=any(fails_the_run(f, fail_on, include_inactive) for f in report.findings), fail_on=fail_on)
