"""The configuration file, baselines and several outputs at once."""

import json
import shutil

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.config import STARTER, ConfigError, load_config
from conftest import FIXTURES

@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    """These tests are about the command line, not email authentication:
    the DNS rules (tested in test_dns_rules.py and their fixtures) are off."""
    monkeypatch.setenv("SESGUARD_DNS", "off")



def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A small repository: a public policy, a partner grant and an inactive policy."""
    for case in ("SES101/jsonencode", "SES102/account", "SES101/inactive"):
        shutil.copytree(FIXTURES / case, tmp_path / case.replace("/", "_"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(result):
    return sorted((f["rule_id"], f["file"], f["severity"]) for f in json.loads(result.output)["findings"])


def test_starter_file_is_valid_and_init_refuses_to_overwrite(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("init").output == "wrote .sesguard.yml\n"
    assert load_config(".sesguard.yml").fail_on == "low"
    assert (tmp_path / ".sesguard.yml").read_text() == STARTER
    result = CliRunner().invoke(main, ["init"])
    assert result.exit_code == 2 and "not overwritten" in result.output


@pytest.mark.parametrize("text, message", [
    ("bogus: 1\n", ".sesguard.yml:1: unknown key 'bogus'"),
    ("trusted_accounts:\n  - '12'\n", ".sesguard.yml:2: trusted_accounts: '12' is not a 12-digit account id"),
    ("trusted_accounts: 111122223333\n", ".sesguard.yml:1: trusted_accounts must be a list"),
    ("fail_on: severe\n", ".sesguard.yml:1: fail_on: 'severe' is not one of"),
    ("severity:\n  SES102: urgent\n", ".sesguard.yml:2: severity: 'urgent' is not one of"),
    ("severity:\n  X1: high\n", ".sesguard.yml:2: severity: 'X1' is not a rule id"),
    ("disable: [SES9]\n", ".sesguard.yml:1: disable: 'SES9' is not a rule id"),
    ("trusted_orgs: [acme]\n", ".sesguard.yml:1: trusted_orgs: 'acme' is not an organization id"),
    ("var_files: [a]\n", ".sesguard.yml:1: var_files must be a mapping"),
    ("a: [\n", ".sesguard.yml:2: not valid YAML"),
    ("- a\n", ".sesguard.yml:1: the configuration must be a mapping"),
    ("dns: sometimes\n", ".sesguard.yml:1: dns: 'sometimes' is not one of off, static, live"),
    ("dns: true\n", ".sesguard.yml:1: dns: 'true' is not one of off, static, live"),
], ids=["unknown-key", "bad-account", "not-a-list", "bad-fail-on", "bad-severity", "bad-rule-id",
        "bad-disable", "bad-org", "var-files-list", "bad-yaml", "not-a-mapping", "bad-dns", "dns-yes"])
def test_invalid_configuration_is_an_error_with_its_line(repo, text, message):
    (repo / ".sesguard.yml").write_text(text)
    with pytest.raises(ConfigError) as error:
        load_config(".sesguard.yml")
    assert str(error.value).startswith(message)
    result = CliRunner().invoke(main, ["scan", "."])
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize("text, mode", [("dns: off\n", "off"), ("dns: 'off'\n", "off"), ("dns: live\n", "live"),
                                        ("dns: static\n", "static"), ("fail_on: low\n", "")])
def test_the_dns_mode_in_the_configuration(tmp_path, text, mode):
    (tmp_path / ".sesguard.yml").write_text(text)
    assert load_config(str(tmp_path / ".sesguard.yml")).dns == mode


def test_the_command_line_dns_mode_wins_over_the_file(tmp_path, monkeypatch):
    """SES222 comes from the DNS rules: the file turns them off, --dns static back on."""
    shutil.copytree(FIXTURES / "SES101" / "jsonencode", tmp_path / "m")
    (tmp_path / "m" / "extra.tf").write_text('resource "aws_ses_domain_identity" "d" { domain = "example.com" }\n')
    (tmp_path / "m" / ".sesguard.yml").write_text("dns: off\n")
    monkeypatch.chdir(tmp_path / "m")
    monkeypatch.delenv("SESGUARD_DNS")
    assert "SES222" not in [f[0] for f in findings(run("scan", ".", "--format", "json"))]
    assert "SES222" in [f[0] for f in findings(run("scan", ".", "--format", "json", "--dns", "static"))]


def test_configuration_trust_severity_disable_and_fail_on(repo):
    (repo / ".sesguard.yml").write_text(
        "trusted_accounts: ['444455556666']\nseverity:\n  SES101: high\nfail_on: critical\n")
    result = run("scan", ".", "--format", "json")
    assert findings(result) == [("SES101", "SES101_inactive/main.tf", "high"),
                                ("SES101", "SES101_jsonencode/main.tf", "high")]
    assert result.exit_code == 0  # high is below the configured fail_on: critical
    assert run("scan", ".", "--fail-on", "high").exit_code == 1  # the command line wins
    (repo / ".sesguard.yml").write_text("disable: [SES101]\n")
    assert findings(run("scan", ".", "--format", "json")) == [("SES102", "SES102_account/main.tf", "medium")]


def test_the_command_line_trust_replaces_the_file(repo):
    (repo / ".sesguard.yml").write_text("trusted_accounts: ['444455556666']\n")
    result = run("scan", "SES102_account", "--format", "json", "--trusted-account", "111122223333",
                 "--config", ".sesguard.yml")
    assert findings(result) == [("SES102", "SES102_account/main.tf", "high")]


@pytest.mark.parametrize("rule", ["SES001", "SES002"])
def test_input_and_crash_rules_cannot_be_disabled(repo, rule):
    (repo / ".sesguard.yml").write_text(f"disable: [{rule}]\n")
    result = CliRunner().invoke(main, ["scan", "."])
    assert result.exit_code == 2
    assert f"{rule} cannot be disabled" in result.output


def test_exclude_globs(repo):
    (repo / ".sesguard.yml").write_text("exclude: ['SES101_*/', '**/account/**']\n")
    assert findings(run("scan", ".", "--format", "json")) == [("SES102", "SES102_account/main.tf", "medium")]


def test_var_files_per_directory(repo):
    (repo / "SES101_inactive" / "on.tfvars").write_text("enable_policy = true\n")
    (repo / ".sesguard.yml").write_text("var_files:\n  SES101_inactive: [on.tfvars]\n")
    result = json.loads(run("scan", "SES101_inactive", "--format", "json", "--config", ".sesguard.yml").output)
    assert [(f["rule_id"], f["active"]) for f in result["findings"]] == [("SES101", True)]
    (repo / ".sesguard.yml").write_text("var_files:\n  SES101_inactive: [missing.tfvars]\n")
    result = CliRunner().invoke(main, ["scan", ".", "--config", ".sesguard.yml"])
    assert result.exit_code == 2 and "missing.tfvars does not exist" in result.output


def test_baseline_reports_only_new_findings_and_is_stable(repo):
    assert run("scan", ".", "--write-baseline", "baseline.json").exit_code == 0
    first = (repo / "baseline.json").read_text()
    run("scan", ".", "--write-baseline", "baseline.json")
    assert (repo / "baseline.json").read_text() == first
    entries = json.loads(first)["findings"]
    assert [e["fingerprint"] for e in entries] == sorted(e["fingerprint"] for e in entries)
    assert len(entries) == 3
    result = run("scan", ".", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.output)["findings"] == []
    shutil.copytree(FIXTURES / "SES101" / "sesv2", repo / "new")
    result = run("scan", ".", "--baseline", "baseline.json", "--format", "json")
    assert result.exit_code == 1
    assert findings(result) == [("SES101", "new/main.tf", "critical")]


def test_bad_baseline_is_a_usage_error(repo):
    (repo / "bad.json").write_text("{}")
    result = CliRunner().invoke(main, ["scan", ".", "--baseline", "bad.json"])
    assert result.exit_code == 2 and "cannot read the baseline" in result.output


def test_several_outputs_at_once(repo):
    (repo / "out").mkdir()
    result = run("scan", ".", "-o", "json:out/report.json", "-o", "text:-")
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("2 finding(s): 1 critical, 1 medium; 1 inactive;")
    assert len(json.loads((repo / "out" / "report.json").read_text())["findings"]) == 3


def test_several_outputs_need_formats(repo):
    result = CliRunner().invoke(main, ["scan", ".", "-o", "a.json", "-o", "text:-"])
    assert result.exit_code == 2 and "each must be FORMAT:PATH" in result.output


def test_exit_zero(repo):
    assert run("scan", ".", "--exit-zero").exit_code == 0


def test_rules_as_json():
    rules = json.loads(run("rules", "--format", "json").output)
    assert [r["id"] for r in rules][:3] == ["SES001", "SES002", "SES003"]
    assert rules[4]["name"] == "identity-policy-public" and "Why:" in rules[4]["description"]
