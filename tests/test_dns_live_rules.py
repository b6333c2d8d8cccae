"""``--dns live`` end to end: scans of code whose identities live in the zones
a real NSD serves on 127.0.0.1 (tests/dnsserver.py), through the command line.

Each identity comes from a Terraform plan of a deployed identity (its Easy
DKIM tokens are known) with the records the code declares; the findings on
published DNS are compared exactly."""

import json

import pytest
from click.testing import CliRunner

import dnsserver
from analyzer.cli import main
from analyzer.engine import ScanOptions, scan


def _plan(domain: str, mail_from: str, records: list) -> dict:
    resources = [{
        "address": "aws_sesv2_email_identity.d", "mode": "managed", "type": "aws_sesv2_email_identity", "name": "d",
        "values": {"email_identity": domain, "dkim_signing_attributes": [{
            "tokens": list(dnsserver.TOKENS), "domain_signing_private_key": "", "domain_signing_selector": "",
            "next_signing_key_length": "RSA_2048_BIT"}]}}, {
        "address": "aws_sesv2_email_identity_mail_from_attributes.m", "mode": "managed",
        "type": "aws_sesv2_email_identity_mail_from_attributes", "name": "m",
        "values": {"email_identity": domain, "mail_from_domain": mail_from,
                   "behavior_on_mx_failure": "REJECT_MESSAGE"}}]
    for number, (name, rtype, values) in enumerate(records):
        resources.append({"address": f"aws_route53_record.r{number}", "mode": "managed",
                          "type": "aws_route53_record", "name": f"r{number}",
                          "values": {"name": name, "fqdn": name, "type": rtype, "records": values, "ttl": 300,
                                     "zone_id": "Z0000000000000"}})
    return {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": resources}},
            "resource_changes": [{"address": r["address"], "mode": "managed", "type": r["type"], "name": r["name"],
                                  "change": {"actions": ["no-op"], "before": r["values"], "after": r["values"],
                                             "after_unknown": {}}} for r in resources]}


def _dkim_records(domain: str) -> list:
    return [(f"{t}._domainkey.{domain}", "CNAME", [f"{t}.dkim.amazonses.com"]) for t in dnsserver.TOKENS]


def _scan(tmp_path, monkeypatch, plan: dict, nameserver: str, timeout: float = 2.0):
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=["."], dns="live", nameservers=(nameserver,), dns_timeout=timeout))
    return report.findings


def _live(findings: list) -> list:
    return sorted((f.rule_id, f.severity, f.logical_path) for f in findings if f.logical_path.startswith("live/"))


def test_a_domain_set_up_as_declared_has_no_live_finding_but_the_unresolvable_include(
        dns_server, tmp_path, monkeypatch):
    plan = _plan("example.test", "mail.example.test", _dkim_records("example.test") + [
        ("mail.example.test", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]),
        ("mail.example.test", "TXT", ["v=spf1 include:amazonses.com -all"]),
        ("_dmarc.example.test", "TXT", ["v=DMARC1; p=reject; rua=mailto:dmarc@example.test"])])
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    # amazonses.com is outside the test server's zones: it refuses, and that is said, not taken as missing
    assert _live(findings) == [("SES221", "medium", "live/spf/lookup-failed")]
    assert [f for f in findings if f.rule_id == "SES001"] == []


def test_drift_between_the_code_and_public_dns(dns_server, tmp_path, monkeypatch):
    plan = _plan("drift.test", "mail.drift.test", _dkim_records("drift.test") + [
        ("mail.drift.test", "MX", ["10 feedback-smtp.us-east-1.amazonses.com"]),
        ("_dmarc.drift.test", "TXT", ["v=DMARC1; p=reject; rua=mailto:dmarc@drift.test"])])
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    assert _live(findings) == sorted([
        ("SES250", "high", "live/drift/CNAME"),  # token 2 points at token 1's target
        ("SES250", "high", "live/drift/CNAME"),  # token 3 does not exist
        ("SES250", "high", "live/drift/MX"),  # eu-west-1 served, us-east-1 declared
        ("SES250", "high", "live/drift/TXT"),  # p=none served
        ("SES250", "high", "live/dkim/2"),
        ("SES250", "high", "live/dkim/3"),
        ("SES221", "medium", "live/spf/lookup-failed"),
        ("SES231", "medium", "live/dmarc/p-none"),
    ])
    said = [f.message for f in findings if f.logical_path == "live/drift/MX"][0]
    assert f"{dns_server.address} answered at " in said and "feedback-smtp.eu-west-1.amazonses.com" in said


