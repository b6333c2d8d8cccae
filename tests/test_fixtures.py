"""Every fixture case is scanned and must give exactly the findings written
next to its lines (``# expect: SES101 [inactive] [high]``) or in its
``EXPECT`` file (``SES101 path:line [inactive] [high]``). Suppressed findings
are not reported, so they are not expected.

The email-authentication rules (SES210–SES259) judge the DNS of every
domain identity, so they would add the same findings (no DMARC, no MAIL
FROM...) to every other rule's fixture: those fixtures are scanned with
``--dns off``, and the DNS rules are held exact by their own fixtures."""

import re
from collections import Counter

import pytest

from analyzer.engine import ScanOptions, scan
from analyzer.findings import SEVERITIES
from analyzer.rules import needs_dns
from conftest import FIXTURES

CASES = sorted(p for p in FIXTURES.glob("SES*/*") if p.is_dir())
_INLINE = re.compile(r"(?:#|//)\s*expect:\s*(.+)$")


def _expectations(case):
    expected = []
    for path in sorted(case.rglob("*")):
        if not path.is_file() or path.suffix not in (".tf", ".tofu", ".tpl", ".json", ".tfvars", ".yaml", ".yml"):
            continue
        rel = path.relative_to(case).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            m = _INLINE.search(line)
            if m:
                expected.extend(_parse(m.group(1).split(), rel, number))
    expect_file = case / "EXPECT"
    if expect_file.exists():
        for line in expect_file.read_text(encoding="utf-8").splitlines():
            words = line.split()
            if words:
                file, number = words[1].rsplit(":", 1)
                expected.extend(_parse([words[0]] + words[2:], file, int(number)))
    return expected


def _parse(words, file, line):
    """``SES231 medium SES232 [info] inactive``: each rule id, with the
    severity written after it (brackets optional); ``inactive`` applies to all."""
    words = [w.strip("[]") for w in words]
    active = "inactive" not in words
    expected = []
    for word in words:
        if re.fullmatch(r"SES\d{3}", word):
            expected.append([word, file, line, active, None])
        elif word in SEVERITIES and expected:
            expected[-1][4] = word
    return [tuple(e) for e in expected]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.parent.name}/{c.name}" for c in CASES])
def test_fixture(case, monkeypatch):
    monkeypatch.chdir(case)
    report = scan(ScanOptions(paths=["."], dns="static" if needs_dns(case.parent.name) else "off"))
    expected = _expectations(case)
    reported = [f for f in report.findings if not f.suppressed]
    got = Counter((f.rule_id, f.file, f.location.line, f.active) for f in reported)
    assert got == Counter(e[:4] for e in expected), "\n".join(
        f"{f.file}:{f.location.line}: {f.rule_id} [{f.severity}] {f.message}" for f in reported)
    for rule, file, line, active, severity in expected:
        if severity:
            assert any(f.rule_id == rule and f.file == file and f.location.line == line and f.severity == severity
                       for f in reported), (rule, file, line, severity)


def test_every_rule_has_a_fixture():
    from analyzer.rules import load_rules

    covered = {p.parent.name for p in CASES}
    missing = {r.id for r in load_rules()} - covered - {"SES002", "SES250"}  # SES250: tests/test_dns_live_rules.py
    assert not missing
