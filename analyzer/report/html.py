"""The HTML report, for reviewing a whole repository: one self-contained
file (inline CSS and script, SVG graphs sesguard lays out, nothing loaded
from anywhere) with a summary, filters by severity, rule and deployment,
who can send as each identity, and every finding with its code excerpt,
trace and fix.

Code excerpts come from the files the scan read, as they are now on disk.
"""

from __future__ import annotations

import html
import os
from itertools import groupby

from analyzer import __version__
from analyzer.findings import SEVERITIES, severity_rank
from analyzer.report import svg
from analyzer.report.common import deployment_of, fix_of, link, policy_deployment, posix, summarize, where

CONTEXT = 3  # lines of code shown around a finding's line
MAX_EXCERPT_FILE = 10 * 1024 * 1024
MAX_LINE = 240

_CSS = """
:root { --critical:#6a1b9a; --high:#c62828; --medium:#e65100; --low:#1565c0; --info:#546e7a; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d1d1f; background: #f6f7f9; }
header { background: #1f2937; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header .verdict { font-weight: 600; }
header .verdict.fail { color: #ffb4b4; } header .verdict.pass { color: #b9f6ca; }
main { padding: 16px 28px 40px; max-width: 1280px; }
.cards { display: flex; gap: 10px; margin: 12px 0; flex-wrap: wrap; }
.card { background: #fff; border-radius: 8px; padding: 10px 16px; border-left: 5px solid #999; min-width: 110px; }
.card b { display: block; font-size: 22px; }
.card.critical { border-color: var(--critical); } .card.high { border-color: var(--high); }
.card.medium { border-color: var(--medium); } .card.low { border-color: var(--low); } .card.info { border-color: var(--info); }
section { background: #fff; border-radius: 8px; padding: 12px 18px; margin: 14px 0; }
h2 { font-size: 18px; margin: 4px 0 10px; } h3 { font-size: 15px; margin: 14px 0 6px; }
figure { margin: 8px 0 16px; overflow-x: auto; } figcaption { font-size: 13px; color: #444; margin-bottom: 4px; }
.filters { display: flex; gap: 14px; align-items: center; flex-wrap: wrap; }
.filters label { font-size: 13px; } select { font: inherit; padding: 2px 4px; }
.badge { display: inline-block; padding: 0 7px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.badge.critical { background: var(--critical); } .badge.high { background: var(--high); }
.badge.medium { background: var(--medium); } .badge.low { background: var(--low); } .badge.info { background: var(--info); }
.badge.state { background: #9e9e9e; }
details.finding { border: 1px solid #e0e0e0; border-radius: 6px; margin: 6px 0; padding: 6px 10px; }
details.finding > summary { cursor: pointer; }
details.finding[hidden] { display: none; }
.rule { font-weight: 600; } .resource { color: #555; font-family: ui-monospace, monospace; font-size: 12px; }
pre.excerpt { background: #0f172a; color: #e2e8f0; padding: 8px 0; border-radius: 6px; overflow-x: auto; font-size: 12px; }
pre.excerpt span { display: block; padding: 0 10px; white-space: pre; }
pre.excerpt span.hit { background: #7f1d1d; }
pre.excerpt i { color: #94a3b8; font-style: normal; display: inline-block; width: 4em; user-select: none; }
.fix { background: #e8f5e9; border-radius: 4px; padding: 4px 8px; }
pre.edit { background: #f0fdf4; border: 1px solid #bbf7d0; padding: 6px 0; border-radius: 6px; font-size: 12px; overflow-x: auto; }
pre.edit span { display: block; padding: 0 10px; white-space: pre; }
.muted { color: #666; font-size: 12px; }
"""

