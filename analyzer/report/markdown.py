"""The Markdown report, for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

A headline (counts by severity, pass or fail against ``--fail-on``), then
per deployment and identity a Mermaid flowchart of who can send, then the
findings by severity with file:line links, their trace and fix.

GitHub refuses a comment over 65,536 characters. Low and info findings go
into ``<details>``; when the whole still does not fit, whatever comes last
(info, then low, ... then the last graphs) is left out, and the report says
how much was cut. The hidden ``MARKER`` lets the Action find its comment.
"""

from __future__ import annotations

import re
from itertools import groupby

from analyzer.findings import SEVERITIES, severity_rank
from analyzer.report import mermaid
from analyzer.report.common import (
    deployment_of,
    fix_of,
    link,
    policy_deployment,
    summarize,
    trace_steps,
    where,
)

MARKER = "<!-- sesguard-report -->"
LIMIT = 65_536
COLLAPSED = ("low", "info")
_ICONS = {"critical": "🟣", "high": "🔴", "medium": "🟠", "low": "🔵", "info": "⚪"}


def escape(value: str) -> str:
    """``value`` as literal Markdown text on one line (no markup, no HTML,
    no list or heading when it starts a line)."""
    value = re.sub(r"\s+", " ", str(value))
    for char in "\\`*_[]<>|~&":
        value = value.replace(char, "\\" + char)
    if value and value[0] in "#+-=":
        return "\\" + value
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", value)


def prose(value: str) -> str:
    """Documentation prose: its ````code```` spans as code, the rest escaped."""
    parts = " ".join(str(value).split()).split("``")
    return "".join(code(part) if i % 2 else escape(part) for i, part in enumerate(parts) if part)


def code(value: str) -> str:
    """``value`` as inline code, whatever backticks it holds."""
    value = " ".join(str(value).split())
    fence = "`"
    while fence in value:
        fence += "`"
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


class _Budget:
    """Blocks added while they fit in ``limit`` characters, keeping room
    for what closes the report; the blocks that did not fit are counted."""

    def __init__(self, limit: int, reserve: int):
        self.parts: list = []
        self.room = limit - reserve
        self.cut: dict = {}

    def fits(self, block: str) -> bool:
        return len(block) <= self.room

    def add(self, block: str) -> None:
        self.parts.append(block)
        self.room -= len(block)

    def offer(self, block: str, kind: str) -> bool:
        """Add ``block`` if it fits and nothing of its kind was cut before:
        what comes later matters less, and is never shown in place of it."""
        if kind not in self.cut and self.fits(block):
            self.add(block)
            return True
        self.skip(kind)
        return False

    def skip(self, kind: str, count: int = 1) -> None:
        self.cut[kind] = self.cut.get(kind, 0) + count


def _headline(report, summary) -> str:
    verdict = "❌ **fails**" if summary.failed else "✅ **passes**"
    lines = [MARKER, "## sesguard report", "",
             f"{verdict} with `--fail-on {summary.fail_on}`: {len(summary.active)} finding(s)"
             f" ({summary.counts}).", ""]
    if summary.active:
        lines += ["| severity | findings |", "| --- | ---: |"]
        lines += [f"| {_ICONS[s]} {s} | {summary.by_severity[s]} |" for s in SEVERITIES if summary.by_severity[s]]
        lines.append("")
    extra = [f"{n} {what}" for n, what in ((len(summary.inactive), "inactive (not counted)"),
                                           (summary.suppressed, "suppressed"),
                                           (report.baselined, "in the baseline")) if n]
    lines.append(f"{report.files} file(s) found, {report.files_parsed} parsed, {report.modules} module "
                 f"instance(s) evaluated" + "".join(f"; {e}" for e in extra) + ".")
    return "\n".join(lines) + "\n"


def _graph(policy, link_base: str) -> str:
    place = f"[{escape(where(policy.file, policy.line))}]({link(policy.file, policy.line, link_base)})"
    state = "" if policy.active else " (inactive with the values in use)"
    return (f"\n#### {escape(policy.identity)}\n\n{code(policy.policy)} at {place}{state}\n\n"
            f"```mermaid\n{mermaid.flowchart(policy)}\n```\n")


