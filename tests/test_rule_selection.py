"""Which rules run, asked of the registry: the rules a scan skips cannot
make a suppression of theirs "unused", and a suppression written at a DNS
record applies to the findings about that record."""

from analyzer.engine import ScanOptions, scan
from analyzer.rules import enabled, load_rules

SPF = '''resource "aws_route53_zone" "z" {
  name = "example.com"
}

%s
resource "aws_route53_record" "spf" {
  zone_id = aws_route53_zone.z.zone_id
  name    = "mail"
  type    = "TXT"
  ttl     = 600
  records = ["v=spf1 include:amazonses.com +all"]
}
'''


def _findings(tmp_path, monkeypatch, text, **options):
    (tmp_path / "main.tf").write_text(text)
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], **options))
    return sorted((f.rule_id, f.location.line, bool(f.suppressed)) for f in report.findings)


IDENTITY = '''
resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}
'''


def test_suppression_of_a_dns_rule_is_not_unused_when_dns_is_off(tmp_path, monkeypatch):
    text = SPF % "# sesguard:ignore SES221 the mail relay needs +all until it moves" + IDENTITY
    assert _findings(tmp_path, monkeypatch, text, dns="off", disable=("SES302", "SES305")) == []


def test_suppression_of_a_live_rule_is_not_unused_without_live_dns(tmp_path, monkeypatch):
    text = SPF % "# sesguard:ignore SES250 the record is applied by another team"
    assert _findings(tmp_path, monkeypatch, text, dns="static") == [("SES221", 11, False)]


def test_suppression_above_a_dns_record_applies_to_its_finding(tmp_path, monkeypatch):
    text = SPF % "# sesguard:ignore SES221 the mail relay needs +all until it moves"
    assert _findings(tmp_path, monkeypatch, text, dns="static") == [("SES221", 11, True)]


def test_suppression_inside_a_dns_record_applies_to_its_finding(tmp_path, monkeypatch):
    text = SPF.replace('  name    = "mail"\n', '  name    = "mail" # sesguard:ignore SES221 reviewed\n') % ""
    assert _findings(tmp_path, monkeypatch, text, dns="static") == [("SES221", 11, True)]


def test_a_suppression_of_a_rule_that_ran_and_found_nothing_is_unused(tmp_path, monkeypatch):
    text = SPF % "# sesguard:ignore SES230 no DMARC here"
    assert _findings(tmp_path, monkeypatch, text, dns="static") == [("SES004", 5, False), ("SES221", 11, False)]


def _ids(**options):
    return {r.id for r in enabled(ScanOptions(**options))}


def test_enabled_follows_the_rules_metadata():
    every = {r.id for r in load_rules()}
    dns = {r.id for r in load_rules() if r.needs_dns}
    assert _ids(dns="live") == every
    assert _ids(dns="static") == every - {"SES250"}
    assert _ids(dns="off") == every - dns
    assert "SES221" in dns and "SES101" not in dns


def test_mandatory_rules_run_whatever_is_disabled():
    assert _ids(dns="off", disable=("SES001", "SES002", "SES101")) == _ids(dns="off") - {"SES101"}