_SCRIPT = """
(function () {
  var selects = document.querySelectorAll(".filters select");
  var findings = document.querySelectorAll("details.finding");
  var count = document.getElementById("shown");
  function apply() {
    var want = {};
    selects.forEach(function (s) { want[s.dataset.key] = s.value; });
    var shown = 0;
    findings.forEach(function (f) {
      var ok = Object.keys(want).every(function (k) { return !want[k] || f.dataset[k] === want[k]; });
      f.hidden = !ok;
      if (ok) { shown++; }
    });
    count.textContent = shown + " of " + findings.length + " shown";
  }
  // #severity=high&rule=SES101 in the address preselects filters, so a filtered view can be linked.
  var initial = new URLSearchParams(location.hash.slice(1));
  selects.forEach(function (s) {
    if (initial.has(s.dataset.key)) { s.value = initial.get(s.dataset.key); }
    s.addEventListener("change", apply);
  });
  apply();
})();
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


class _Excerpts:
    """Lines of the scanned files, read once each."""

    def __init__(self):
        self.files: dict = {}

    def lines(self, file: str):
        """The file's lines, or the reason they cannot be shown."""
        if file not in self.files:
            try:
                if not os.path.isfile(file):
                    raise OSError("not a regular file now")
                if os.path.getsize(file) > MAX_EXCERPT_FILE:
                    raise OSError("larger than 10 MB")
                with open(file, encoding="utf-8", errors="replace") as f:
                    self.files[file] = f.read().splitlines()
            except OSError as exc:
                self.files[file] = f"excerpt not available: {exc.strerror or exc}"
        return self.files[file]

    def html(self, file: str, line: int) -> str:
        if not file or line <= 0:
            return ""
        lines = self.lines(file)
        if isinstance(lines, str):
            return f'<p class="muted">{_e(lines)}</p>'
        first, last = max(1, line - CONTEXT), min(len(lines), line + CONTEXT)
        rows = []
        for number in range(first, last + 1):
            text = lines[number - 1]
            text = text if len(text) <= MAX_LINE else text[:MAX_LINE] + "…"
            hit = ' class="hit"' if number == line else ""
            rows.append(f"<span{hit}><i>{number}</i>{_e(text)}</span>")
        return f'<pre class="excerpt" data-file="{_e(posix(file))}" data-line="{line}">{"".join(rows)}</pre>'


def _finding(finding, rules: dict, link_base: str, excerpts: _Excerpts) -> str:
    loc = finding.location
    line = loc.line if loc else 0
    state = _state(finding)
    place = (f'<a href="{_e(link(finding.file, line, link_base))}">{_e(where(finding.file, line))}</a>'
             if finding.file else "(no file)")
    badge = "" if state == "active" else f' <span class="badge state">{state}</span>'
    opened = " open" if state == "active" and severity_rank(finding.severity) <= severity_rank("high") else ""
    parts = [f'<details{opened} class="finding" data-severity="{finding.severity}" data-rule="{_e(finding.rule_id)}" '
             f'data-deployment="{_e(deployment_of(finding))}" data-state="{state}">',
             f'<summary><span class="badge {finding.severity}">{finding.severity}</span> '
             f'<span class="rule">{_e(finding.rule_id)}</span> {_e(finding.name)} at {place}{badge} '
             f'<span class="resource">{_e(finding.resource)}</span></summary>',
             f'<p class="message">{_e(finding.message)}</p>']
    if finding.deployment:
        parts.append(f'<p class="muted">deployment {_e(finding.deployment)}</p>')
    if finding.conditional:
        parts.append(f'<p class="muted">conditional: {_e(finding.conditional)}</p>')
    if not finding.active:
        parts.append(f'<p class="muted">inactive: {_e(finding.inactive_reason)}</p>')
    parts.append(excerpts.html(finding.file, line))
    if finding.trace:
        steps = "".join(f'<li><a href="{_e(link(step.file, step.line, link_base))}">{_e(where(step.file, step.line))}'
                        f'</a> {_e(step.what)}{excerpts.html(step.file, step.line)}</li>' for step in finding.trace)
        parts.append(f'<div class="trace"><b>Trace</b> (origin first)<ol>{steps}</ol></div>')
    fix = fix_of(finding, rules)
    if fix:
        parts.append(f'<p class="fix"><b>Fix:</b> {_e(fix)}</p>')
    if finding.fix is not None:
        verb = "applies" if finding.fix.applicable else "does not apply"
        why = f" ({_e(finding.fix.refused)})" if finding.fix.refused else ""
        parts.append(f'<p class="fix computed"><code>sesguard fix</code> {verb}: {_e(finding.fix.description)}{why}</p>')
        parts.extend(_edit(edit) for edit in finding.fix.edits)
    parts.append("</details>")
    return "".join(parts)


