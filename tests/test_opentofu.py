"""OpenTofu's file names: ``.tofu`` and ``.tofu.json`` are files of their
module, a same-named ``.tofu`` file replaces the ``.tf`` one, and a ``.tofu``
file that cannot be parsed is SES001 with its line."""

import json

from click.testing import CliRunner

from analyzer.cli import main
from analyzer.discover import discover
from analyzer.engine import ScanOptions, scan

OPEN = ('resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n\n'
        'resource "aws_ses_identity_policy" "p" {\n  identity = aws_ses_domain_identity.d.arn\n  name = "p"\n'
        '  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = "*", Action = "ses:SendEmail",'
        ' Resource = "*" }] })\n}\n')
OPEN_JSON = {
    "resource": {
        "aws_ses_domain_identity": {"d": {"domain": "example.com"}},
        "aws_ses_identity_policy": {"p": {
            "identity": "${aws_ses_domain_identity.d.arn}", "name": "p",
            "policy": '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ses:SendEmail",'
                      ' "Resource": "*"}]}'}},
    },
}
IDENTITY_ONLY = 'resource "aws_ses_domain_identity" "d" {\n  domain = "example.com"\n}\n'


def _findings(tmp_path, monkeypatch, path="."):
    monkeypatch.chdir(tmp_path)
    report = scan(ScanOptions(paths=[path], dns="off"))
    return sorted((f.rule_id, f.file, f.location.line) for f in report.findings), report


def test_tofu_and_tofu_json_files_are_terraform_files_of_their_module(tmp_path, monkeypatch):
    (tmp_path / "hcl").mkdir()
    (tmp_path / "hcl" / "main.tofu").write_text(OPEN)
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "main.tofu.json").write_text(json.dumps(OPEN_JSON, indent=2))
    findings, report = _findings(tmp_path, monkeypatch)
    assert findings == [("SES101", "hcl/main.tofu", 8), ("SES101", "json/main.tofu.json", 12)]
    assert report.files_parsed == 2


def test_a_tofu_file_replaces_the_tf_file_of_the_same_base_name(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(OPEN)
    (tmp_path / "main.tofu").write_text(IDENTITY_ONLY)
    (tmp_path / "policy.tf.json").write_text(json.dumps(OPEN_JSON, indent=2))
    (tmp_path / "policy.tofu.json").write_text(json.dumps({"locals": {"x": 1}}))
    (tmp_path / "other.tf").write_text('locals {\n  y = 2\n}\n')
    found = discover(str(tmp_path))
    [module] = found.modules.values()
    assert sorted(p.rsplit("/", 1)[1] for p in module.files) == ["main.tofu", "other.tf", "policy.tofu.json"]
    findings, _ = _findings(tmp_path, monkeypatch)
    assert findings == []


def test_a_tf_file_is_kept_when_only_a_tofu_file_of_another_name_is_there(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(OPEN)
    (tmp_path / "versions.tofu").write_text('terraform {\n  required_version = ">= 1.8"\n}\n')
    findings, _ = _findings(tmp_path, monkeypatch)
    assert findings == [("SES101", "main.tf", 8)]


def test_a_tofu_file_named_on_the_command_line_is_read_with_its_module(tmp_path, monkeypatch):
    (tmp_path / "main.tofu").write_text(OPEN)
    findings, _ = _findings(tmp_path, monkeypatch, "main.tofu")
    assert findings == [("SES101", "main.tofu", 8)]


def test_a_tofu_file_the_parser_rejects_is_ses001_with_its_line_and_the_scan_goes_on(tmp_path, monkeypatch):
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.tofu").write_text(IDENTITY_ONLY + '\nresource "aws_ses_identity_policy" "p" {\n'
                                                   '  name = "p" +\n}\n')
    (tmp_path / "fine").mkdir()
    (tmp_path / "fine" / "main.tofu").write_text(OPEN)
    findings, report = _findings(tmp_path, monkeypatch)
    assert findings == [("SES001", "broken/main.tofu", 7), ("SES101", "fine/main.tofu", 8)]
    [problem] = [f for f in report.findings if f.rule_id == "SES001"]
    assert "cannot parse" in problem.message


def test_verbose_says_which_tf_files_a_tofu_file_replaces(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(OPEN)
    (tmp_path / "main.tofu").write_text(IDENTITY_ONLY)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["scan", ".", "--dns", "off", "--no-cache", "-v"])
    assert "sesguard: main.tf not read: main.tofu replaces it, as OpenTofu reads the .tofu file" in result.output
    assert result.exit_code == 0


def test_a_called_module_outside_the_scanned_path_also_reads_the_tofu_file(tmp_path, monkeypatch):
    (tmp_path / "modules" / "mail").mkdir(parents=True)
    (tmp_path / "modules" / "mail" / "main.tf").write_text(IDENTITY_ONLY)
    (tmp_path / "modules" / "mail" / "main.tofu").write_text(OPEN)
    (tmp_path / "envs" / "prod").mkdir(parents=True)
    (tmp_path / "envs" / "prod" / "main.tofu").write_text('module "mail" {\n  source = "../../modules/mail"\n}\n')
    monkeypatch.chdir(tmp_path / "envs" / "prod")
    report = scan(ScanOptions(paths=["."], dns="off", root=str(tmp_path)))
    assert sorted((f.rule_id, f.file, f.location.line) for f in report.findings) == [
        ("SES101", "../../modules/mail/main.tofu", 8)]
    assert [(p.rsplit("/", 1)[1], t.rsplit("/", 1)[1]) for p, t in report.replaced] == [("main.tf", "main.tofu")]
