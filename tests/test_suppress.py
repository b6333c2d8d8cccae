"""Suppressions: the comment forms, their scope, expiry, audit mode and outputs."""

import datetime
import json

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.engine import ScanOptions, scan
from analyzer.suppress import from_comment

@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    """These tests are about the command line, not email authentication:
    the DNS rules (tested in test_dns_rules.py and their fixtures) are off."""
    monkeypatch.setenv("SESGUARD_DNS", "off")


POLICY = '''resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}
%s
resource "aws_ses_identity_policy" "p" {
  identity = aws_ses_domain_identity.d.arn
  name     = "open"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "ses:SendEmail", Resource = "*" }] %s
  })
}
'''


@pytest.mark.parametrize("text, ids, reason, until, style", [
    ("# sesguard:ignore SES101 reviewed", ("SES101",), "reviewed", "", "sesguard"),
    ("// sesguard:ignore SES101,SES102 two rules", ("SES101", "SES102"), "two rules", "", "sesguard"),
    ("/* sesguard:ignore SES101 until=2030-01-01 in a block */", ("SES101",), "in a block", "2030-01-01",
     "sesguard"),
    ("#sesguard:ignore SES103", ("SES103",), "", "", "sesguard"),
    ("#checkov:skip=SES101:the reason", ("SES101",), "the reason", "", "checkov"),
    ("# checkov:skip=SES102", ("SES102",), "", "", "checkov"),
], ids=["hash", "slash-two-ids", "block-until", "no-reason", "checkov", "checkov-no-reason"])
def test_comment_forms(text, ids, reason, until, style):
    s = from_comment("main.tf", 3, text)
    assert (s.rule_ids, s.reason, s.until, s.style, s.location.line) == (ids, reason, until, style, 3)


@pytest.mark.parametrize("text", ["# checkov:skip=CKV_AWS_365:not ours", "# a comment", "# sesguard:ignore all"])
def test_comments_that_are_not_our_suppressions(text):
    assert from_comment("main.tf", 1, text) is None


def _scan(tmp_path, monkeypatch, before="", inline="", **options):
    (tmp_path / "main.tf").write_text(POLICY % (before, inline))
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="off", **options))
    return sorted((f.rule_id, f.location.line, bool(f.suppressed)) for f in report.findings)


@pytest.mark.parametrize("before, inline, expected", [
    ("", "", [("SES101", 9, False)]),
    ("# sesguard:ignore SES101 reviewed", "", [("SES101", 9, True)]),
    ("", "# sesguard:ignore SES101 on the line", [("SES101", 9, True)]),
    ("# sesguard:ignore SES102 wrong rule", "", [("SES004", 4, False), ("SES101", 9, False)]),
    ("# sesguard:ignore SES101 until=2026-01-01 expired", "",
     [("SES004", 4, False), ("SES101", 9, False)]),
    ("# sesguard:ignore SES101 until=2026-13-01 bad date", "",
     [("SES004", 4, False), ("SES101", 9, False)]),
    ("# sesguard:ignore SES101 until=2026-12-31 still valid", "", [("SES101", 9, True)]),
], ids=["none", "line-above", "inline", "other-rule", "expired", "bad-date", "not-yet-expired"])
def test_scope_and_expiry(tmp_path, monkeypatch, before, inline, expected):
    today = datetime.date(2026, 11, 28)
    assert _scan(tmp_path, monkeypatch, before, inline, today=today) == expected


def test_a_comment_two_lines_above_the_block_does_not_apply(tmp_path, monkeypatch):
    assert _scan(tmp_path, monkeypatch, "# sesguard:ignore SES101 too far\n") == [
        ("SES004", 4, False), ("SES101", 10, False)]


def test_audit_mode_ignores_suppressions(tmp_path, monkeypatch):
    assert _scan(tmp_path, monkeypatch, "# sesguard:ignore SES101 reviewed", suppress=False) == [
        ("SES101", 9, False)]


def test_suppressed_findings_stay_in_json_and_do_not_fail(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(POLICY % ("# sesguard:ignore SES101 reviewed by security", ""))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.output)
    [finding] = report["findings"]
    assert finding["suppressed"] is True
    assert finding["suppression"] == {"kind": "inSource", "justification": "reviewed by security",
                                      "file": "main.tf", "line": 4}
    assert report["summary"]["suppressed"] == 1 and report["summary"]["active"] == 0
    text = CliRunner().invoke(main, ["scan", "."]).output
    assert text.splitlines()[-1].startswith("0 finding(s): no findings; 0 inactive; 1 suppressed;")
    assert CliRunner().invoke(main, ["scan", ".", "--no-suppress"]).exit_code == 1
