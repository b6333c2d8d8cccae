"""The command line: options, formats, exit status."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from analyzer import __version__
from analyzer.cli import main
from conftest import FIXTURES

@pytest.fixture(autouse=True)
def _without_dns_rules(monkeypatch):
    """These tests are about the command line, not email authentication:
    the DNS rules (tested in test_dns_rules.py and their fixtures) are off."""
    monkeypatch.setenv("SESGUARD_DNS", "off")


PUBLIC = str(FIXTURES / "SES101" / "jsonencode")
INACTIVE = str(FIXTURES / "SES101" / "inactive")
PARTNER = str(FIXTURES / "SES102" / "account")
UNRESOLVED = str(FIXTURES / "SES003" / "variable_without_value")
BROKEN = str(FIXTURES / "SES001" / "parse_error")
CLEAN = str(FIXTURES / "SES101" / "negative_owner")


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_version():
    result = run("--version")
    assert result.exit_code == 0
    assert result.output == f"sesguard {__version__}\n"


def test_rules_lists_every_rule():
    result = run("rules")
    assert result.exit_code == 0
    ids = [line.split()[0] for line in result.output.splitlines()]
    assert ids == ["SES001", "SES002", "SES003", "SES004", "SES101", "SES102", "SES103", "SES110", "SES111",
                   "SES112", "SES201", "SES202", "SES210", "SES211", "SES212", "SES213", "SES219", "SES220",
                   "SES221", "SES222", "SES223", "SES224", "SES230", "SES231", "SES232", "SES233", "SES240",
                   "SES250", "SES301", "SES302", "SES303", "SES304", "SES305", "SES306",
                   "SES307"]
    assert "identity-policy-public" in result.output and "critical" in result.output


@pytest.mark.parametrize("name", ["SES101", "ses101", "identity-policy-public"])
def test_explain_prints_the_rule_docs(name):
    result = run("explain", name)
    assert result.exit_code == 0
    assert result.output.startswith("SES101 identity-policy-public (critical)\n")
    assert "Why:" in result.output and "Example (Terraform):" in result.output
    assert "Example (CloudFormation" in result.output and "Fix:" in result.output


def test_explain_unknown_rule_is_a_usage_error():
    result = CliRunner().invoke(main, ["explain", "SES999"])
    assert result.exit_code == 2
    assert "no rule 'SES999'" in result.output


@pytest.mark.parametrize("path, args, status", [
    (PUBLIC, [], 1),
    (CLEAN, [], 0),
    (INACTIVE, [], 0),
    (INACTIVE, ["--include-inactive"], 1),
    (PARTNER, [], 1),  # medium (no trusted account configured) >= low
    (PARTNER, ["--fail-on", "high"], 0),
    (PARTNER, ["--trusted-account", "444455556666"], 0),
    (UNRESOLVED, [], 0),  # info does not fail by default
    (UNRESOLVED, ["--fail-on", "info"], 1),
    (UNRESOLVED, ["--var", 'sender_accounts=["*"]'], 1),
    (BROKEN, ["--fail-on", "critical"], 1),  # SES001 always fails
    (PUBLIC, ["--fail-on", "critical"], 1),
], ids=["public", "clean", "inactive", "inactive-counted", "partner", "partner-fail-on-high",
        "partner-trusted", "unresolved", "unresolved-fail-on-info", "unresolved-var-public", "broken",
        "public-critical"])
def test_exit_status(path, args, status):
    assert run("scan", path, *args).exit_code == status


def test_partner_is_high_once_trust_is_configured():
    result = run("scan", PARTNER, "--format", "json", "--trusted-account", "111122223333")
    findings = json.loads(result.output)["findings"]
    assert [(f["rule_id"], f["severity"]) for f in findings] == [("SES102", "high")]
    result = run("scan", PARTNER, "--format", "json")
    finding = json.loads(result.output)["findings"][0]
    assert finding["severity"] == "medium"
    assert "--trusted-account" in finding["fix_title"] and "No trusted account" in finding["message"]


@pytest.mark.parametrize("args, message", [
    (["scan", "/no/such/path"], "no such file or directory"),
    (["scan", PUBLIC, "--trusted-account", "12345"], "12-digit"),
    (["scan", PUBLIC, "--trusted-org", "acme"], "organization id"),
    (["scan", PUBLIC, "--var", "novalue"], "NAME=VALUE"),
    (["scan", PUBLIC, "--fail-on", "severe"], "severe"),
    (["scan", PUBLIC, "--var-file", "/no/such.tfvars"], "does not exist"),
], ids=["missing-path", "bad-account", "bad-org", "bad-var", "bad-fail-on", "missing-var-file"])
def test_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert message in result.output


def test_unparseable_var_file_is_a_usage_error(tmp_path):
    bad = tmp_path / "bad.tfvars"
    bad.write_text("x = = 1\n")
    result = CliRunner().invoke(main, ["scan", PUBLIC, "--var-file", str(bad)])
    assert result.exit_code == 2
    assert "cannot use --var-file" in result.output


def test_json_report_shape(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES101")
    result = run("scan", "jsonencode", "inactive", "--format", "json")
    report = json.loads(result.output)
    assert report["version"] == 1
    assert report["tool"] == {"name": "sesguard", "version": __version__}
    assert report["errors"] == []
    assert report["summary"] == {"files": 2, "files_parsed": 2, "files_failed": 0, "files_skipped": 0,
                                 "variable_files": 0, "modules_skipped": 0, "modules": 2, "findings": 2,
                                 "active": 1, "inactive": 1, "suppressed": 0, "baselined": 0,
                                 "by_severity": {"critical": 1}}
    active, inactive = sorted(report["findings"], key=lambda f: not f["active"])
    assert {k: active[k] for k in ("rule_id", "name", "severity", "file", "line", "column", "resource",
                                   "identity", "active")} == {
        "rule_id": "SES101", "name": "identity-policy-public", "severity": "critical",
        "file": "jsonencode/main.tf", "line": 13, "column": 7,
        "resource": "aws_ses_identity_policy.open", "identity": "example.com", "active": True}
    assert active["end_line"] >= active["line"]
    assert len(active["fingerprint"]) == 32
    assert inactive["inactive_reason"] == "count = 0 while var.enable_policy = false"
    assert inactive["active"] is False


def test_fingerprint_ignores_line_moves(tmp_path, monkeypatch):
    source = (FIXTURES / "SES101" / "jsonencode" / "main.tf").read_text()
    (tmp_path / "main.tf").write_text(source)
    monkeypatch.chdir(tmp_path)
    before = json.loads(run("scan", ".", "--format", "json").output)["findings"][0]
    (tmp_path / "main.tf").write_text("# a comment\n\n" + source)
    after = json.loads(run("scan", ".", "--format", "json").output)["findings"][0]
    assert after["line"] == before["line"] + 2
    assert after["fingerprint"] == before["fingerprint"]


def test_errors_array_holds_unanalyzed_inputs(monkeypatch):
    monkeypatch.chdir(BROKEN)
    report = json.loads(run("scan", ".", "--format", "json").output)
    assert [(e["rule_id"], e["file"], e["line"]) for e in report["errors"]] == [("SES001", "remote-state.tf", 7)]


def test_text_output_groups_and_summarizes(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES101")
    result = run("scan", "jsonencode", "inactive")
    lines = result.output.splitlines()
    assert lines[0] == "jsonencode/main.tf"
    assert lines[1].startswith("  jsonencode/main.tf:13:7: SES101 [critical] example.com (aws_ses_identity_policy.open): ")
    assert "Inactive with the values in use" in result.output
    assert "[inactive: count = 0 while var.enable_policy = false]" in result.output
    assert lines[-1] == ("1 finding(s): 1 critical; 1 inactive; 2 file(s) found, 2 parsed, 0 failed, 0 skipped by "
                         "the pre-filter, 0 variable file(s); 2 module instance(s) evaluated.")
    assert "\x1b[" not in result.output  # no colour when not on a terminal


def test_output_file(tmp_path):
    target = tmp_path / "report.json"
    result = run("scan", PUBLIC, "--format", "json", "--output", str(target))
    assert result.exit_code == 1
    assert result.output == ""
    assert json.loads(target.read_text())["summary"]["findings"] == 1


def test_python_dash_m_and_console_script_agree():
    module = subprocess.run([sys.executable, "-m", "analyzer", "scan", PUBLIC, "--format", "json"],
                            capture_output=True, text=True)
    assert module.returncode == 1
    assert json.loads(module.stdout)["findings"][0]["rule_id"] == "SES101"
    assert "Traceback" not in module.stderr


def test_rule_crash_is_reported_and_other_rules_run(monkeypatch):
    import checks.ses103_identity_policy_service_without_source as ses103

    def boom(model, context):
        raise ValueError("synthetic failure")
        yield  # pragma: no cover

    monkeypatch.setattr(ses103, "check", boom)
    report = json.loads(run("scan", PUBLIC, "--format", "json").output)
    assert sorted(f["rule_id"] for f in report["findings"]) == ["SES002", "SES101"]
    crash = next(f for f in report["findings"] if f["rule_id"] == "SES002")
    assert "SES103" in crash["message"] and "synthetic failure" in crash["message"]


def test_a_module_that_crashes_the_evaluator_is_reported_and_the_others_still_scanned(monkeypatch):
    import analyzer.terraform.adapter as loader

    real = loader.adapt

    def adapt(instance, model, relevant):
        if instance.source.dir.endswith("sesv2"):
            raise KeyError("synthetic")
        return real(instance, model, relevant)

    monkeypatch.setattr(loader, "adapt", adapt)
    monkeypatch.chdir(FIXTURES / "SES101")
    report = json.loads(run("scan", "sesv2", "jsonencode", "--format", "json").output)
    assert sorted((f["rule_id"], f["file"]) for f in report["findings"]) == [
        ("SES002", "sesv2"), ("SES101", "jsonencode/main.tf")]
    assert "sesguard failed while evaluating this module with KeyError" in report["errors"][0]["message"]
    assert "Traceback" in report["errors"][0]["details"]["traceback"]


def test_files_of_one_module_are_scanned_once(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES101" / "source_documents_dynamic")
    result = run("scan", "main.tf", "main.tf", "--format", "json")
    report = json.loads(result.stdout)
    assert sorted(f["rule_id"] for f in report["findings"]) == ["SES101", "SES102"]
    assert result.stderr == "sesguard: main.tf stands for its module: every Terraform file in ./ is read\n"
    assert report["summary"]["files"] == 1


def test_changed_only_evaluates_callers_and_reports_the_changed_modules(monkeypatch):
    """A changed child module is evaluated through its caller's arguments."""
    monkeypatch.chdir(FIXTURES / "SES101" / "module_call")
    report = json.loads(run("scan", "--changed-only", "modules/mail/main.tf", "--format", "json").output)
    assert [(f["rule_id"], f["file"], f["resource"]) for f in report["findings"]] == [
        ("SES101", "modules/mail/main.tf", "module.mail.aws_ses_identity_policy.this")]
    # The changed root file holds the module call: what it passes decides the finding (#11).
    report = json.loads(run("scan", "--changed-only", "main.tf", "--format", "json").output)
    assert [(f["rule_id"], f["file"]) for f in report["findings"]] == [("SES101", "modules/mail/main.tf")]
    assert run("scan", "--changed-only").exit_code == 0


