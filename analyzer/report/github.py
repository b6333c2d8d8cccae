"""The GitHub Actions report: workflow commands that annotate the changed files.

One ``::error``/``::warning``/``::notice`` line per active, unsuppressed
finding, then one ``::notice::`` summary line. Values are escaped as GitHub
documents: ``%``, CR and LF in the message; also ``:`` and ``,`` in
properties. Line and column properties are left out when unknown (0).
"""

from __future__ import annotations

from collections import Counter

from analyzer.findings import SEVERITIES

COMMANDS = {"critical": "error", "high": "error", "medium": "warning", "low": "notice", "info": "notice"}


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
    shown = [f for f in report.findings if f.active and getattr(f, "suppressed", None) is None]
    suppressed = sum(getattr(f, "suppressed", None) is not None for f in report.findings)
    inactive = len(report.findings) - len(shown) - suppressed
    counts = Counter(f.severity for f in shown)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
    summary = (f"sesguard: {len(shown)} finding(s): {by_severity}; {inactive} inactive; {suppressed} suppressed; "
               f"{report.files} file(s) found, {report.files_parsed} parsed.")
    return "".join(_command(f) + "\n" for f in shown) + f"::notice::{escape_data(summary)}\n"
