"""The JUnit XML report, for CI test tabs.

One ``<testsuite name="sesguard">`` inside ``<testsuites>``. Each rule ×
resource (or file, when there is no resource) is a ``<testcase>`` with
``classname`` the rule id, and ``file`` and ``line`` the place of its first
finding, the file relative to the repository root (GitLab links a test to
its file by ``file``; a testcase without a finding names the root, ``.``).
Its findings become its children:

* SES001/SES002 (input not analyzed, rule crashed): ``<error>``;
* other findings that fail the run (active, unsuppressed, at or above
  ``--fail-on``; inactive ones too with ``--include-inactive``):
  ``<failure>``, so the test tab is red exactly when the exit status is 1;
* inactive or suppressed findings: one ``<skipped>`` for the testcase, when
  it has no error or failure; otherwise they are listed in ``<system-out>``;
* findings below ``--fail-on``: listed in ``<system-out>`` of a passing
  testcase.

Each element's ``type`` is the finding's severity, its ``message`` the
first 200 characters of the finding's message, its text the full message
and the location. A rule without findings is one passing testcase named
``no findings``. The counts are per testcase, by its worst outcome (error,
failure, skipped), so ``tests`` is passing + failures + errors + skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from analyzer.findings import severity_rank
from analyzer.repository import relative
from analyzer.rules import mandatory_ids

MESSAGE_LIMIT = 200
# Characters XML 1.0 cannot carry, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _where(finding) -> str:
    loc = finding.location
    if not finding.file:
        return ""
    return f"\nat {finding.file}:{loc.line}:{loc.column}" if loc.line > 0 else f"\nat {finding.file}"


def _text(finding) -> str:
    return _xml(finding.text + _where(finding))


def _skip_reason(finding) -> str:
    suppressed = getattr(finding, "suppressed", None)
    if suppressed is not None:
        return f"suppressed ({suppressed.kind}): {suppressed.justification}"
    return f"inactive: {finding.inactive_reason}"


class _Judge:
    """Which findings fail the run, as ``analyzer.engine.exit_status`` decides."""

    def __init__(self, fail_on: str, include_inactive: bool):
        self.threshold = severity_rank(fail_on)
        self.include_inactive = include_inactive

    def outcome(self, finding) -> str:
        if finding.rule_id in mandatory_ids():
            return "error"
        if getattr(finding, "suppressed", None) is not None or not finding.active and not self.include_inactive:
            return "skipped"
        if severity_rank(finding.severity) > self.threshold:
            return "passed"
        return "failure"


def _quiet_text(finding) -> str:
    return f"{_text(finding)}\n{_xml(_skip_reason(finding))}"


def _below_text(finding) -> str:
    return f"{_text(finding)}\n[{finding.severity}: below --fail-on]"


def _testcase(suite, rule_id: str, name: str, findings: list, judge: _Judge, root) -> str:
    """Adds the testcase; returns its outcome: error, failure, skipped or passed."""
    first = next((f for f in findings if f.file), None)
    case = ET.SubElement(suite, "testcase", classname=rule_id, name=_xml(name),
                         file=_xml(relative(first.file, root)) if first else ".")
    if first and first.location.line > 0:
        case.set("line", str(first.location.line))
    outcomes = [judge.outcome(f) for f in findings]
    loud = [f for f, outcome in zip(findings, outcomes) if outcome in ("error", "failure")]
    below = [f for f, outcome in zip(findings, outcomes) if outcome == "passed"]
    quiet = [f for f, outcome in zip(findings, outcomes) if outcome == "skipped"]
    for finding in sorted(loud, key=lambda f: judge.outcome(f) != "error"):  # errors first, as JUnit orders them
        element = ET.SubElement(case, judge.outcome(finding), type=finding.severity,
                                message=_xml(finding.text[:MESSAGE_LIMIT]))
        element.text = _text(finding)
    text = "\n\n".join([_quiet_text(f) for f in quiet] + [_below_text(f) for f in below])
    if quiet and not loud and not below:
        reasons = "; ".join(dict.fromkeys(_skip_reason(f) for f in quiet))
        ET.SubElement(case, "skipped", message=_xml(reasons[:MESSAGE_LIMIT])).text = text
        return "skipped"
    if text:
        ET.SubElement(case, "system-out").text = text
    return next((outcome for outcome in ("error", "failure") if outcome in outcomes), "passed")


def render(report, fail_on: str = "low", include_inactive: bool = False) -> str:
    judge = _Judge(fail_on, include_inactive)
    repo_root = getattr(report, "root", "") or None
    rule_ids = list(dict.fromkeys([r.id for r in report.rules] + [f.rule_id for f in report.findings]))
    cases = {rule_id: {} for rule_id in rule_ids}
    for finding in report.findings:
        name = finding.resource or finding.file or "<scan>"
        cases[finding.rule_id].setdefault(name, []).append(finding)
    root = ET.Element("testsuites")
    suite = ET.SubElement(root, "testsuite", name="sesguard")
    outcomes = []
    for rule_id in rule_ids:
        for name, findings in cases[rule_id].items() or [("no findings", [])]:
            outcomes.append(_testcase(suite, rule_id, name, findings, judge, repo_root))
    counts = {"tests": len(outcomes), "failures": outcomes.count("failure"),
              "errors": outcomes.count("error"), "skipped": outcomes.count("skipped")}
    for element in (root, suite):
        element.attrib.update({key: str(value) for key, value in counts.items()})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
