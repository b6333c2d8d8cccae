"""One finding of every rule, taken from its fixtures, is suppressed by a
comment above the Terraform block it is about; the suppression is used (no
SES004) and nothing else changes. The targets come from every collection
of the model, DNS records included."""

import shutil

import pytest

from analyzer.engine import ScanOptions, scan
from analyzer.rules import load_rules, needs_dns
from conftest import FIXTURES

# Rules whose findings no comment above a block can suppress, and why.
UNSUPPRESSIBLE = {
    "SES002": "a crashed rule has no fixture: a rule crash is never in the code",
    "SES004": "its findings are about the suppressions themselves",
    "SES250": "needs live DNS: tests/test_dns_live_rules.py",
}


def _scan(case, rule_id):
    return scan(ScanOptions(paths=[str(case)], dns="static" if needs_dns(rule_id) else "off")).findings


def _target(rule_id, tmp_path):
    """A copy of the first fixture case of ``rule_id`` with a finding in a
    ``.tf`` file, and that finding."""
    for case in sorted(p for p in (FIXTURES / rule_id).iterdir() if p.is_dir()):
        copy = tmp_path / case.name
        shutil.copytree(case, copy)
        for finding in _scan(copy, rule_id):
            if finding.rule_id == rule_id and finding.file.endswith(".tf") and not finding.suppressed:
                return copy, finding
        shutil.rmtree(copy)
    return None, None


def _block_start(lines, line):
    """The line (1-based) of the top-level block holding ``line``."""
    for number in range(line, 0, -1):
        if lines[number - 1].startswith(("resource ", "module ", "data ")):
            return number
    return line


@pytest.mark.parametrize("rule_id", sorted(r.id for r in load_rules() if r.id not in UNSUPPRESSIBLE))
def test_one_finding_of_every_rule_can_be_suppressed(rule_id, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case, finding = _target(rule_id, tmp_path)
    assert finding is not None, f"no fixture of {rule_id} has a finding in a .tf file"
    path = tmp_path / finding.file
    lines = path.read_text(encoding="utf-8").splitlines()
    at = _block_start(lines, finding.location.line)
    comment = f"# sesguard:ignore {rule_id} reviewed in the suppression test"
    if at > 1 and not lines[at - 2].strip():
        lines[at - 2] = comment  # lines do not move: SES001 messages name them
    else:
        lines.insert(at - 1, comment)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    after = _scan(case, rule_id)
    suppressed = [f for f in after if f.fingerprint == finding.fingerprint]
    assert suppressed and all(f.suppressed for f in suppressed), [(f.rule_id, f.message) for f in after]
    assert not [f for f in after if f.rule_id == "SES004"], [f.message for f in after if f.rule_id == "SES004"]
