"""The JUnit XML report, for CI test tabs.

One ``<testsuite name="sesguard">`` inside ``<testsuites>``. Each rule ×
resource (or file, when there is no resource) is a ``<testcase>`` with
``classname`` the rule id; its findings become its children:

* SES001/SES002 (input not analyzed, rule crashed): ``<error>``;
* other active, unsuppressed findings: ``<failure>``;
* inactive or suppressed findings: one ``<skipped>`` for the testcase, when
  it has no error or failure; otherwise they are listed in ``<system-out>``.

Each element's ``type`` is the finding's severity, its ``message`` the
first 200 characters of the finding's message, its text the full message
and the location. A rule without findings is one passing testcase named
``no findings``. The counts are per testcase, by its worst outcome (error,
failure, skipped), so ``tests`` is passing + failures + errors + skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

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


def _outcome(finding) -> str:
    if finding.rule_id in mandatory_ids():
        return "error"
    if not finding.active or getattr(finding, "suppressed", None) is not None:
        return "skipped"
    return "failure"


def _quiet_text(finding) -> str:
    return f"{_text(finding)}\n{_xml(_skip_reason(finding))}"


def _testcase(suite, rule_id: str, name: str, findings: list) -> str:
    """Adds the testcase; returns its outcome: error, failure, skipped or passed."""
    case = ET.SubElement(suite, "testcase", classname=rule_id, name=_xml(name))
    outcomes = [_outcome(f) for f in findings]
    loud = [f for f, outcome in zip(findings, outcomes) if outcome != "skipped"]
    quiet = [f for f, outcome in zip(findings, outcomes) if outcome == "skipped"]
    for finding in sorted(loud, key=lambda f: _outcome(f) != "error"):  # errors first, as JUnit orders them
        element = ET.SubElement(case, _outcome(finding), type=finding.severity,
                                message=_xml(finding.text[:MESSAGE_LIMIT]))
        element.text = _text(finding)
    if quiet:
        text = "\n\n".join(_quiet_text(f) for f in quiet)
        if loud:
            ET.SubElement(case, "system-out").text = text
        else:
            reasons = "; ".join(dict.fromkeys(_skip_reason(f) for f in quiet))
            ET.SubElement(case, "skipped", message=_xml(reasons[:MESSAGE_LIMIT])).text = text
    return next((outcome for outcome in ("error", "failure", "skipped") if outcome in outcomes), "passed")


def render(report) -> str:
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
            outcomes.append(_testcase(suite, rule_id, name, findings))
    counts = {"tests": len(outcomes), "failures": outcomes.count("failure"),
              "errors": outcomes.count("error"), "skipped": outcomes.count("skipped")}
    for element in (root, suite):
        element.attrib.update({key: str(value) for key, value in counts.items()})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
