"""The GitHub Actions report: workflow commands that annotate the changed files.

One ``::error``/``::warning``/``::notice`` line per active, unsuppressed
finding, the most severe first, then one ``::notice::`` summary line.
GitHub shows at most 10 annotations of each kind per step (``LIMITS``) and
drops the rest: more are not printed, the summary line (which is itself a
notice, so 9 notices leave room for it) says how many of each were not
shown, and the other reports hold them all. Values are escaped as GitHub
documents: ``%``, CR and LF in the message; also ``:`` and ``,`` in
properties. Line and column properties are left out when unknown (0).
"""

from __future__ import annotations

from collections import Counter

from analyzer.counts import describe
from analyzer.findings import SEVERITIES, severity_rank

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}
LIMITS = {"error": 10, "warning": 10, "notice": 9}  # per step; one more notice is the summary


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _properties(finding) -> list:
    loc = finding.location
    properties = []
    if finding.file:
        properties.append(("file", finding.file))
    if loc and loc.line > 0:
        properties.append(("line", loc.line))
        if loc.column > 0:
            properties.append(("col", loc.column))
        if loc.end_line >= loc.line:
            properties.append(("endLine", loc.end_line))
            if loc.end_column > 0:
                properties.append(("endColumn", loc.end_column))
    properties.append(("title", f"{finding.rule_id} {finding.name}"))
    return properties


def _command(finding) -> str:
    properties = ",".join(f"{key}={escape_property(str(value))}" for key, value in _properties(finding))
    return f"::{COMMANDS[finding.severity]} {properties}::{escape_data(finding.text)}"


def render(report) -> str:
    shown = sorted((f for f in report.findings if f.active and getattr(f, "suppressed", None) is None),
                   key=lambda f: (severity_rank(f.severity), f.sort_key()))
    suppressed = sum(getattr(f, "suppressed", None) is not None for f in report.findings)
    inactive = len(report.findings) - len(shown) - suppressed
    counts = Counter(f.severity for f in shown)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
    lines, printed, left = [], Counter(), Counter()
    for finding in shown:
        command = COMMANDS[finding.severity]
        if printed[command] < LIMITS[command]:
            printed[command] += 1
            lines.append(_command(finding))
        else:
            left[command] += 1
    summary = (f"sesguard: {len(shown)} finding(s): {by_severity}; {inactive} inactive; {suppressed} suppressed; "
               f"{describe(report)}.")
    if left:
        not_shown = ", ".join(f"{left[c]} {c}" for c in LIMITS if left[c])
        summary += (f" Not shown ({not_shown} annotation(s)): GitHub shows {LIMITS['error']} of each kind per step; "
                    "every finding is in the other reports.")
    return "".join(line + "\n" for line in lines) + f"::notice::{escape_data(summary)}\n"
