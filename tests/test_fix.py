"""Fixes: for each fixable rule, fixtures where ``sesguard fix --apply``
then a re-scan gives no finding of that rule, every other line and file
stays byte-identical and the result still parses (no SES001); fixtures
where the fix is refused, with the reason; the fix in SARIF and JSON."""

import difflib
import json
import os
import shutil

import jsonschema
import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.engine import ScanOptions, scan
from analyzer.report import json_format, sarif
from conftest import FIXTURES, REPO

SARIF_SCHEMA = (REPO / ".." / "shared" / "schemas" / "sarif-schema-2.1.0.json").resolve()

FIXED = [
    ("SES101/policy_document", "SES101", []),
    ("SES101/jsonencode", "SES101", []),
    ("SES101/heredoc", "SES101", []),
    ("SES101/policy_document_cfn_yaml", "SES101", []),
    ("SES101/policy_document_cfn_json", "SES101", []),
    ("SES101/module_call", "SES101", []),
    ("SES101/locals", "SES101", []),
    ("SES101/message_condition", "SES101", []),
    ("SES101/file_json", "SES101", ["--trusted-account", "111122223333"]),
    ("SES101/jsonencode", "SES101", ["--trusted-org", "o-abcdef1234"]),
    ("SES102/account", "SES102", []),
    ("SES102/account_cfn_yaml", "SES102", []),
    ("SES102/cross_account_arnlike", "SES102", []),
    ("SES103/service_no_source", "SES103", []),
    ("SES103/service_no_source_cfn_yaml", "SES103", []),
    ("SES103/service_no_source_cfn_json", "SES103", []),
    ("SES301/tls_terraform", "SES301", []),
    ("SES301/tls_cfn_yaml", "SES301", []),
    ("SES301/tls_from_tfvars", "SES301", []),  # the edit is at the origin the trace names: terraform.tfvars
    ("SES304/reputation_terraform", "SES304", []),
    ("SES304/reputation_cfn_yaml", "SES304", []),
    ("SES213/rsa_1024_next_key_terraform", "SES213", []),
    ("SES213/rsa_1024_next_key_cfn_yaml", "SES213", []),
    ("SES231/p_none", "SES231", []),
    ("SES231/sp_none_subdomain", "SES231", []),
    ("SES231/octodns_p_none", "SES231", []),
    ("SES233/no_rua", "SES233", ["--dmarc-rua", "mailto:dmarc@example.com"]),
    ("SES233/ruf_only_cfn_yaml", "SES233", ["--dmarc-rua", "mailto:dmarc@example.com"]),
]

REFUSED = [
    ("SES101/network_condition", "SES101", [], "main.tf:11: SES101 not fixed: the statement already has a "
     "Condition: add the key to it by hand"),
    ("SES101/file_json", "SES101", [], "policies/open.json:7: SES101 not fixed: the statement is in "
     "policies/open.json, which cannot name the deploying account: name the trusted accounts (--trusted-account) "
     "to get a literal fix"),
    ("SES101/jsonencode_plan", "SES101", [], "plan.json:81: SES101 not fixed: a plan is generated: fix the "
     "Terraform it came from"),
    ("SES101/jsonencode_cfn_json", "SES101", [], "cdk.out/MailStack.template.json:21: SES101 not fixed: the "
     "statement is JSON inside a string: edit the code that builds it"),
    ("SES102/org_condition", "SES102", [], "main.tf:17: SES102 not fixed: the statement already has a "
     "StringEquals aws:PrincipalAccount condition: widen or narrow it by hand"),
    ("SES213/byodkim_1024_bit_key", "SES213", [], "SES213 not fixed: a new 2048-bit key pair has to be generated "
     "and its private key kept secret: sesguard does not write keys"),
    ("SES231/pct_50_cfn_yaml", "SES231", [], "SES231 not fixed: the record is not enforced for another reason "
     "(pct-partial): edit it by hand"),
    ("SES233/no_rua", "SES233", [], "SES233 not fixed: which mailbox receives the aggregate reports is yours to "
     "choose: give it with `sesguard fix --dmarc-rua mailto:ADDRESS`"),
    ("SES304/reputation_plan", "SES304", [], "SES304 not fixed: a plan is generated: fix the Terraform it came from"),
]


def _options(args):
    """The scan options the command-line arguments of ``sesguard fix`` stand for."""
    def values(flag):
        return tuple(args[i + 1] for i, a in enumerate(args) if a == flag)
    return ScanOptions(paths=["."], trusted_accounts=values("--trusted-account"), trusted_orgs=values("--trusted-org"),
                       dmarc_rua="".join(values("--dmarc-rua")))


