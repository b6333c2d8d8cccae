"""The text report: one line per finding, grouped by file, then a summary."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from analyzer.findings import SEVERITIES

_COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "blue"}


def _line(finding, colour: bool) -> str:
    import click

    loc = finding.location
    where = f"{finding.file}:{loc.line}:{loc.column}" if loc and loc.line else (finding.file or "<scan>")
    severity = f"[{finding.severity}]"
    if colour:
        severity = click.style(severity, fg=_COLOURS[finding.severity], bold=finding.severity == "critical")
    return f"{where}: {finding.rule_id} {severity} {finding.text}"


def _section(findings, colour: bool) -> list:
    lines = []
    for file, group in groupby(findings, key=lambda f: f.file):
        lines.append("")
        lines.append(file or "<scan>")
        lines.extend("  " + _line(f, colour) for f in group)
    return lines


def render(report, colour: bool = False, quiet: bool = False) -> str:
    """The report; ``quiet`` keeps only the lines of active findings."""
    active = [f for f in report.findings if f.active and not f.suppressed]
    if quiet:
        return "".join(_line(f, colour) + "\n" for f in active)
    inactive = [f for f in report.findings if not f.active and not f.suppressed]
    suppressed = [f for f in report.findings if f.suppressed]
    lines = _section(active, colour)
    if inactive:
        lines.append("")
        lines.append("Inactive with the values in use (shown, not counted; --include-inactive counts them):")
        for file, group in groupby(inactive, key=lambda f: f.file):
            lines.append(file or "<scan>")
            for f in group:
                lines.append("  " + _line(f, colour) + f" [inactive: {f.inactive_reason}]")
    if report.not_analyzed:
        lines.append("")
        lines.append(f"{len(report.not_analyzed)} module call(s) not analyzed:")
        for call in report.not_analyzed:
            where = f"{call.loc.file}:{call.loc.line}" if call.loc else ""
            lines.append(f"  {where}: {call.address}: {call.reason}")
    counts = Counter(f.severity for f in active)
    by_severity = ", ".join(f"{counts[s]} {s}" for s in SEVERITIES if counts[s]) or "no findings"
    lines.append("")
    extra = "".join(f"; {n} {what}" for n, what in ((len(suppressed), "suppressed"),
                                                     (report.baselined, "in the baseline")) if n)
    lines.append(f"{len(active)} finding(s): {by_severity}; {len(inactive)} inactive{extra}; "
                 f"{report.files} file(s) found, {report.files_parsed} parsed, "
                 f"{report.modules} module instance(s) evaluated.")
    return "\n".join(lines).lstrip("\n") + "\n"