def _edit(edit) -> str:
    """One edit of a fix: where, and the text it writes."""
    what = "insert at" if (edit.line, edit.column) == (edit.end_line, edit.end_column) else "replace at"
    added = "".join(f"<span>+ {_e(line)}</span>" for line in edit.text.strip("\n").split("\n"))
    return (f'<pre class="edit" data-file="{_e(posix(edit.file))}" data-line="{edit.line}">'
            f"<span># {what} {_e(posix(edit.file))}:{edit.line}:{edit.column}</span>{added}</pre>")


def _select(key: str, label: str, values) -> str:
    options = "".join(f'<option value="{_e(v)}">{_e(v)}</option>' for v in values)
    return (f'<label>{label} <select data-key="{key}" id="filter-{key}"><option value="">all</option>'
            f"{options}</select></label>")


def render(report, fail_on: str = "low", include_inactive: bool = False, link_base: str = "") -> str:
    summary = summarize(report, fail_on, include_inactive)
    rules = {rule.id: rule for rule in report.rules}
    excerpts = _Excerpts()
    verdict = ('<span class="verdict fail">fails</span>' if summary.failed
               else '<span class="verdict pass">passes</span>')
    cards = "".join(f'<div class="card {s}"><b>{summary.by_severity[s]}</b>{s}</div>' for s in SEVERITIES)
    extra = "".join(f"; {n} {what}" for n, what in ((len(summary.inactive), "inactive (not counted)"),
                                                     (summary.suppressed, "suppressed"),
                                                     (report.baselined, "in the baseline")) if n)
    out = ["<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           "<title>sesguard report</title>", f"<style>{_CSS}</style></head><body>",
           f"<header><h1>sesguard report</h1><div>{verdict} with --fail-on {_e(fail_on)}: "
           f'<span id="active-count">{len(summary.active)}</span> finding(s) ({_e(summary.counts)}) · sesguard '
           f"{_e(__version__)}</div></header><main>",
           f'<div class="cards" id="summary">{cards}</div>',
           f'<p class="muted">{report.files} file(s) found, {report.files_parsed} parsed, {report.modules} module '
           f"instance(s) evaluated{_e(extra)}.</p>"]

    out.append('<section id="senders"><h2>Who can send</h2>')
    if not report.senders:
        out.append('<p class="muted">No identity policy in the scan.</p>')
    policies = sorted(report.senders, key=lambda p: (policy_deployment(p), p.identity, p.policy))
    for name, group in groupby(policies, key=policy_deployment):
        out.append(f'<h3>Deployment {_e(name)}</h3>')
        for policy in group:
            state = "" if policy.active else " (inactive with the values in use)"
            place = f'<a href="{_e(link(policy.file, policy.line, link_base))}">{_e(where(policy.file, policy.line))}</a>'
            out.append(f'<figure class="identity" data-deployment="{_e(name)}"><figcaption><b>{_e(policy.identity)}'
                       f"</b> · {_e(policy.policy)} at {place}{state}</figcaption>{svg.graph(policy)}</figure>")
    out.append("</section>")

    findings = sorted(report.findings, key=lambda f: (severity_rank(f.severity), f.suppressed is not None,
                                                      not f.active, deployment_of(f), f.sort_key()))
    out.append('<section id="findings"><h2>Findings</h2><div class="filters">')
    out.append(_select("severity", "Severity", [s for s in SEVERITIES if any(f.severity == s for f in findings)]))
    out.append(_select("rule", "Rule", sorted({f.rule_id for f in findings})))
    out.append(_select("deployment", "Deployment", sorted({deployment_of(f) for f in findings})))
    out.append(_select("state", "State", [s for s in ("active", "inactive", "suppressed")
                                          if any(_state(f) == s for f in findings)]))
    out.append('<span class="muted" id="shown"></span></div>')
    if not findings:
        out.append('<p class="muted">No findings.</p>')
    out.extend(_finding(f, rules, link_base, excerpts) for f in findings)
    out.append(f"</section></main><script>{_SCRIPT}</script></body></html>")
    return "\n".join(out) + "\n"


def _state(finding) -> str:
    return "suppressed" if finding.suppressed else "inactive" if not finding.active else "active"