def _files(root):
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _copy(tmp_path, case, monkeypatch):
    work = tmp_path / "case"
    shutil.copytree(FIXTURES / case, work)
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize("case,rule,args", FIXED, ids=[f"{c}-{'-'.join(a) or 'default'}" for c, _, a in FIXED])
def test_fix_closes_the_finding_and_changes_nothing_else(tmp_path, monkeypatch, case, rule, args):
    work = _copy(tmp_path, case, monkeypatch)
    before = scan(_options(args)).findings
    fixed = [f for f in before if f.rule_id == rule]
    assert fixed and all(f.fix is not None and f.fix.applicable for f in fixed), [f.fix for f in fixed]
    edited = {e.file for f in fixed for e in f.fix.edits}
    edited_lines = {(e.file, line) for f in fixed for e in f.fix.edits for line in range(e.line, e.end_line + 1)}
    old = _files(work)

    runner = CliRunner()
    shown = runner.invoke(main, ["fix", ".", "--rule", rule, *args])
    assert shown.exit_code == 1 and shown.stdout.startswith("--- a/"), shown.output
    assert _files(work) == old  # --diff writes nothing
    applied = runner.invoke(main, ["fix", ".", "--rule", rule, "--apply", *args])
    assert applied.exit_code == 0, applied.output

    new = _files(work)
    assert set(new) == set(old)
    assert {name for name in new if new[name] != old[name]} == edited
    for name in edited:
        matcher = difflib.SequenceMatcher(None, old[name].decode().splitlines(), new[name].decode().splitlines(),
                                          autojunk=False)
        for tag, i1, i2, _, _ in matcher.get_opcodes():
            if tag in ("replace", "delete"):  # only the lines an edit touches may differ
                assert all((name, n + 1) in edited_lines for n in range(i1, i2)), (name, tag, i1, i2)
    after = scan(_options(args)).findings
    assert [f for f in after if f.rule_id in (rule, "SES001", "SES002")] == []
    untouched = {(f.rule_id, f.file, f.resource, f.logical_path) for f in before if f.rule_id != rule}
    assert {(f.rule_id, f.file, f.resource, f.logical_path) for f in after} <= untouched
    again = runner.invoke(main, ["fix", ".", "--rule", rule, *args])
    assert again.exit_code == 0 and again.stdout == ""  # nothing left to fix


@pytest.mark.parametrize("case,rule,args,reason", REFUSED, ids=[c for c, _, _, _ in REFUSED])
def test_fix_refused_with_the_reason(tmp_path, monkeypatch, case, rule, args, reason):
    work = _copy(tmp_path, case, monkeypatch)
    old = _files(work)
    result = CliRunner().invoke(main, ["fix", ".", "--rule", rule, "--apply", *args])
    assert result.exit_code == 0
    assert reason in result.stderr
    assert _files(work) == old


def test_fixes_in_sarif_and_json(tmp_path, monkeypatch):
    _copy(tmp_path, "SES301/tls_terraform", monkeypatch)
    report = scan(ScanOptions(paths=["."]))
    log = json.loads(sarif.render(report))
    if SARIF_SCHEMA.is_file():
        validator = jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text(encoding="utf-8")))
        assert [e.message for e in validator.iter_errors(log)] == []
    elif os.environ.get("CI") == "true":
        pytest.fail(f"the SARIF schema is missing at {SARIF_SCHEMA}")
    results = [r for r in log["runs"][0]["results"] if r["ruleId"] == "SES301"]
    assert [r["fixes"] for r in results][1] == [{
        "description": {"text": "require TLS for delivery"},
        "artifactChanges": [{"artifactLocation": {"uri": "main.tf", "uriBaseId": "%SRCROOT%"}, "replacements": [
            {"deletedRegion": {"startLine": 11, "startColumn": 19, "endLine": 11, "endColumn": 27},
             "insertedContent": {"text": "Require"}}]}]}]
    insertion = results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert insertion == {"deletedRegion": {"startLine": 5, "startColumn": 1, "endLine": 5, "endColumn": 1},
                         "insertedContent": {"text": '  delivery_options {\n    tls_policy = "Require"\n  }\n'}}
    document = json.loads(json_format.render(report))
    fixes = [f["fix"] for f in document["findings"] if f["rule_id"] == "SES301"]
    assert fixes[1] == {"description": "require TLS for delivery", "refused": "", "edits": [
        {"file": "main.tf", "line": 11, "column": 19, "end_line": 11, "end_column": 27, "text": "Require"}]}
    assert all(f["fix"] is None for f in document["findings"] if f["rule_id"] != "SES301")