def test_quiet_prints_only_finding_lines_and_verbose_reports_on_stderr(monkeypatch):
    monkeypatch.chdir(FIXTURES / "SES101")
    quiet = run("scan", "jsonencode", "inactive", "--quiet")
    assert quiet.output.count("\n") == 1 and quiet.output.startswith("jsonencode/main.tf:13:7: SES101 [critical]")
    verbose = CliRunner().invoke(main, ["scan", "jsonencode", "--verbose"])
    assert verbose.stderr.startswith("sesguard: configuration: none (no --config, no .sesguard.yml from the "
                                     "current directory up to the repository root)\n"
                                     "sesguard: 1 file(s) found, 1 parsed, 0 failed, 0 skipped by the pre-filter, 0 "
                                     "variable file(s); 1 module instance(s) evaluated")


def test_progress_waits_a_second_and_clears_its_line():
    import io

    from analyzer.progress import Progress

    now = [0.0]
    stream = io.StringIO()
    progress = Progress(stream, clock=lambda: now[0])
    progress("evaluating a")
    assert stream.getvalue() == ""
    now[0] = 1.5
    progress("evaluating b")
    assert stream.getvalue().startswith("\rsesguard: evaluating b")
    progress.done()
    assert stream.getvalue().endswith("\r" + " " * 79 + "\r")
    assert not Progress.wanted(io.StringIO())  # not a terminal


