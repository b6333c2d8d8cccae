"""The text report: one line per finding, grouped by file, then a summary."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from analyzer.counts import describe
from analyzer.findings import SEVERITIES

_COLOURS = {"critical": "magenta", "high": "red", "medium": "yellow", "low": "cyan", "info": "blue"}


def _line(finding, colour: bool, deployments: bool = False) -> str:
    """A finding on one line (and where its value came from on the next);
    with ``deployments``, the line names the finding's deployment."""
    import click

    loc = finding.location
    where = f"{finding.file}:{loc.line}:{loc.column}" if loc and loc.line else (finding.file or "<scan>")
    severity = f"[{finding.severity}]"
    if colour:
        severity = click.style(severity, fg=_COLOURS[finding.severity], bold=finding.severity == "critical")
    deployment = f" [deployment {finding.deployment}]" if deployments and finding.deployment else ""
    conditional = f" [conditional: {finding.conditional}]" if finding.conditional else ""
    return f"{where}: {finding.rule_id} {severity} {finding.text}{deployment}{conditional}{via(finding)}"


def via(finding) -> str:
    """A line under the finding saying where its value came from
    (``via terraform.tfvars:2 → module.marketing argument senders (main.tf:7)``), or ""."""
    steps = [f"{step.file}:{step.line}" if step.what == "value written" else f"{step.what} ({step.file}:{step.line})"
             for step in finding.trace]
    return "\n      via " + " → ".join(steps) if steps else ""


def _section(findings, colour: bool, deployments: bool) -> list:
    lines = []
    for file, group in groupby(findings, key=lambda f: f.file):
        lines.append("")
        lines.append(file or "<scan>")
        lines.extend("  " + _line(f, colour, deployments) for f in group)
    return lines


def render(report, colour: bool = False, quiet: bool = False) -> str:
    """The report; ``quiet`` keeps only the lines of active findings."""
    active = [f for f in report.findings if f.active and not f.suppressed]
    several = len({f.deployment for f in report.findings if f.deployment}) > 1  # say which each is about
    if quiet:
        return "".join(_line(f, colour, several) + "\n" for f in active)
    inactive = [f for f in report.findings if not f.active and not f.suppressed]
    suppressed = [f for f in report.findings if f.suppressed]
    lines = _section(active, colour, several)
    if inactive:
        lines.append("")
        lines.append("Inactive with the values in use (shown, not counted; --include-inactive counts them):")
        for file, group in groupby(inactive, key=lambda f: f.file):
            lines.append(file or "<scan>")
            for f in group:
                lines.append("  " + _line(f, colour, several) + f" [inactive: {f.inactive_reason}]")
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
                 f"{describe(report)}; {report.modules} module instance(s) evaluated.")
    return "\n".join(lines).lstrip("\n") + "\n"