def test_the_command_line_runs_live_and_fails_on_drift(dns_server, tmp_path, monkeypatch):
    plan = _plan("drift.test", "mail.drift.test", [("_dmarc.drift.test", "TXT", ["v=DMARC1; p=reject"])])
    (tmp_path / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--format", "json", "--dns", "live", "--nameserver",
                                       dns_server.address, "--dns-timeout", "1"], catch_exceptions=False)
    rules = sorted({f["rule_id"] for f in json.loads(result.output)["findings"]})
    assert "SES250" in rules and "SES001" not in rules
    assert result.exit_code == 1


@pytest.mark.parametrize("domain,mail_from,expected", [
    ("spf.test", "nx.spf.test", [("SES221", "high", "live/spf/include-no-spf")]),
    ("spf.test", "loop-a.spf.test", [("SES221", "high", "live/spf/loop")]),
    ("spf.test", "void3.spf.test", [("SES221", "high", "live/spf/too-many-void-lookups")]),
    ("spf.test", "void2.spf.test", []),
    ("spf.test", "ten.spf.test", []),
])
def test_published_spf_trees_are_followed(dns_server, tmp_path, monkeypatch, domain, mail_from, expected):
    plan = _plan(domain, mail_from, [])
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    assert [f for f in _live(findings) if f[0] == "SES221"] == expected


def test_more_than_ten_lookups_through_includes(dns_server, tmp_path, monkeypatch):
    plan = _plan("spf-deep.test", "spf-deep.test", [])
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    assert ("SES221", "high", "live/spf/too-many-lookups") in _live(findings)


def test_two_published_dmarc_records(dns_server, tmp_path, monkeypatch):
    findings = _scan(tmp_path, monkeypatch, _plan("twodmarc.test", "mail.twodmarc.test", []), dns_server.address)
    assert ("SES232", "high", "live/dmarc/multiple-records") in _live(findings)


def test_a_nameserver_that_never_answers_is_ses001_not_missing(tmp_path, monkeypatch):
    with dnsserver.BlackHole() as hole:
        plan = _plan("drift.test", "mail.drift.test", [("_dmarc.drift.test", "TXT", ["v=DMARC1; p=reject"])])
        findings = _scan(tmp_path, monkeypatch, plan, hole.address, timeout=0.3)
    assert _live(findings) == []
    unresolved = sorted(f.message for f in findings if f.rule_id == "SES001")
    assert any("live DNS: _dmarc.drift.test. TXT could not be resolved" in m for m in unresolved), unresolved


def test_nameserver_needs_live_mode(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--nameserver", "127.0.0.1"])
    assert result.exit_code == 2 and "only apply with --dns live" in result.output


def test_a_bad_nameserver_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "live", "--nameserver", "not-an-ip"])
    assert result.exit_code == 2 and "not-an-ip" in result.output


def test_records_of_one_name_declared_by_several_resources_are_compared_together(dns_server, tmp_path, monkeypatch):
    """Cloudflare declares one resource per TXT value: the one that is served is not drift, the other is."""
    plan = _plan("example.test", "mail.example.test", [
        ("mail.example.test", "TXT", ["v=spf1 include:amazonses.com -all"]),
        ("mail.example.test", "TXT", ["google-site-verification=abc"])])
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    assert sorted((f.resource, f.logical_path) for f in findings if f.rule_id == "SES250") == [
        ("aws_route53_record.r1", "live/drift/TXT")]


def test_only_the_known_dkim_tokens_are_asked_for(dns_server, tmp_path, monkeypatch):
    plan = _plan("drift.test", "mail.drift.test", [])
    identity = plan["resource_changes"][0]["change"]
    identity["after"] = json.loads(json.dumps(identity["after"]))
    identity["after"]["dkim_signing_attributes"][0]["tokens"][1] = None
    identity["after_unknown"] = {"dkim_signing_attributes": [{"tokens": [False, True, False]}]}
    findings = _scan(tmp_path, monkeypatch, plan, dns_server.address)
    # token 2 is known only after apply; tokens 1 and 3 are still compared (3 is wrong)
    assert [f[2] for f in _live(findings) if f[2].startswith("live/dkim/")] == ["live/dkim/3"]