_WITHOUT = ("import sys; sys.modules.update(dict.fromkeys({missing}));"
            "sys.argv = ['sesguard'] + {args}; from analyzer.cli import run; run()")


@pytest.mark.parametrize("missing, args, named, outcome", [
    (["hcl2", "lark"], ["scan", str(FIXTURES / "examples")], "python-hcl2, lark (with python-hcl2)",
     "nothing was scanned"),
    (["yaml"], ["fix", "--diff", str(FIXTURES / "examples")], "PyYAML", "nothing was scanned"),
    (["dns"], ["scan", "--dns", "live", str(FIXTURES / "examples")], "dnspython", "nothing was scanned"),
])
def test_a_python_without_sesguard_s_dependencies_is_told_so_before_scanning(missing, args, named, outcome):
    """``python3 -m analyzer`` from a source checkout runs with whatever that Python has installed:
    exit 2 naming what is missing, never an internal error or a silent stdout."""
    run = subprocess.run([sys.executable, "-c", _WITHOUT.format(missing=missing, args=args)],
                         capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == (f"sesguard: this Python ({sys.executable}) lacks {named}, which sesguard needs: install "
                          "sesguard with its dependencies (pip install . in its source directory) and run the "
                          f"sesguard command it installs, or that environment's python -m analyzer; {outcome}\n")


def test_a_dependency_missing_where_it_is_first_used_is_said_the_same_way(monkeypatch):
    import analyzer.engine

    def lacking_dnspython(*args, **kwargs):
        raise ModuleNotFoundError("No module named 'dns'", name="dns.resolver")
    monkeypatch.setattr(analyzer.engine, "scan", lacking_dnspython)
    result = CliRunner().invoke(main, ["scan", str(FIXTURES / "examples")])
    assert result.exit_code == 2
    assert "lacks dnspython, which sesguard needs" in result.output and "the scan is incomplete" in result.output
