"""Every function sesguard evaluates is called by a test with an exact
result, and README's list of them is the registry's; the newer ones
(``templatestring``, the AWS provider's ARN functions) and
``terraform_data`` are also evaluated through a module, as written in HCL."""

import re

import test_tf_functions
from analyzer.engine import ScanOptions, scan
from analyzer.model import LStr, Location
from analyzer.terraform.functions import SUPPORTED, CallContext, call
from analyzer.terraform.evaluate import Evaluator
from conftest import REPO

README_LIST = re.compile(r"<!-- functions -->\n(.*?)<!-- /functions -->", re.S)


def _context(tmp_path):
    ctx = CallContext(module_dir=str(tmp_path), root_dir=str(tmp_path), render_template=None)
    ctx.render_template = Evaluator(ctx).render_template
    return ctx


def _file_cases(tmp_path):
    """``(name, args, expected)`` for the functions that need a module directory."""
    (tmp_path / "greeting.tpl").write_text("hello ${name}")
    template = LStr("hello ${name}!", Location("main.tf", 3, 7))
    return [
        ("file", ["greeting.tpl"], "hello ${name}"),
        ("templatefile", ["greeting.tpl", {"name": "ops"}], "hello ops"),
        ("abspath", ["greeting.tpl"], str(tmp_path / "greeting.tpl")),
        ("templatestring", [template, {"name": "ops"}], "hello ops!"),
    ]


def test_every_supported_function_is_called_with_an_exact_result(tmp_path):
    ctx = _context(tmp_path)
    for name, args, expected in _file_cases(tmp_path):
        assert call(name, args, ctx) == expected, name
    called = {case[0] for case in test_tf_functions.CASES} | {case[0] for case in _file_cases(tmp_path)}
    assert called == SUPPORTED


def test_readme_lists_exactly_the_supported_functions():
    [listed] = README_LIST.findall((REPO / "README.md").read_text(encoding="utf-8"))
    assert sorted(re.findall(r"`([^`]+)`", listed)) == sorted(SUPPORTED)


MODULE = '''data "aws_caller_identity" "current" {}

locals {
  owner     = provider::aws::arn_build("aws", "iam", "", data.aws_caller_identity.current.account_id, "root")
  parsed    = provider::aws::arn_parse(var.partner_role)
  statement = <<-EOT
    {"Effect": "Allow", "Principal": {"AWS": "$${principal}"}, "Action": "ses:SendEmail", "Resource": "*"}
  EOT
}

variable "partner_role" {
  default = "arn:aws:iam::444455556666:role/with/path/mailer"
}

resource "terraform_data" "principal" {
  input = var.open ? "*" : provider::aws::trim_iam_role_path(var.partner_role)
}

variable "open" {
  default = false
}

resource "aws_ses_domain_identity" "d" {
  domain = "example.com"
}

resource "aws_ses_identity_policy" "owner" {
  identity = aws_ses_domain_identity.d.arn
  name     = "owner"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = local.owner },
    Action = "ses:SendEmail", Resource = "*" }] })
}

resource "aws_ses_identity_policy" "partner" {
  identity = aws_ses_domain_identity.d.arn
  name     = "partner"
  policy   = "{\\"Statement\\": [${templatestring(local.statement, { principal = terraform_data.principal.output })}]}"
}

resource "aws_ses_identity_policy" "partner_account" {
  identity = aws_ses_domain_identity.d.arn
  name     = "partner-account"
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "ses:SendEmail", Resource = "*",
    Principal = { AWS = "arn:aws:iam::${local.parsed.account_id}:root" } }] })
}
'''


def _scan(tmp_path, monkeypatch, *variables):
    (tmp_path / "main.tf").write_text(MODULE)
    monkeypatch.chdir(tmp_path)
    options = ScanOptions(paths=["."], dns="off", trusted_accounts=("444455556666",))
    options.variables.pairs = list(variables)
    return sorted((f.rule_id, f.location.line) for f in scan(options).findings)


def test_provider_functions_templatestring_and_terraform_data_are_evaluated_in_a_module(tmp_path, monkeypatch):
    # the owner account is trusted, the partner's account and role are trusted: nothing to report
    assert _scan(tmp_path, monkeypatch) == []
    # terraform_data.output is its input: "*" through templatestring reaches the policy
    assert _scan(tmp_path, monkeypatch, ("open", "true")) == [("SES101", 37)]


def test_templatestring_of_a_literal_template_is_rejected_as_terraform_rejects_it(tmp_path, monkeypatch):
    (tmp_path / "main.tf").write_text(
        'resource "aws_ses_identity_policy" "p" {\n  identity = "example.com"\n  name = "p"\n'
        '  policy = templatestring("{}", {})\n}\n')
    monkeypatch.chdir(tmp_path)
    findings = scan(ScanOptions(paths=["."], dns="off")).findings
    assert [(f.rule_id, f.location.line) for f in findings] == [("SES001", 4)]
    assert "not a literal template" in findings[0].message