def test_refusal_in_sarif_and_json(tmp_path, monkeypatch):
    _copy(tmp_path, "SES233/no_rua", monkeypatch)
    report = scan(ScanOptions(paths=["."]))
    result = next(r for r in json.loads(sarif.render(report))["runs"][0]["results"] if r["ruleId"] == "SES233")
    assert "fixes" not in result and result["properties"]["fix_refused"].startswith("which mailbox")
    finding = next(f for f in json.loads(json_format.render(report))["findings"] if f["rule_id"] == "SES233")
    assert finding["fix"]["edits"] == [] and finding["fix"]["refused"].startswith("which mailbox")


def test_a_crashing_fixer_is_ses002(tmp_path, monkeypatch):
    from analyzer.fix import literal

    _copy(tmp_path, "SES301/tls_terraform", monkeypatch)

    def broken(*args):
        raise KeyError("boom")

    monkeypatch.setitem(literal.FIXERS, "SES301", broken)
    findings = scan(ScanOptions(paths=["."])).findings
    crashes = [f for f in findings if f.rule_id == "SES002"]
    assert len(crashes) == 3
    assert crashes[0].message.startswith("the fix of SES301 at main.tf:2 crashed with KeyError: 'boom'")


def test_a_statement_on_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text(
        'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n\n'
        'resource "aws_ses_identity_policy" "p" {\n  identity = aws_ses_domain_identity.d.arn\n  name     = "p"\n'
        '  policy = jsonencode({\n'
        '    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "ses:SendEmail", Resource = "*" }]\n'
        '  })\n}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["fix", ".", "--apply"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "main.tf").read_text(encoding="utf-8").splitlines()[8] == (
        '    Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "ses:SendEmail", Resource = "*", '
        'Condition = { StringEquals = { "aws:PrincipalAccount" = data.aws_caller_identity.current.account_id } } }]')
    findings = scan(ScanOptions(paths=["."])).findings
    assert [f.rule_id for f in findings if f.rule_id in ("SES101", "SES001")] == []


def test_a_literal_is_fixed_at_the_origin_its_trace_names(tmp_path, monkeypatch):
    """The value at fault comes from a variable file: the edit is made there."""
    from analyzer.findings import TraceStep
    from analyzer.fix import Settings, literal
    from analyzer.model import Location
    from analyzer.rules import load_rules

    monkeypatch.chdir(tmp_path)
    (tmp_path / "main.tf").write_text('resource "aws_sesv2_configuration_set" "c" {\n  delivery_options {\n'
                                      '    tls_policy = var.tls\n  }\n}\n', encoding="utf-8")
    (tmp_path / "prod.tfvars").write_text('tls = "OPTIONAL"\n', encoding="utf-8")
    rule = next(r for r in load_rules() if r.id == "SES301")
    finding = rule.finding("m", Location("main.tf", 3, 5, 3, 26), resource="aws_sesv2_configuration_set.c",
                           trace=(TraceStep("prod.tfvars", 1, 1, "prod.tfvars"), TraceStep("main.tf", 3, 5, "use")))
    fix = literal.FIXERS["SES301"](finding, [], None, None, Settings())
    assert fix.applicable and [(e.file, e.line, e.column, e.end_line, e.end_column, e.text) for e in fix.edits] == [
        ("prod.tfvars", 1, 8, 1, 16, "REQUIRE")]
    untraced = rule.finding("m", Location("main.tf", 3, 5, 3, 26), resource="aws_sesv2_configuration_set.c")
    refused = literal.FIXERS["SES301"](untraced, [], None, None, Settings())
    assert refused.edits == () and refused.refused == ("the TLS policy is not written as a literal here or where "
                                                       "its value comes from")


def test_a_value_from_a_variable_file_is_fixed_there(tmp_path, monkeypatch):
    """SES301's value comes from terraform.tfvars through module.cs's argument: the trace names the
    origin, and the fix edits the variable file, not the module every caller shares."""
    work = tmp_path / "case"
    shutil.copytree(FIXTURES / "SES301" / "tls_from_tfvars", work)
    module = (work / "modules" / "cs" / "main.tf").read_text(encoding="utf-8")
    monkeypatch.chdir(work)
    result = CliRunner().invoke(main, ["fix", ".", "--apply"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (work / "terraform.tfvars").read_text(encoding="utf-8") == 'tls = "REQUIRE"\n'
    assert (work / "modules" / "cs" / "main.tf").read_text(encoding="utf-8") == module