def _finding(finding, rules: dict, link_base: str) -> str:
    loc = finding.location
    line = loc.line if loc else 0
    place = (f"[{escape(where(finding.file, line))}]({link(finding.file, line, link_base)})"
             if finding.file else "(no file)")
    lines = [f"- **{finding.rule_id}** {escape(finding.name)} at {place}"
             + (f" ({code(finding.resource)})" if finding.resource else "")]
    lines.append(f"  {escape(finding.message)}")
    if finding.conditional:
        lines.append(f"  - conditional: {escape(finding.conditional)}")
    if finding.trace:
        steps = " → ".join(f"{escape(w)}" + (f" ({escape(what)})" if what else "")
                           for w, what in trace_steps(finding))
        lines.append(f"  - trace: {steps}")
    fix = fix_of(finding, rules)
    if fix:
        lines.append(f"  - fix: {prose(fix)}")
    computed = finding.fix
    if computed is not None:
        lines.append(f"  - `sesguard fix` {'applies' if computed.applicable else 'does not apply'}: "
                     f"{escape(computed.description)}" + (f" ({escape(computed.refused)})" if computed.refused else ""))
    return "\n".join(lines) + "\n"


def _deployment_label(name: str) -> str:
    return f"\n**{escape(name)}**\n\n"


def render(report, fail_on: str = "low", include_inactive: bool = False, link_base: str = "",
           limit: int = LIMIT) -> str:
    summary = summarize(report, fail_on, include_inactive)
    rules = {rule.id: rule for rule in report.rules}
    closing_room = 400
    budget = _Budget(limit, closing_room)
    budget.add(_headline(report, summary))

    if report.senders:
        budget.offer("\n### Who can send\n", "graph")
        policies = sorted(report.senders, key=lambda p: (policy_deployment(p), p.identity, p.policy))
        for name, group in groupby(policies, key=policy_deployment):
            group = list(group)
            heading = f"\n### Deployment {code(name)}\n"
            if budget.fits(heading + _graph(group[0], link_base)):
                budget.add(heading)
            for policy in group:
                budget.offer(_graph(policy, link_base), "graph")

    ordered = sorted(summary.active, key=lambda f: (severity_rank(f.severity), deployment_of(f), f.sort_key()))
    if ordered:
        budget.offer("\n### Findings\n", "finding")
    for severity, group in groupby(ordered, key=lambda f: f.severity):
        group = list(group)
        collapsed = severity in COLLAPSED
        title = f"{_ICONS[severity]} {severity.capitalize()} ({len(group)})"
        opening = (f"\n<details><summary>{title}</summary>\n\n" if collapsed else f"\n#### {title}\n")
        closing = "\n</details>\n" if collapsed else ""
        if "finding" in budget.cut or not budget.fits(opening + closing):
            budget.skip("finding", len(group))
            continue
        budget.add(opening)
        budget.room -= len(closing)
        for name, items in groupby(group, key=deployment_of):
            items = list(items)
            label = _deployment_label(name)
            if budget.fits(label + _finding(items[0], rules, link_base)):
                budget.add(label)
            for finding in items:
                budget.offer(_finding(finding, rules, link_base), "finding")
        budget.room += len(closing)
        budget.add(closing)

    if summary.inactive:
        inactive = (f"\n<details><summary>Inactive with the values in use ({len(summary.inactive)}, "
                    "not counted)</summary>\n\n"
                    + "".join(f"- **{f.rule_id}** {escape(where(f.file, f.location.line if f.location else 0))}: "
                              f"{escape(f.inactive_reason)}\n" for f in summary.inactive)
                    + "\n</details>\n")
        budget.offer(inactive, "inactive list")
    budget.room += closing_room
    if budget.cut:
        cut = ", ".join(f"{n} {kind}(s)" for kind, n in budget.cut.items())
        budget.add(f"\n> [!NOTE]\n> Cut to stay under GitHub's {limit:,}-character limit: {cut} not shown. "
                   "The HTML report (`--format html`) has everything.\n")
    return "".join(budget.parts)
